#pragma once
// UiReader runs the touch UI's slow reads on a worker thread with a connection of its own to
// the terminal's database (issue 12 item 8: the UI never waits on the database; docs/ui.md,
// Reads off the main thread), and hands each result back to the main thread through the
// MainQueue, whose post wakes the frame loop.
//
//   main thread: submit(key, read) --> waiting (one per key: a newer read of the same key
//                                        replaces the one still waiting)
//   worker:      takes the oldest waiting read, runs read(store) --> a task
//   main thread: MainQueue::drain runs the task (it applies the result to the views)
//
// One read at a time, in submission order (StoreWorker, policy LatestPerKey). Each keystroke
// of a search submits one under the same key, so a fast typist costs one read per pause
// rather than one per letter. A task must not trust the screen it was asked from to be still
// showing: the caller stamps its reads (UiSession keeps a generation per view) and the task
// drops a stale result.

#include "app/MainQueue.h"
#include "app/StoreWorker.h"
#include "ledger/Result.h"
#include "store/TerminalStore.h"

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace backfill::app {

class UiReader {
public:
    // Read runs on the worker with its store and returns the task for the main thread.
    using Read = StoreWorker::Job;

    // start opens the database again for the worker (db_* codes, no_database) and starts it.
    static ledger::Result<std::unique_ptr<UiReader>> start(const std::string& dbPath, std::chrono::milliseconds busyTimeout,
                                                           MainQueue& queue);
    // The destructor drops the reads still waiting and waits for the one running.
    ~UiReader() = default;
    UiReader(const UiReader&) = delete;
    UiReader& operator=(const UiReader&) = delete;

    // submit queues `read` under `key`, replacing a waiting read of that key.
    void submit(const std::string& key, Read read) { m_worker.submit(key, std::move(read)); }
    // reads is how many reads ran to the end (tests, --stats).
    long reads() const { return m_worker.done(); }
    // readMs lists each read's time from its submit to its result posted, in milliseconds
    // (--stats `read_ms`; bench/ui: the time a Stock card takes to come): the first
    // kMaxReadTimes reads only, so a terminal left on for a shift does not grow the list.
    std::vector<double> readMs() const { return m_worker.doneMs(); }
    static constexpr size_t kMaxReadTimes = StoreWorker::kMaxTimes;

private:
    UiReader(MainQueue& queue, std::unique_ptr<store::TerminalStore> store)
        : m_worker(queue, std::move(store), StoreWorker::Policy::LatestPerKey)
    {
    }

    StoreWorker m_worker;
};

} // namespace backfill::app

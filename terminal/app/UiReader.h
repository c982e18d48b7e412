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
// One read at a time, in submission order. Each keystroke of a search submits one under the
// same key, so a fast typist costs one read per pause rather than one per letter. A task
// must not trust the screen it was asked from to be still showing: the caller stamps its
// reads (UiSession keeps a generation per view) and the task drops a stale result.

#include "app/MainQueue.h"
#include "ledger/Result.h"
#include "store/TerminalStore.h"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace backfill::app {

// openWorkerStore opens the terminal's database once more for a worker thread (an existing
// file only: db_* codes, no_database); UiReader and UiSyncWorker each hold their own.
ledger::Result<std::unique_ptr<store::TerminalStore>> openWorkerStore(const std::string& dbPath, std::chrono::milliseconds busyTimeout);

class UiReader {
public:
    // Read runs on the worker with its store and returns the task for the main thread.
    using Read = std::function<std::function<void()>(store::TerminalStore&)>;

    // start opens the database again for the worker (db_* codes, no_database) and starts it.
    static ledger::Result<std::unique_ptr<UiReader>> start(const std::string& dbPath, std::chrono::milliseconds busyTimeout,
                                                           MainQueue& queue);
    // The destructor drops the reads still waiting and waits for the one running.
    ~UiReader();
    UiReader(const UiReader&) = delete;
    UiReader& operator=(const UiReader&) = delete;

    // submit queues `read` under `key`, replacing a waiting read of that key.
    void submit(const std::string& key, Read read);
    // reads is how many reads ran to the end (tests, --stats).
    long reads() const;
    // readMs lists each read's time from its submit to its result posted, in milliseconds
    // (--stats `read_ms`; bench/ui: the time a Stock card takes to come): the first
    // kMaxReadTimes reads only, so a terminal left on for a shift does not grow the list.
    std::vector<double> readMs() const;
    static constexpr size_t kMaxReadTimes = 4096;

private:
    UiReader(MainQueue& queue, std::unique_ptr<store::TerminalStore> store);
    void run();

    MainQueue& m_queue;
    std::unique_ptr<store::TerminalStore> m_store; // the worker's only
    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    struct Waiting {
        std::string key;
        Read read;
        std::chrono::steady_clock::time_point submitted;
    };
    std::deque<Waiting> m_waiting;
    long m_reads = 0;
    std::vector<double> m_readMs;
    bool m_stop = false;
    std::thread m_thread;
};

} // namespace backfill::app

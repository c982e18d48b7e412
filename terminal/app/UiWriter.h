#pragma once
// UiWriter runs the touch UI's writes (a receipt, its undo and correction, a move, a pick, a
// short, a count, an approval, a rejection, a correction acknowledged) on a worker thread with
// a connection of its own to the terminal's database (issue 12 item 8: the UI never waits on
// the database; docs/ui.md, Writes off the main thread), and hands each result back to the
// main thread through the MainQueue, whose post wakes the frame loop. Another process holding
// the database's write lock (a CLI import, the sync worker) stalls the worker up to the busy
// timeout, never a frame.
//
//   main thread: submit(write) --> waiting (every write, in submission order)
//   worker:      takes the oldest waiting write, runs write(store) --> a task
//   main thread: MainQueue::drain runs the task (it applies the result to the views)
//
// Strictly in submission order, one at a time (StoreWorker, policy Every): a write is never
// replaced or dropped, so receipts scanned faster than they commit land in scan order. A
// write's result is its commit's: the store returns after the commit is durable, so the task
// that tells the operator "recorded" runs only once it is. The destructor runs every write
// still waiting to its end (quitting waits for them; their results are not shown).

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

class UiWriter {
public:
    // Write runs on the worker with its store and returns the task for the main thread.
    using Write = StoreWorker::Job;

    // start opens the database again for the worker (db_* codes, no_database) and starts it.
    static ledger::Result<std::unique_ptr<UiWriter>> start(const std::string& dbPath, std::chrono::milliseconds busyTimeout,
                                                           MainQueue& queue);
    // The destructor runs the writes still waiting, then stops the worker.
    ~UiWriter() = default;
    UiWriter(const UiWriter&) = delete;
    UiWriter& operator=(const UiWriter&) = delete;

    // submit queues `write` behind every write submitted before it.
    void submit(Write write) { m_worker.submit("", std::move(write)); }
    // writes is how many writes ran to the end (tests, --stats).
    long writes() const { return m_worker.done(); }
    // writeMs lists each write's time from its submit to its result posted, in milliseconds
    // (--stats `write_ms`): the first kMaxWriteTimes writes only.
    std::vector<double> writeMs() const { return m_worker.doneMs(); }
    static constexpr size_t kMaxWriteTimes = StoreWorker::kMaxTimes;

private:
    UiWriter(MainQueue& queue, std::unique_ptr<store::TerminalStore> store) : m_worker(queue, std::move(store), StoreWorker::Policy::Every) {}

    StoreWorker m_worker;
};

} // namespace backfill::app

#pragma once
// StoreWorker is the machinery UiReader and UiWriter share: one worker thread with a
// connection of its own to the terminal's database, running submitted jobs one at a time in
// submission order, each job handing a task back to the main thread through the MainQueue
// (whose post wakes the frame loop). What differs is the queue's policy:
//
//   LatestPerKey (UiReader): a job submitted under a key that still waits replaces the one
//                waiting (it keeps its place); the destructor drops the jobs still waiting.
//   Every        (UiWriter): every job runs, none is replaced or dropped; the destructor runs
//                the jobs still waiting to their end before it returns.
//
//   main thread: submit(key, job) --> waiting (per the policy)
//   worker:      takes the oldest waiting job, runs job(store) --> a task (or none)
//   main thread: MainQueue::drain runs the task

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
#include <vector>

namespace backfill::app {

// openWorkerStore opens the terminal's database once more for a worker thread (an existing
// file only: db_* codes, no_database); UiReader, UiWriter and UiSyncWorker each hold their own.
ledger::Result<std::unique_ptr<store::TerminalStore>> openWorkerStore(const std::string& dbPath, std::chrono::milliseconds busyTimeout);

class StoreWorker {
public:
    // Job runs on the worker with its store and returns the task for the main thread (empty:
    // nothing to post).
    using Job = std::function<std::function<void()>(store::TerminalStore&)>;
    enum class Policy { LatestPerKey, Every };

    // The worker starts at once on `store` (its only user from then on).
    StoreWorker(MainQueue& queue, std::unique_ptr<store::TerminalStore> store, Policy policy);
    // The destructor drops (LatestPerKey) or runs (Every) the jobs still waiting, and waits for
    // the one running.
    ~StoreWorker();
    StoreWorker(const StoreWorker&) = delete;
    StoreWorker& operator=(const StoreWorker&) = delete;

    // submit queues `job` under `key` (any thread; the key matters to LatestPerKey only).
    void submit(const std::string& key, Job job);
    // done is how many jobs ran to the end.
    long done() const;
    // doneMs lists each job's time from its submit to its task posted, in milliseconds: the
    // first kMaxTimes jobs only, so a terminal left on for a shift does not grow the list.
    std::vector<double> doneMs() const;
    static constexpr size_t kMaxTimes = 4096;

private:
    void run();

    MainQueue& m_queue;
    std::unique_ptr<store::TerminalStore> m_store; // the worker's only
    const Policy m_policy;
    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    struct Waiting {
        std::string key;
        Job job;
        std::chrono::steady_clock::time_point submitted;
    };
    std::deque<Waiting> m_waiting;
    long m_done = 0;
    std::vector<double> m_doneMs;
    bool m_stop = false;
    std::thread m_thread; // last: starts once every member above is made
};

} // namespace backfill::app

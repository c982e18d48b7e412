#include "app/StoreWorker.h"

#include <algorithm>

namespace backfill::app {

ledger::Result<std::unique_ptr<store::TerminalStore>> openWorkerStore(const std::string& dbPath, std::chrono::milliseconds busyTimeout)
{
    store::StoreOpenOptions open;
    open.create = false;
    open.busyTimeout = busyTimeout;
    return store::TerminalStore::open(dbPath, open);
}

StoreWorker::StoreWorker(MainQueue& queue, std::unique_ptr<store::TerminalStore> store, Policy policy)
    : m_queue(queue), m_store(std::move(store)), m_policy(policy)
{
    m_thread = std::thread([this] { run(); });
}

StoreWorker::~StoreWorker()
{
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
        if (m_policy == Policy::LatestPerKey) m_waiting.clear();
    }
    m_wake.notify_all();
    m_thread.join();
}

void StoreWorker::submit(const std::string& key, Job job)
{
    {
        std::lock_guard lock(m_mutex);
        auto same = m_policy == Policy::LatestPerKey
                        ? std::find_if(m_waiting.begin(), m_waiting.end(), [&](const Waiting& w) { return w.key == key; })
                        : m_waiting.end();
        if (same != m_waiting.end()) same->job = std::move(job); // keeps its place and its submit time
        else m_waiting.push_back({key, std::move(job), std::chrono::steady_clock::now()});
    }
    m_wake.notify_all();
}

long StoreWorker::done() const
{
    std::lock_guard lock(m_mutex);
    return m_done;
}

std::vector<double> StoreWorker::doneMs() const
{
    std::lock_guard lock(m_mutex);
    return m_doneMs;
}

void StoreWorker::run()
{
    for (;;) {
        Waiting next;
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [&] { return m_stop || !m_waiting.empty(); });
            // Every: a stop still runs what waits (a write the operator was shown is recorded).
            if (m_waiting.empty()) return;
            if (m_stop && m_policy == Policy::LatestPerKey) return;
            next = std::move(m_waiting.front());
            m_waiting.pop_front();
        }
        auto task = next.job(*m_store);
        {
            std::lock_guard lock(m_mutex);
            ++m_done;
            if (m_doneMs.size() < kMaxTimes)
                m_doneMs.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - next.submitted).count());
        }
        if (task) m_queue.post(std::move(task));
        // The result is handed over: a checkpoint due runs now, between two writes, not
        // inside the next one's commit (store/Checkpointer.h). A reader never has one due.
        m_store->checkpointIfDue();
    }
}

} // namespace backfill::app

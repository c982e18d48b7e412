#include "app/UiReader.h"

#include <algorithm>

namespace backfill::app {

ledger::Result<std::unique_ptr<store::TerminalStore>> openWorkerStore(const std::string& dbPath, std::chrono::milliseconds busyTimeout)
{
    store::StoreOpenOptions open;
    open.create = false;
    open.busyTimeout = busyTimeout;
    return store::TerminalStore::open(dbPath, open);
}

ledger::Result<std::unique_ptr<UiReader>> UiReader::start(const std::string& dbPath, std::chrono::milliseconds busyTimeout, MainQueue& queue)
{
    auto store = openWorkerStore(dbPath, busyTimeout);
    if (!store) return ledger::unexpected(store.error());
    return std::unique_ptr<UiReader>(new UiReader(queue, std::move(*store)));
}

UiReader::UiReader(MainQueue& queue, std::unique_ptr<store::TerminalStore> store) : m_queue(queue), m_store(std::move(store))
{
    m_thread = std::thread([this] { run(); });
}

UiReader::~UiReader()
{
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
        m_waiting.clear();
    }
    m_wake.notify_all();
    m_thread.join();
}

void UiReader::submit(const std::string& key, Read read)
{
    {
        std::lock_guard lock(m_mutex);
        auto same = std::find_if(m_waiting.begin(), m_waiting.end(), [&](const Waiting& w) { return w.key == key; });
        if (same != m_waiting.end()) same->read = std::move(read); // keeps its place and its submit time
        else m_waiting.push_back({key, std::move(read), std::chrono::steady_clock::now()});
    }
    m_wake.notify_all();
}

long UiReader::reads() const
{
    std::lock_guard lock(m_mutex);
    return m_reads;
}

std::vector<double> UiReader::readMs() const
{
    std::lock_guard lock(m_mutex);
    return m_readMs;
}

void UiReader::run()
{
    for (;;) {
        Waiting next;
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [&] { return m_stop || !m_waiting.empty(); });
            if (m_stop) return;
            next = std::move(m_waiting.front());
            m_waiting.pop_front();
        }
        auto task = next.read(*m_store);
        {
            std::lock_guard lock(m_mutex);
            ++m_reads;
            if (m_readMs.size() < kMaxReadTimes)
                m_readMs.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - next.submitted).count());
        }
        if (task) m_queue.post(std::move(task));
    }
}

} // namespace backfill::app

#include "app/MainQueue.h"

namespace backfill::app {

void MainQueue::post(std::function<void()> task)
{
    {
        std::lock_guard lock(m_mutex);
        m_tasks.push_back(std::move(task));
    }
    m_posted.notify_all();
    if (m_wake) m_wake();
}

size_t MainQueue::drain()
{
    std::vector<std::function<void()>> tasks;
    {
        std::lock_guard lock(m_mutex);
        tasks.swap(m_tasks);
    }
    for (auto& t : tasks) t();
    return tasks.size();
}

bool MainQueue::waitPosted(std::chrono::milliseconds most)
{
    std::unique_lock lock(m_mutex);
    return m_posted.wait_for(lock, most, [&] { return !m_tasks.empty(); });
}

} // namespace backfill::app

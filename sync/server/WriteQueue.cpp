#include "server/WriteQueue.h"

#include <optional>
#include <unordered_set>
#include <vector>

namespace backfill::server {

struct WriteQueue::Job {
    const Step* step = nullptr;
    std::string_view owner;
    bool done = false;
    std::optional<ledger::Error> error;
    std::condition_variable finished;
};

WriteQueue::WriteQueue(std::unique_ptr<ServerStore> writer) : m_store(std::move(writer)), m_thread([this] { loop(); }) {}

WriteQueue::~WriteQueue()
{
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    m_thread.join();
}

Result<void> WriteQueue::run(const Step& step, std::string_view owner)
{
    Job job;
    job.step = &step;
    job.owner = owner;
    std::unique_lock lock(m_mutex);
    if (m_stopping) return ledger::fail("stopping", "the server is stopping: send the request again");
    m_waiting.push_back(&job);
    m_wake.notify_all();
    job.finished.wait(lock, [&] { return job.done; });
    if (job.error) return ledger::unexpected(*job.error);
    return {};
}

uint64_t WriteQueue::rounds() const
{
    std::lock_guard lock(m_mutex);
    return m_rounds;
}

size_t WriteQueue::waiting() const
{
    std::lock_guard lock(m_mutex);
    return m_waiting.size();
}

uint64_t WriteQueue::steps() const
{
    std::lock_guard lock(m_mutex);
    return m_steps;
}

void WriteQueue::loop()
{
    std::unique_lock lock(m_mutex);
    for (;;) {
        m_wake.wait(lock, [&] { return m_stopping || !m_waiting.empty(); });
        if (m_waiting.empty()) return; // stopping, nothing waits
        if (m_stopping) {
            for (Job* j : m_waiting) {
                j->error = ledger::Error{"stopping", "the server is stopping: send the request again"};
                j->done = true;
                j->finished.notify_all();
            }
            m_waiting.clear();
            return;
        }
        // Everyone waiting now goes into this round but a second step of the same owner, which
        // waits for the next round in its place; requests arriving meanwhile wait for the next
        // one too (they are what the next commit groups).
        std::vector<Job*> round;
        std::deque<Job*> held;
        std::unordered_set<std::string_view> owners;
        for (Job* j : m_waiting) {
            if (!j->owner.empty() && !owners.insert(j->owner).second) held.push_back(j);
            else round.push_back(j);
        }
        m_waiting = std::move(held);
        lock.unlock();

        std::vector<bool> more(round.size(), false);
        auto committed = m_store->transact("applying requests", [&]() -> Result<void> {
            for (size_t i = 0; i < round.size(); ++i) {
                auto r = (*round[i]->step)(*m_store);
                if (!r) return ledger::unexpected(r.error());
                more[i] = *r;
            }
            return {};
        });

        lock.lock();
        ++m_rounds;
        m_steps += round.size();
        // Requests with more go first next round, in their order, ahead of newcomers.
        std::deque<Job*> again;
        for (size_t i = 0; i < round.size(); ++i) {
            Job* j = round[i];
            if (committed && more[i]) {
                again.push_back(j);
                continue;
            }
            if (!committed) j->error = committed.error();
            j->done = true;
            j->finished.notify_all();
        }
        m_waiting.insert(m_waiting.begin(), again.begin(), again.end());
        // The round's requests are answered: a checkpoint due runs now, between two rounds,
        // instead of inside a later commit (store/Checkpointer.h).
        lock.unlock();
        m_store->checkpointIfDue();
        lock.lock();
    }
}

} // namespace backfill::server

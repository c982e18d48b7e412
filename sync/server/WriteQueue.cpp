#include "server/WriteQueue.h"

#include <optional>
#include <unordered_map>
#include <vector>

namespace backfill::server {

struct WriteQueue::Job {
    const Step* step = nullptr;
    Turn turn;
    const std::function<void()>* committed = nullptr;
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
    m_committed.stop();
    m_thread.join();
}

Result<void> WriteQueue::run(const Step& step, Turn turn, const std::function<void()>& committed)
{
    Job job;
    job.step = &step;
    job.turn = turn;
    if (committed) job.committed = &committed;
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
        std::unordered_map<std::string_view, const Job*> first; // each owner's step of the round
        for (const Job* j : m_waiting) {
            if (j->turn.owner.empty()) continue;
            const auto [it, fresh] = first.try_emplace(j->turn.owner, j);
            if (!fresh && j->turn.order < it->second->turn.order) it->second = j;
        }
        std::vector<Job*> round;
        std::deque<Job*> held;
        for (Job* j : m_waiting) {
            if (j->turn.owner.empty() || first[j->turn.owner] == j) round.push_back(j);
            else held.push_back(j);
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

        if (committed)
            for (const Job* j : round)
                if (j->committed) (*j->committed)();
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

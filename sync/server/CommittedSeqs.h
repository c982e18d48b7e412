#pragma once
// CommittedSeqs: the last device_seq each device's pushes committed through one serving
// writer (server/WriteQueue.h), for a push that reached the writer before the push sent ahead
// of it (docs/server.md, Pushes in flight). Such a push waits here until its predecessor's
// last op is committed, then tries again: once, not after every round of the writer (the
// other pushes of the device that also came early would wake each other for nothing).
//
// A device's seqs start again at each epoch: the epoch is part of the key. One entry per
// device and epoch that pushed through this server since it started.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>

namespace backfill::server {

class CommittedSeqs {
public:
    // committed says `device`'s ops up to `seq` of `epoch` are committed.
    void committed(const std::string& device, int64_t epoch, int64_t seq)
    {
        {
            std::lock_guard lock(m_mutex);
            int64_t& last = m_last[{device, epoch}];
            if (seq <= last) return;
            last = seq;
        }
        m_changed.notify_all();
    }

    // waitFor blocks until `device`'s ops up to `seq` of `epoch` are committed, `until` has
    // passed or stop() was called; says whether they are.
    bool waitFor(const std::string& device, int64_t epoch, int64_t seq, std::chrono::steady_clock::time_point until)
    {
        std::unique_lock lock(m_mutex);
        const auto reached = [&] {
            const auto it = m_last.find({device, epoch});
            return it != m_last.end() && it->second >= seq;
        };
        m_changed.wait_until(lock, until, [&] { return m_stopping || reached(); });
        return reached();
    }

    // stop wakes every waiter for good (the server is stopping).
    void stop()
    {
        {
            std::lock_guard lock(m_mutex);
            m_stopping = true;
        }
        m_changed.notify_all();
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_changed;
    std::map<std::pair<std::string, int64_t>, int64_t> m_last;
    bool m_stopping = false;
};

} // namespace backfill::server

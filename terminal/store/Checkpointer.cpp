#include "store/Checkpointer.h"

#include <sqlite3.h>

#include <utility>

namespace backfill::store {

Checkpointer::Checkpointer(std::string path) : m_path(std::move(path))
{
    m_thread = std::thread([this] { run(); });
}

Checkpointer::~Checkpointer()
{
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_cv.notify_one();
    m_thread.join();
}

void Checkpointer::committing()
{
    // No wake-up: a thread waiting for a gap finds the flag when its wait ends.
    std::lock_guard lock(m_mutex);
    m_inFlight = true;
    m_inFlightSince = std::chrono::steady_clock::now();
}

void Checkpointer::committed(int frames)
{
    {
        std::lock_guard lock(m_mutex);
        if (frames < m_walFrames) m_copied = 0; // the WAL restarted from its beginning
        m_walFrames = frames;
        m_lastCommit = std::chrono::steady_clock::now();
        m_inFlight = false;
        // The thread starts nothing while the writer has taken over.
        if (m_writerTurn) return;
        const int waiting = uncopied();
        // Wake the thread only when its wait may be over: a request it does not have yet.
        // While it waits for a gap it wakes by itself when the gap would have ended and finds
        // the later commit time; a wake-up per commit cost the committing thread a futex call
        // and a context switch on every scan of a back-to-back run.
        bool wake = false;
        if (waiting >= kIdleFrames) wake = !std::exchange(m_wanted, true);
        if (!wake) return;
    }
    m_cv.notify_one();
}

int Checkpointer::uncopied() const
{
    // A count from before a restart (the thread's, read after the writer restarted) is stale.
    return m_copied <= m_walFrames ? m_walFrames - m_copied : m_walFrames;
}

bool Checkpointer::writerTakesOver()
{
    std::lock_guard lock(m_mutex);
    m_writerTurn = true;
    return !m_running;
}

int Checkpointer::sinceLast(int ckpt)
{
    // pnCkpt counts the frames of the current WAL that are in the database file; it starts
    // again from 0 after the WAL restarted.
    const int copied = ckpt >= m_lastCkpt ? ckpt - m_lastCkpt : ckpt;
    m_lastCkpt = ckpt;
    return copied;
}

void Checkpointer::writerDone(int log, int ckpt)
{
    std::lock_guard lock(m_mutex);
    m_writerFrames += sinceLast(ckpt);
    m_copied = ckpt;
    if (ckpt == log) m_writerTurn = false;
}

int Checkpointer::checkpoints() const
{
    std::lock_guard lock(m_mutex);
    return m_done;
}

int64_t Checkpointer::framesCheckpointed() const
{
    std::lock_guard lock(m_mutex);
    return m_frames;
}

int64_t Checkpointer::writerFrames() const
{
    std::lock_guard lock(m_mutex);
    return m_writerFrames;
}

int64_t Checkpointer::calls() const
{
    std::lock_guard lock(m_mutex);
    return m_calls;
}


void Checkpointer::run()
{
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(m_path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
        // Without a connection the writer's inline checkpoints still bound the WAL.
        sqlite3_close(db);
        db = nullptr;
    } else {
        // Read once, so this connection opens the WAL (see the header): until then its
        // checkpoints return SQLITE_OK having copied nothing.
        (void)sqlite3_exec(db, "SELECT 1 FROM sqlite_schema LIMIT 1", nullptr, nullptr, nullptr);
    }
    std::unique_lock lock(m_mutex);
    while (true) {
        m_cv.wait(lock, [this] { return m_wanted || m_stop; });
        // Wait for a gap between commits (see the header): each commit moves its end on.
        while (!m_stop) {
            const auto now = std::chrono::steady_clock::now();
            if (m_inFlight && now < m_inFlightSince + kInFlightLimit) {
                // A commit is writing: look again a gap's length later.
                m_cv.wait_until(lock, now + kIdleGap);
                continue;
            }
            const auto gapEnds = m_lastCommit + kIdleGap;
            if (now >= gapEnds) break;
            m_cv.wait_until(lock, gapEnds);
        }
        if (m_stop) break;
        m_wanted = false;
        // While the writer checkpoints (writerTakesOver), the thread leaves the WAL to it.
        if (db && !m_writerTurn) {
            m_running = true;
            ++m_calls;
            lock.unlock();
            // PASSIVE: copies what no reader still needs, never waits for or blocks the writer.
            int log = -1;
            int ckpt = -1;
            const int rc = sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &ckpt);
            lock.lock();
            m_running = false;
            if (rc != SQLITE_OK || ckpt < 0) continue;
            const int copied = sinceLast(ckpt);
            m_copied = ckpt <= m_walFrames ? ckpt : 0; // else the WAL restarted meanwhile
            if (copied > 0) {
                ++m_done;
                m_frames += copied;
            }
            // One checkpoint per gap: frames committed while it ran ask for the next one. One
            // that copied nothing (a reader still on an old snapshot holds every later frame)
            // is not tried again until a commit asks: going on at once only spun.
        }
    }
    lock.unlock();
    sqlite3_close(db);
}

} // namespace backfill::store

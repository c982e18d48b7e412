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
        if (frames >= kWakeFrames && waiting >= kRepeatFrames) wake = !std::exchange(m_urgent, true);
        if (waiting >= kIdleFrames) wake = !std::exchange(m_wanted, true) || wake;
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

void Checkpointer::writerDone(int log, int ckpt)
{
    std::lock_guard lock(m_mutex);
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
    // pnCkpt counts the frames of the current WAL that are in the database file; it starts
    // again from 0 after the writer restarts the WAL.
    int lastCkpt = 0;
    std::unique_lock lock(m_mutex);
    while (true) {
        m_cv.wait(lock, [this] { return m_wanted || m_urgent || m_stop; });
        // Unless the WAL is past kWakeFrames with kRepeatFrames uncopied (urgent), wait for a
        // gap between commits (see the header): each commit moves the end of the gap on.
        while (!m_stop && !m_urgent) {
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
        m_urgent = false;
        // Past the inline limit the writer finishes the WAL itself (see writerTakesOver).
        while (db && !m_stop && !m_writerTurn) {
            m_running = true;
            ++m_calls;
            lock.unlock();
            // PASSIVE: copies what no reader still needs, never waits for or blocks the writer.
            int log = -1;
            int ckpt = -1;
            const int rc = sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &ckpt);
            lock.lock();
            m_running = false;
            if (rc != SQLITE_OK || ckpt < 0) break;
            const int copied = ckpt >= lastCkpt ? ckpt - lastCkpt : ckpt;
            lastCkpt = ckpt;
            m_copied = ckpt <= m_walFrames ? ckpt : 0; // else the WAL restarted meanwhile
            if (copied > 0) {
                ++m_done;
                m_frames += copied;
            }
            // Nothing copied: a reader still on an old snapshot holds every frame after it.
            // Going again at once would only spin (back-to-back checkpoints, a core busy, for
            // as long as the reader keeps its snapshot); the next commit asks again.
            if (copied <= 0) break;
            // Frames committed while this one ran: go again at once only when kRepeatFrames
            // of them wait (past kWakeFrames), so that each fsync of the database file is
            // worth it. Going again after every commit (the WAL's size, not what is left to
            // copy, used to decide) meant two fsyncs per two or three scans beside the scans'
            // own: 8,400 checkpoints in a run of 20,000 scans.
            if (m_walFrames < kWakeFrames || uncopied() < kRepeatFrames) break;
        }
    }
    lock.unlock();
    sqlite3_close(db);
}

} // namespace backfill::store

#include "store/Checkpointer.h"

#include <sqlite3.h>

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

void Checkpointer::committed(int frames)
{
    {
        std::lock_guard lock(m_mutex);
        m_walFrames = frames;
        m_lastCommit = std::chrono::steady_clock::now();
        if (frames < kIdleFrames) return;
        m_wanted = true;
    }
    m_cv.notify_one();
}

bool Checkpointer::writerTakesOver()
{
    std::lock_guard lock(m_mutex);
    m_writerTurn = true;
    return !m_running;
}

void Checkpointer::writerDone(bool complete)
{
    std::lock_guard lock(m_mutex);
    if (complete) m_writerTurn = false;
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
        m_cv.wait(lock, [this] { return m_wanted || m_stop; });
        // Below kWakeFrames, wait for a gap between commits (see the header): each commit
        // moves the end of the gap on.
        while (!m_stop && m_walFrames < kWakeFrames) {
            const auto gapEnds = m_lastCommit + kIdleGap;
            if (std::chrono::steady_clock::now() >= gapEnds) break;
            m_cv.wait_until(lock, gapEnds);
        }
        if (m_stop) break;
        m_wanted = false;
        // Past the inline limit the writer finishes the WAL itself (see writerTakesOver).
        while (db && !m_stop && !m_writerTurn) {
            m_running = true;
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
            if (copied > 0) {
                ++m_done;
                m_frames += copied;
            }
            // Frames committed while this one ran: go again while there are enough of them to
            // be worth an fsync of the database file, so the WAL is nearly copied whenever the
            // writer pauses (and can then restart from its beginning).
            if (log - ckpt < kRepeatFrames) break;
        }
    }
    lock.unlock();
    sqlite3_close(db);
}

} // namespace backfill::store

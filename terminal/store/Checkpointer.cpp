#include "store/Checkpointer.h"

#include <sqlite3.h>

namespace backfill::store {

Checkpointer::Checkpointer(std::string path, const char* vfs) : m_path(std::move(path)), m_vfs(vfs)
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

void Checkpointer::wake()
{
    {
        std::lock_guard lock(m_mutex);
        m_wanted = true;
    }
    m_cv.notify_one();
}

int Checkpointer::checkpoints() const
{
    std::lock_guard lock(m_mutex);
    return m_done;
}

void Checkpointer::run()
{
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(m_path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, m_vfs) != SQLITE_OK) {
        // Without a connection the writer's inline checkpoints still bound the WAL.
        sqlite3_close(db);
        db = nullptr;
    }
    std::unique_lock lock(m_mutex);
    while (true) {
        m_cv.wait(lock, [this] { return m_wanted || m_stop; });
        if (m_stop) break;
        m_wanted = false;
        lock.unlock();
        // PASSIVE: copies what no reader still needs, never waits for or blocks the writer.
        const int rc = db ? sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr) : SQLITE_ERROR;
        lock.lock();
        if (rc == SQLITE_OK) ++m_done;
    }
    lock.unlock();
    sqlite3_close(db);
}

} // namespace backfill::store

#pragma once
// Checkpointer copies committed WAL frames into the database file on a thread of its own, so
// a scan's commit never waits for a checkpoint.
//
// SQLite's automatic checkpoint runs inside the COMMIT that crosses 1000 WAL frames: that
// scan waited for ~1000 random page writes and an fsync of the database file (tens of ms on
// a handheld's flash) before its decision could be shown. Here the connection's WAL hook only
// wakes this thread, which runs PASSIVE checkpoints on its own connection while the operator
// goes on scanning. The writer still checkpoints inline past a hard limit, and then only the
// few frames the thread has not copied yet: that bounds the WAL when the thread falls behind
// and lets the next write restart the WAL from its beginning.

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

struct sqlite3;

namespace backfill::store {

class Checkpointer {
public:
    // The thread wakes when the WAL holds this many frames (SQLite's own default threshold).
    static constexpr int kWakeFrames = 1000;
    // The writer checkpoints inline past this many frames.
    static constexpr int kInlineFrames = 4000;

    // Checkpointer starts the thread, which opens its own connection to `path` through `vfs`.
    Checkpointer(std::string path, const char* vfs);
    ~Checkpointer(); // finishes a running checkpoint, then stops
    Checkpointer(const Checkpointer&) = delete;
    Checkpointer& operator=(const Checkpointer&) = delete;

    // wake asks for a checkpoint; calls while one is pending are merged.
    void wake();
    // checkpoints is how many checkpoints the thread has completed (for tests).
    int checkpoints() const;

private:
    void run();

    std::string m_path;
    const char* m_vfs;
    mutable std::mutex m_mutex;
    std::condition_variable m_cv;
    bool m_wanted = false;
    bool m_stop = false;
    int m_done = 0;
    std::thread m_thread;
};

} // namespace backfill::store

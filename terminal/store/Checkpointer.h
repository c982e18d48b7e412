#pragma once
// Checkpointer copies committed WAL frames into the database file on a thread of its own, so
// a scan's commit never waits for a checkpoint.
//
// SQLite's automatic checkpoint runs inside the COMMIT that crosses 1000 WAL frames: that
// scan waited for ~1000 random page writes and an fsync of the database file (tens of ms on
// a handheld's flash) before its decision could be shown. Here the connection's WAL hook only
// wakes this thread, which runs PASSIVE checkpoints on its own connection while the operator
// goes on scanning, and goes again at once while frames keep arriving.
//
// A WAL restarts from its beginning (and stops growing) only when a writer begins a
// transaction while every frame is copied. Under a sustained burst the thread never quite
// catches up, so past kInlineFrames the writer takes over: the thread starts no new
// checkpoint, and the writer, right after its commit and when the thread is not running,
// copies the frames the thread has not (a few hundred at most: the thread repeats while
// kRepeatFrames or more are waiting) so its next transaction restarts the WAL. That bounds
// the WAL at about kInlineFrames + the frames of one thread checkpoint.
//
// Pacing: a checkpoint writes a few hundred random pages and fsyncs the database file, and a
// commit that overlaps it waits behind those writes on the one disk. So below kWakeFrames the
// thread checkpoints only in a gap between commits: once the WAL holds kIdleFrames it waits
// until no commit has come for kIdleGap, then copies what is there (a few dozen scans' pages:
// milliseconds, inside the gap a person leaves between two scans). Under back-to-back commits
// no gap comes, and at kWakeFrames it goes at once as before. Short sessions (fewer than
// kIdleFrames frames) never start the thread; the checkpoint at close copies their frames.
//
// The thread's connection reads the database once right after opening: a connection that has
// never read does not know the file is in WAL mode, and its checkpoint silently does nothing
// (SQLite 3.40 returns SQLITE_OK with log = ckpt = -1). framesCheckpointed() counts the
// frames actually copied (pnCkpt), which is what the tests check.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

struct sqlite3;

namespace backfill::store {

class Checkpointer {
public:
    // The thread checkpoints in the next gap between commits once the WAL holds this many
    // frames (~40 receipts of one scan each)...
    static constexpr int kIdleFrames = 256;
    // ...a gap being this long without a commit (a wedge scanner's fastest pace leaves ~50 ms).
    static constexpr std::chrono::milliseconds kIdleGap{5};
    // The thread checkpoints at once, gap or not, when the WAL holds this many frames
    // (SQLite's own default threshold).
    static constexpr int kWakeFrames = 1000;
    // The writer checkpoints inline past this many frames.
    static constexpr int kInlineFrames = 2000;
    // The thread checkpoints again at once while this many frames wait.
    static constexpr int kRepeatFrames = 64;

    // Checkpointer starts the thread, which opens its own connection to `path`.
    explicit Checkpointer(std::string path);
    ~Checkpointer(); // finishes a running checkpoint, then stops
    Checkpointer(const Checkpointer&) = delete;
    Checkpointer& operator=(const Checkpointer&) = delete;

    // committed records a commit that left `frames` frames in the WAL (the WAL hook's
    // count): from kIdleFrames on it asks for a checkpoint in the next gap, from kWakeFrames
    // on for one at once. Calls while one is pending are merged.
    void committed(int frames);
    // writerTakesOver: the WAL passed kInlineFrames. The thread starts no new checkpoint
    // until writerDone(complete = true); returns whether the writer may checkpoint now (the
    // thread is not in the middle of one).
    bool writerTakesOver();
    // writerDone records the writer's inline checkpoint: `complete` when every frame is in
    // the database file (the WAL restarts at the next transaction) and the thread may go on.
    void writerDone(bool complete);
    // checkpoints is how many checkpoints copied at least one frame.
    int checkpoints() const;
    // framesCheckpointed is the sum of the frames the checkpoints copied (pnCkpt deltas; a
    // lower bound when the WAL restarted and grew past the last count between two of them).
    int64_t framesCheckpointed() const;

private:
    void run();

    std::string m_path;
    mutable std::mutex m_mutex;
    std::condition_variable m_cv;
    bool m_wanted = false;
    bool m_stop = false;
    bool m_running = false;
    bool m_writerTurn = false;
    int m_walFrames = 0;                                  // after the last commit
    std::chrono::steady_clock::time_point m_lastCommit{};
    int m_done = 0;
    int64_t m_frames = 0;
    std::thread m_thread;
};

} // namespace backfill::store

#pragma once
// Checkpointer copies committed WAL frames into the database file on a thread of its own in
// the pauses between commits, and tells the writer when to do it itself between two of its
// transactions: a scan's commit never waits for a checkpoint.
//
// SQLite's automatic checkpoint runs inside the COMMIT that crosses 1000 WAL frames: that
// scan waited for ~1000 random page writes and an fsync of the database file (tens of ms on
// a handheld's flash) before its decision could be shown. Here the connection's WAL hook only
// wakes this thread, which runs PASSIVE checkpoints on its own connection while the operator
// goes on scanning.
//
// A WAL restarts from its beginning (and stops growing) only when a writer begins a
// transaction while every frame is copied: the last frames must be copied and the database
// file synced while no commit comes. Under back-to-back commits no gap comes, so the writer
// does it itself, between two of its transactions, once its result is out: past kWriterFrames
// the WAL hook marks a checkpoint due, and the writer's Database::checkpointIfDue() (called
// after a scan's line is printed, after the UI's result is handed over, after a server round's
// replies) copies every frame; its next transaction restarts the WAL. No commit waits for it
// (the stall is between two transactions, not inside one), and no checkpoint runs beside a
// commit: the thread stays out of the way while the writer keeps committing. Before, the
// thread went at once past 1,000 frames whenever 512 waited uncopied, beside the commits (each
// one two fsyncs and a few dozen random page writes on the one disk: 1.9 % of a sustained
// run's commits over 2 x p50), and the writer, inside the commit that passed 2,000 frames,
// copied what the thread had not (~10 ms once every ~305 scans). The WAL is bounded at
// kWriterFrames plus one transaction's frames (bench/README.md, issue 14, 2026-12-07 night).
// A writer that never calls checkpointIfDue (a loop of transactions with no pause of its
// own) is still bounded: past kInlineFrames it checkpoints inside the commit, as SQLite's
// own autocheckpoint would.
// A checkpoint that copies nothing (a reader on an old snapshot holds every later frame)
// ends; the checkpoint stays due and the writer tries again after its next commit.
//
// Pacing: a checkpoint writes a few hundred random pages and fsyncs the database file, and a
// commit that overlaps it waits behind those writes on the one disk. So the thread
// checkpoints only in a gap between commits: once kIdleFrames frames wait uncopied it waits
// until no commit has come for kIdleGap, then copies what is there (a few dozen scans' pages:
// milliseconds, inside the gap a person leaves between two scans). At a person's pace the WAL
// never reaches kWriterFrames. It counts what waits, not the WAL's size: the WAL keeps its
// size until it restarts, and deciding by it sent the thread again after every commit (two
// fsyncs per two or three scans besides the scans' own; bench/README.md, issue 14).
// Short sessions (fewer than kIdleFrames frames) never start the thread; the checkpoint at
// close copies their frames.
// A commit whose WAL write and fsync are under way is not a gap, however long it takes: the
// connection's commit hook reports it (committing()), and the gap is timed from its end.
// Before, a commit slower than kIdleGap (a busy disk: 4 ms fsyncs were measured) looked
// like a gap, and the checkpoint's page writes and fsync landed on that very commit.
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
    // The thread checkpoints in the next gap between commits once this many frames wait
    // uncopied (~40 receipts of one scan each)...
    static constexpr int kIdleFrames = 256;
    // ...a gap being this long without a commit (a wedge scanner's fastest pace leaves ~50 ms).
    static constexpr std::chrono::milliseconds kIdleGap{5};
    // Past this many frames in the WAL (SQLite's own autocheckpoint threshold) a checkpoint is
    // due, and the writer runs it between two of its transactions (checkpointIfDue).
    static constexpr int kWriterFrames = 1000;
    // A writer that has not checkpointed by then does it inside the commit past this many.
    static constexpr int kInlineFrames = 2000;

    // Checkpointer starts the thread, which opens its own connection to `path`.
    explicit Checkpointer(std::string path);
    ~Checkpointer(); // finishes a running checkpoint, then stops
    Checkpointer(const Checkpointer&) = delete;
    Checkpointer& operator=(const Checkpointer&) = delete;

    // committing records that a commit of this connection has started writing and syncing
    // its frames (SQLite's commit hook): until committed() no gap begins (at most
    // kInFlightLimit, in case the commit failed and never reported its end).
    void committing();
    // A commit reported by committing() counts as under way for at most this long.
    static constexpr std::chrono::milliseconds kInFlightLimit{1000};
    // committed records a commit that left `frames` frames in the WAL (the WAL hook's
    // count): with kIdleFrames uncopied it asks for a checkpoint in the next gap. Calls while
    // one is pending are merged, and the thread is woken only when its wait may be over.
    void committed(int frames);
    // writerTakesOver: the writer checkpoints (due, or past kInlineFrames). The thread starts
    // no new checkpoint until writerDone(complete = true); returns whether the writer may
    // checkpoint now (the thread is not in the middle of one).
    bool writerTakesOver();
    // writerDone records the writer's checkpoint (SQLite's pnLog and pnCkpt): when
    // every frame is in the database file (ckpt == log) the WAL restarts at the next
    // transaction and the thread may go on.
    void writerDone(int log, int ckpt);
    // checkpoints is how many checkpoints copied at least one frame.
    int checkpoints() const;
    // framesCheckpointed is the sum of the frames the checkpoints copied (pnCkpt deltas; a
    // lower bound when the WAL restarted and grew past the last count between two of them).
    int64_t framesCheckpointed() const;
    // writerFrames is the sum of the frames the writer's own checkpoints copied.
    int64_t writerFrames() const;
    // calls is how many checkpoints the thread started, copying or not.
    int64_t calls() const;

private:
    void run();
    int uncopied() const;    // frames of the WAL not known to be copied; m_mutex held
    int sinceLast(int ckpt); // frames copied since the last pnCkpt seen; m_mutex held

    std::string m_path;
    mutable std::mutex m_mutex;
    std::condition_variable m_cv;
    bool m_wanted = false;                                // a checkpoint in the next gap
    bool m_stop = false;
    bool m_running = false;
    bool m_writerTurn = false;
    int m_walFrames = 0;                                  // after the last commit
    int m_copied = 0;                                     // of them in the database file
    std::chrono::steady_clock::time_point m_lastCommit{};
    bool m_inFlight = false;                              // committing() and no committed() yet
    std::chrono::steady_clock::time_point m_inFlightSince{};
    int m_done = 0;
    int64_t m_frames = 0;
    int64_t m_writerFrames = 0;
    int m_lastCkpt = 0;                                   // pnCkpt last seen, thread or writer
    int64_t m_calls = 0;
    std::thread m_thread;
};

} // namespace backfill::store

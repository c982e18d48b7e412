// The store's write path on real files: SQLite's own VFS with synchronous=FULL, and
// checkpoints on a background thread (Checkpointer.h). Every commit must be
// visible to another connection (plain SQLite, default VFS) as soon as it returned, the WAL
// must stay bounded under a long run of commits, and the file must be whole afterwards.

#include "store/Checkpointer.h"
#include "store/Database.h"

#include "store/StoreTestSupport.h"

#include <doctest/doctest.h>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

using namespace backfill;
namespace fs = std::filesystem;

namespace {

using backfill::test::PlainDb;
using backfill::test::TempDb;

// openWithTable opens the store's connection on `f` with the test table t(id, v, n).
std::unique_ptr<store::Database> openWithTable(const TempDb& f)
{
    auto db = store::Database::open(f.path.string());
    REQUIRE(db);
    REQUIRE((*db)->exec("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT NOT NULL, n INTEGER NOT NULL DEFAULT 0)"));
    return std::move(*db);
}

// commitRows commits `n` transactions, each inserting one ~1 KB row and updating a random old
// one (two or more pages per commit, like a scan).
void commitRows(store::Database& db, int from, int n)
{
    for (int i = from; i < from + n; ++i) {
        auto tx = store::Transaction::begin(db);
        REQUIRE(tx);
        REQUIRE(db.prepare("INSERT INTO t(id, v) VALUES(?, ?)").bind(1, i).bind(2, std::string(1000, 'a' + i % 26)).run());
        REQUIRE(db.prepare("UPDATE t SET n = n + 1 WHERE id = ?").bind(1, (i * 7919) % (i + 1)).run());
        REQUIRE(tx->commit());
    }
}

} // namespace


TEST_CASE("wal: every commit is visible to a plain connection the moment it returned")
{
    TempDb f("wal", "visible");
    auto db = openWithTable(f);
    PlainDb reader(f.path);
    for (int i = 0; i < 300; ++i) {
        commitRows(*db, i, 1);
        REQUIRE(reader.integer("SELECT COUNT(*) FROM t") == i + 1);
    }
    CHECK(reader.integer("SELECT SUM(n) FROM t") == 300);
}

namespace {

constexpr uintmax_t kFrame = 4096 + 24; // a 4 KiB page and its frame header

// walBytes is the size of a WAL holding `frames` frames.
uintmax_t walBytes(int frames) { return 32 + static_cast<uintmax_t>(frames) * kFrame; }

} // namespace

TEST_CASE("wal: the writer checkpoints between its transactions and the WAL stays bounded")
{
    TempDb f("wal", "bounded");
    // Several times the writer's threshold: the WAL restarts again and again.
    const int commits = 3 * store::Checkpointer::kInlineFrames / 2;
    {
        auto db = openWithTable(f);
        CHECK(db->backgroundCheckpoints() == 0);
        uintmax_t largest = 0;
        for (int i = 0; i < commits; ++i) {
            commitRows(*db, i, 1);
            largest = std::max(largest, fs::file_size(f.path.string() + "-wal"));
            // What the CLI does once a scan's line is printed, the UI's writer once its
            // result is handed over.
            db->checkpointIfDue();
        }
        // Frames really copied (pnCkpt). Back-to-back commits leave the thread no gap, so the
        // writer copies them; on a loaded machine a descheduled loop may leave the thread a
        // gap now and then, and it copies what is there.
        CHECK(db->writerFramesCheckpointed() + db->framesCheckpointed() >= 2 * store::Checkpointer::kWriterFrames);
        // The bound (Checkpointer.h): the writer's threshold plus one transaction's frames (a
        // few here; a commit that came while the thread was in the middle of a checkpoint
        // in a gap defers the writer's to the next one).
        CHECK(largest <= walBytes(store::Checkpointer::kWriterFrames + 64));
        if (db->framesCheckpointed() == 0) {
            CHECK(largest >= walBytes(store::Checkpointer::kWriterFrames));
            CHECK(db->writerFramesCheckpointed() >= 2 * store::Checkpointer::kWriterFrames);
        }
        PlainDb reader(f.path);
        CHECK(reader.integer("SELECT COUNT(*) FROM t") == commits);
    }
    // Closed: the last connection checkpointed and removed the WAL; the file is whole.
    CHECK_FALSE(fs::exists(f.path.string() + "-wal"));
    PlainDb reader(f.path);
    CHECK(reader.one("PRAGMA integrity_check") == "ok");
    CHECK(reader.integer("SELECT COUNT(*) FROM t") == commits);
    CHECK(reader.integer("SELECT SUM(n) FROM t") == commits);
}

TEST_CASE("wal: a writer that never pauses checkpoints inside the commit past the inline limit")
{
    TempDb f("wal", "inline");
    auto db = openWithTable(f);
    const int commits = 3 * store::Checkpointer::kInlineFrames / 2;
    uintmax_t largest = 0;
    for (int i = 0; i < commits; ++i) {
        commitRows(*db, i, 1);
        largest = std::max(largest, fs::file_size(f.path.string() + "-wal"));
    }
    CHECK(largest <= walBytes(store::Checkpointer::kInlineFrames + 64));
    CHECK(db->writerFramesCheckpointed() + db->framesCheckpointed() >= store::Checkpointer::kInlineFrames);
    // Unless a descheduled loop left the thread a gap (a loaded machine), the writer copied
    // every frame, each time the WAL passed the inline limit.
    if (db->framesCheckpointed() == 0) {
        CHECK(largest >= walBytes(store::Checkpointer::kInlineFrames));
        CHECK(db->writerFramesCheckpointed() >= store::Checkpointer::kInlineFrames);
    }
    PlainDb reader(f.path);
    CHECK(reader.integer("SELECT COUNT(*) FROM t") == commits);
}

TEST_CASE("wal: the thread copies frames in a pause between commits")
{
    TempDb f("wal", "gap");
    auto db = openWithTable(f);
    int rows = 0;
    while (db->walFrames() < store::Checkpointer::kIdleFrames + 50) commitRows(*db, rows++, 1);
    // A person's pause between two scans: the thread's turn, not the writer's.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (db->framesCheckpointed() < store::Checkpointer::kIdleFrames && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    CHECK(db->framesCheckpointed() >= store::Checkpointer::kIdleFrames);
    CHECK(db->backgroundCheckpoints() >= 1);
    CHECK(db->writerFramesCheckpointed() == 0);
    // Everything is copied: the next transaction restarts the WAL. (Waited for by commits a
    // pause apart: on a loaded machine the thread may also have copied in a gap of the loop
    // above, so the count may pass kIdleFrames before the last checkpoint is done.)
    bool restarted = false;
    while (!restarted && std::chrono::steady_clock::now() < deadline) {
        commitRows(*db, rows++, 1);
        restarted = db->walFrames() < 16;
        if (!restarted) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    CHECK(restarted);
    CHECK(db->writerFramesCheckpointed() == 0);
}

TEST_CASE("wal: large commits go out in pieces and come back whole")
{
    // 1 MB and 6 MB of frames in one transaction: past the unix VFS's 128 KiB write limit
    // and past the 4 MB gathering buffer, so both the chunked flush and a flush in the middle
    // of a commit run.
    TempDb f("wal", "large");
    auto db = openWithTable(f);
    PlainDb reader(f.path);
    int next = 0;
    for (const int rows : {1000, 6000}) {
        auto tx = store::Transaction::begin(*db);
        REQUIRE(tx);
        for (int i = 0; i < rows; ++i, ++next)
            REQUIRE(db->prepare("INSERT INTO t(id, v) VALUES(?, ?)").bind(1, next).bind(2, std::string(1000, 'a' + next % 26)).run());
        REQUIRE(tx->commit());
        CHECK(reader.integer("SELECT COUNT(*) FROM t") == next);
        CHECK(reader.integer("SELECT SUM(length(v)) FROM t") == 1000LL * next);
    }
    CHECK(reader.one("PRAGMA integrity_check") == "ok");
}

TEST_CASE("wal: a short session never starts the checkpoint thread")
{
    TempDb f("wal", "short");
    auto db = openWithTable(f);
    commitRows(*db, 0, 50);
    CHECK(db->backgroundCheckpoints() == 0);
    PlainDb reader(f.path);
    CHECK(reader.integer("SELECT COUNT(*) FROM t") == 50);
}

TEST_CASE("wal: a reader holding an old snapshot stops checkpoints short, and neither side spins")
{
    // A reader still on an old snapshot lets no checkpoint copy past it (a long report, the
    // UI's reader thread, beside a burst of scans). The thread used to go again at once while
    // frames waited uncopied, and ran PASSIVE checkpoints back to back, a core busy, for as
    // long as the reader kept its snapshot: now it checkpoints once per request, and the
    // writer's checkpoint stays due and is tried once per transaction.
    TempDb f("wal", "pinned");
    auto db = openWithTable(f);
    PlainDb reader(f.path);
    reader.exec("BEGIN");
    CHECK(reader.integer("SELECT COUNT(*) FROM t") == 0); // the snapshot, before any row
    // The frames the snapshot sees (the table's creation): all a checkpoint may copy.
    const int snapshotFrames = db->walFrames();
    int rows = 0;
    while (db->walFrames() < store::Checkpointer::kWriterFrames + 64) {
        commitRows(*db, rows++, 1);
        db->checkpointIfDue();
    }
    REQUIRE(db->walFrames() < store::Checkpointer::kInlineFrames);
    // No commit comes now: the thread may try once more for the last commit, then waits.
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const int64_t calls = db->checkpointCalls();
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    CHECK(db->checkpointCalls() == calls);
    const int64_t pinned = db->framesCheckpointed() + db->writerFramesCheckpointed();
    CHECK(pinned <= snapshotFrames); // nothing was copied past the reader
    // The reader lets go: the writer's next checkpoint copies everything, and the WAL restarts.
    reader.exec("COMMIT");
    commitRows(*db, rows++, 1);
    db->checkpointIfDue();
    CHECK(db->framesCheckpointed() + db->writerFramesCheckpointed() > store::Checkpointer::kWriterFrames);
    commitRows(*db, rows++, 1);
    CHECK(db->walFrames() < 16);
    CHECK(reader.integer("SELECT COUNT(*) FROM t") == rows);
}

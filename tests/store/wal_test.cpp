// The store's write path on real files: SQLite's own VFS with synchronous=FULL, and
// checkpoints on a background thread (Checkpointer.h). Every commit must be
// visible to another connection (plain SQLite, default VFS) as soon as it returned, the WAL
// must stay bounded under a long run of commits, and the file must be whole afterwards.

#include "store/Checkpointer.h"
#include "store/Database.h"

#include "store/StoreTestSupport.h"

#include <doctest/doctest.h>
#include <sqlite3.h>

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

TEST_CASE("wal: checkpoints run on the background thread and the WAL stays bounded")
{
    TempDb f("wal", "bounded");
    // Well past the inline limit: the WAL may not grow without bound.
    const int commits = 3 * store::Checkpointer::kInlineFrames / 2;
    {
        auto db = openWithTable(f);
        CHECK(db->backgroundCheckpoints() == 0);
        commitRows(*db, 0, commits);
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
        while (db->framesCheckpointed() < store::Checkpointer::kWakeFrames && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        // Frames really copied (pnCkpt), not checkpoint calls that returned SQLITE_OK.
        CHECK(db->framesCheckpointed() >= store::Checkpointer::kWakeFrames);
        CHECK(db->backgroundCheckpoints() >= 1);
        // The thread goes again only once kRepeatFrames wait uncopied, so a checkpoint (two
        // fsyncs) copies about that many frames (a quarter of it is allowed here), not the one
        // or two commits that came in while the previous one ran (it used to go again after
        // every commit: 15 frames per checkpoint in bench_receive's sustained run).
        CHECK(db->framesCheckpointed() >= int64_t{db->backgroundCheckpoints()} * store::Checkpointer::kRepeatFrames / 4);
        // Frames of 4 KiB pages plus their 24-byte headers, after the 32-byte WAL header. Each
        // commit writes at most a few pages; the inline limit is checked after every commit.
        // The bound (Checkpointer.h): the inline limit plus what is committed while the thread
        // finishes the checkpoint it had started, well under kWakeFrames.
        const auto limit =
            32 + static_cast<uintmax_t>(store::Checkpointer::kInlineFrames + store::Checkpointer::kWakeFrames) * (4096 + 24);
        CHECK(fs::file_size(f.path.string() + "-wal") <= limit);
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

TEST_CASE("wal: a reader holding an old snapshot does not set the checkpoint thread spinning")
{
    // Past kWakeFrames with kRepeatFrames uncopied the thread goes again at once; a reader
    // still on an old snapshot lets no checkpoint copy past it, so what waits never shrank
    // and the thread ran PASSIVE checkpoints back to back, a core busy, for as long as the
    // reader kept its snapshot (a long report beside a burst of scans).
    TempDb f("wal", "pinned");
    auto db = openWithTable(f);
    PlainDb reader(f.path);
    reader.exec("BEGIN");
    CHECK(reader.integer("SELECT COUNT(*) FROM t") == 0); // the snapshot, before any row
    const auto wal = f.path.string() + "-wal";
    const uintmax_t frame = 4096 + 24;
    // The frames the snapshot sees (the table's creation): all a checkpoint may copy.
    const auto snapshotFrames = static_cast<int64_t>((fs::file_size(wal) - 32) / frame);
    int rows = 0;
    while (fs::file_size(wal) < 32 + (store::Checkpointer::kWakeFrames + store::Checkpointer::kRepeatFrames + 64) * frame) {
        commitRows(*db, rows, 1);
        ++rows;
    }
    REQUIRE(fs::file_size(wal) < 32 + store::Checkpointer::kInlineFrames * frame); // the thread's turn, not the writer's
    // No commit comes now: the thread may try once more for the last commit, then waits.
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const int64_t calls = db->checkpointCalls();
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    CHECK(db->checkpointCalls() == calls);
    const int64_t pinned = db->framesCheckpointed();
    CHECK(pinned <= snapshotFrames); // nothing was copied past the reader
    // The reader lets go: the next commit's checkpoint copies everything.
    reader.exec("COMMIT");
    commitRows(*db, rows, 1);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (db->framesCheckpointed() == pinned && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    CHECK(db->framesCheckpointed() > store::Checkpointer::kWakeFrames);
    CHECK(reader.integer("SELECT COUNT(*) FROM t") == rows + 1);
}

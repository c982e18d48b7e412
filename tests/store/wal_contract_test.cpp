// The store's write path against SQLite's promises to other connections, with a second
// connection of its own standing for another process. Each case is a defect found in the
// WAL-coalescing VFS the store used until issue 14 (removed since: docs/architecture.md,
// "WalVfs or the unix VFS"), kept as a regression test for whatever sits under the store:
//  - frames of a transaction that spilled and rolled back stayed buffered after the WAL write
//    lock was released and were later written over another connection's commit;
//  - the barrier flush ran on the database file's handle, which had no buffer, so with
//    synchronous=NORMAL a plain reader met frames that were not in the file;
//  - the background checkpointer's connection had never read the file and copied nothing.

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
using backfill::test::PlainDb;
using backfill::test::TempDb;

namespace {

std::unique_ptr<store::Database> openStore(const TempDb& f)
{
    auto db = store::Database::open(f.path.string());
    REQUIRE(db);
    return std::move(*db);
}

void insertRows(store::Database& db, int from, int n)
{
    for (int i = from; i < from + n; ++i)
        REQUIRE(db.prepare("INSERT INTO t(id, v) VALUES(?, ?)").bind(1, i).bind(2, std::string(1000, 'a' + i % 26)).run());
}

} // namespace

TEST_CASE("wal contract: a rolled-back transaction that spilled never overwrites another connection's commit")
{
    TempDb f("walvfs", "spill");
    auto a = openStore(f);
    REQUIRE(a->exec("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT NOT NULL)"));
    // A small page cache makes the transaction spill frames into the WAL before COMMIT.
    REQUIRE(a->exec("PRAGMA cache_size=20"));
    REQUIRE(a->exec("PRAGMA wal_checkpoint(TRUNCATE)"));
    {
        auto tx = store::Transaction::begin(*a);
        REQUIRE(tx);
        insertRows(*a, 0, 400);
        // Destroyed without commit: ROLLBACK, and the WAL write lock is released.
    }
    {
        PlainDb b(f.path);
        b.exec("BEGIN IMMEDIATE");
        for (int i = 1000; i < 1300; ++i)
            b.exec("INSERT INTO t(id, v) VALUES(" + std::to_string(i) + ", printf('%.1000c', 'x'))");
        b.exec("COMMIT");
    }
    // A reads again, then closes: neither may write its old frames over B's.
    CHECK(a->prepare("SELECT COUNT(*) FROM t").first([](const store::Statement& r) { CHECK(r.columnInt(0) == 300); }).value());
    a.reset();
    PlainDb reader(f.path);
    CHECK(reader.one("PRAGMA integrity_check") == "ok");
    CHECK(reader.integer("SELECT COUNT(*) FROM t") == 300);
    CHECK(reader.integer("SELECT MIN(id) FROM t") == 1000);
}

TEST_CASE("wal contract: with synchronous=NORMAL every commit is readable by another connection at once (barrier)")
{
    TempDb f("walvfs", "barrier");
    auto a = openStore(f);
    REQUIRE(a->exec("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT NOT NULL)"));
    // The store always runs FULL; NORMAL is set here only to take the fsync's flush away, so
    // that the barrier alone must put the frames in the file.
    REQUIRE(a->exec("PRAGMA synchronous=NORMAL"));
    PlainDb reader(f.path);
    for (int i = 0; i < 3; ++i) {
        auto tx = store::Transaction::begin(*a);
        REQUIRE(tx);
        insertRows(*a, i * 10, 10);
        REQUIRE(tx->commit());
        CHECK(reader.integer("SELECT COUNT(*) FROM t") == (i + 1) * 10);
        CHECK(reader.integer("SELECT SUM(length(v)) FROM t") == (i + 1) * 10 * 1000);
    }
    CHECK(reader.one("PRAGMA integrity_check") == "ok");
}

TEST_CASE("wal contract: two connections of one process alternate writes and both see every commit")
{
    TempDb f("walvfs", "two");
    auto a = openStore(f);
    REQUIRE(a->exec("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT NOT NULL)"));
    auto b = openStore(f);
    for (int i = 0; i < 200; ++i) {
        auto& writer = i % 2 ? *a : *b;
        auto tx = store::Transaction::begin(writer);
        REQUIRE(tx);
        insertRows(writer, i * 3, 3);
        if (i % 7 == 0) continue; // rolled back
        REQUIRE(tx->commit());
    }
    int64_t expected = 0;
    for (int i = 0; i < 200; ++i) expected += i % 7 == 0 ? 0 : 3;
    for (auto* db : {a.get(), b.get()})
        CHECK(db->prepare("SELECT COUNT(*) FROM t").first([&](const store::Statement& r) { CHECK(r.columnInt(0) == expected); }).value());
    a.reset();
    b.reset();
    PlainDb reader(f.path);
    CHECK(reader.one("PRAGMA integrity_check") == "ok");
    CHECK(reader.integer("SELECT COUNT(*) FROM t") == expected);
}

TEST_CASE("wal contract: the store's connections run synchronous=FULL")
{
    TempDb f("walvfs", "full");
    auto a = openStore(f);
    CHECK(a->prepare("PRAGMA synchronous").first([](const store::Statement& r) { CHECK(r.columnInt(0) == 2); }).value());
    CHECK(a->prepare("PRAGMA journal_mode").first([](const store::Statement& r) { CHECK(r.columnText(0) == "wal"); }).value());
    // 8 MiB, not more: a larger page cache made SQLite's end-of-transaction walk of its hash
    // table the sustained run's p99 (docs/architecture.md, bench/README.md issue 14).
    CHECK(a->prepare("PRAGMA cache_size").first([](const store::Statement& r) { CHECK(r.columnInt(0) == -8192); }).value());
}

TEST_CASE("checkpointer: the background thread copies frames into the database file")
{
    TempDb f("walvfs", "ckpt");
    auto a = openStore(f);
    REQUIRE(a->exec("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT NOT NULL)"));
    // Past the writer's threshold, below the inline limit, and the writer never asks: only the
    // thread can checkpoint, in the pause after the last commit.
    const auto wal = f.path.string() + "-wal";
    constexpr uintmax_t kFrame = 4096 + 24;
    int next = 0;
    while (!fs::exists(wal) || fs::file_size(wal) < (store::Checkpointer::kWriterFrames + 100) * kFrame) {
        auto tx = store::Transaction::begin(*a);
        REQUIRE(tx);
        insertRows(*a, next, 4);
        next += 4;
        REQUIRE(tx->commit());
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (a->framesCheckpointed() < store::Checkpointer::kWriterFrames && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    CHECK(a->framesCheckpointed() >= store::Checkpointer::kWriterFrames);
    CHECK(a->backgroundCheckpoints() >= 1);
    // The frames are really in the database file: a plain connection reading it directly
    // (after the WAL is gone at close) sees every row.
    a.reset();
    PlainDb reader(f.path);
    CHECK(reader.integer("SELECT COUNT(*) FROM t") == next);
}

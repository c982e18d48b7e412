// Migrations on real database files: a database written by an older backfill (schema 2,
// built here from the migrations it ran) opens under the current schema with nothing lost,
// and a database from a newer backfill is refused.

#include "store/Schema.h"
#include "store/TerminalStore.h"

#include "store/StoreTestSupport.h"

#include <doctest/doctest.h>
#include <sqlite3.h>


#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>
#include <string>
#include <vector>

using namespace backfill;
namespace fs = std::filesystem;

namespace {

using backfill::test::PlainDb;
using backfill::test::TempDb;

// A schema-2 database: master data, one staged order holding 3 units of APPLE (counters on
// the product row, the lane on the order row), one open order without a lane, and 2 outbox ops.
void writeVersion2(const fs::path& path)
{
    PlainDb raw(path);
    raw.exec("PRAGMA journal_mode=WAL");
    raw.exec(std::string(store::kMigrations[0]));
    raw.exec(std::string(store::kMigrations[1]));
    raw.exec("PRAGMA user_version=2");
    raw.exec("INSERT INTO locations(code, kind, sequence) VALUES('DOCK-1','receiving',1),('OUT-1','staging',2),"
             "('OUT-2','staging',3)");
    raw.exec("INSERT INTO products(id, sku, description, gtin, case_gtin, case_qty, safety_stock, lead_time_days, "
             "on_hand, allocated) VALUES(1,'APPLE','Apple','4000000000013',NULL,1,0,1,5,3),"
             "(2,'PEAR','Pear','4000000000020',NULL,1,0,1,0,0)");
    raw.exec("INSERT INTO gtins VALUES('04000000000013',1,1),('04000000000020',2,1)");
    raw.exec("INSERT INTO orders(order_id, customer, email, stage, open) VALUES('SO-1','Acme','a@x','OUT-2',1),"
             "('SO-2','Bolt','b@x',NULL,1)");
    raw.exec("INSERT INTO order_lines(id, order_id, line, product_id, qty, priority, ordered_at, allocated) "
             "VALUES(1,'SO-1',1,1,3,0,0,3),(2,'SO-1',2,2,2,0,0,0),(3,'SO-2',1,2,4,0,0,0)");
    raw.exec("UPDATE locations SET open_orders = 1 WHERE code = 'OUT-2'");
    raw.exec("INSERT INTO stock VALUES(1,'DOCK-1','',2),(1,'OUT-2','',3)");
    raw.exec("INSERT INTO outbox(device_seq, op_id, epoch, kind, payload, created_at) VALUES"
             "(1,'018f0000-0000-7000-8000-000000000001',0,'receive','{\"scan\":\"a\"}',10),"
             "(2,'018f0000-0000-7000-8000-000000000002',0,'receive','{\"scan\":\"b\"}',11)");
}

} // namespace

TEST_CASE("migration: a schema-2 database opens at the current schema with its stock, lanes and outbox intact")
{
    TempDb db("migration", "v2");
    writeVersion2(db.path);

    auto opened = store::TerminalStore::open(db.path.string());
    REQUIRE(opened);
    auto& s = **opened;
    {
        PlainDb raw(db.path);
        CHECK(raw.rows("PRAGMA user_version") == std::vector<std::string>{std::to_string(store::kMigrations.size())});
        // The lane went to the order's lines (migration 3) and back (5); the lines keep their
        // numbers, now stored by product (4); the per-product counters are gone.
        CHECK(raw.rows("SELECT order_id, stage FROM orders ORDER BY order_id") == std::vector<std::string>{"SO-1|OUT-2", "SO-2|NULL"});
        CHECK(raw.rows("SELECT COUNT(*) FROM pragma_table_info('order_lines') WHERE name = 'stage'") == std::vector<std::string>{"0"});
        CHECK(raw.rows("SELECT product_id, id, order_id, line, allocated FROM order_lines") ==
              std::vector<std::string>{"1|1|SO-1|1|3", "2|2|SO-1|2|0", "2|3|SO-2|1|0"});
        CHECK(raw.rows("SELECT COUNT(*) FROM pragma_table_info('products') WHERE name IN ('on_hand','allocated')") ==
              std::vector<std::string>{"0"});
        CHECK(raw.rows("SELECT device_seq, op_id, kind FROM outbox ORDER BY device_seq") ==
              std::vector<std::string>{"1|018f0000-0000-7000-8000-000000000001|receive",
                                       "2|018f0000-0000-7000-8000-000000000002|receive"});
        CHECK(raw.rows("PRAGMA integrity_check") == std::vector<std::string>{"ok"});
    }
    // On hand and allocated are now derived from the stock rows and the lines.
    auto stock = s.stock(std::nullopt);
    REQUIRE(stock);
    REQUIRE(stock->size() == 2);
    CHECK((*stock)[0].sku == "APPLE");
    CHECK((*stock)[0].onHand == 5);
    CHECK((*stock)[0].allocated == 3);
    CHECK((*stock)[1].sku == "PEAR");
    CHECK((*stock)[1].onHand == 0);
    CHECK((*stock)[1].allocated == 0);

    // A receipt of PEAR after the migration: SO-1/2 keeps its order's lane OUT-2; SO-2 gets its
    // first lane, OUT-1 (no open orders there, OUT-2 has one); the outbox continues at 3.
    ledger::ReceiptRequest r;
    r.scan = "(01)04000000000020(30)6";
    r.gtin = "04000000000020";
    r.count = 6;
    r.location = "DOCK-1";
    auto received = s.receive(r, store::Actor{});
    INFO((received ? std::string() : received.error().code + ": " + received.error().message));
    REQUIRE(received);
    REQUIRE(received->size() == 1);
    const auto& line = (*received)[0];
    REQUIRE(line.allocations.size() == 2);
    CHECK(line.allocations[0].orderId == "SO-1");
    CHECK(line.allocations[0].qty == 2);
    CHECK(line.allocations[0].stage == std::optional<std::string>("OUT-2"));
    CHECK(line.allocations[1].orderId == "SO-2");
    CHECK(line.allocations[1].qty == 4);
    CHECK(line.allocations[1].stage == std::optional<std::string>("OUT-1"));
    CHECK(line.toStock == 0);
    PlainDb raw(db.path);
    CHECK(raw.rows("SELECT MAX(device_seq), COUNT(*) FROM outbox") == std::vector<std::string>{"3|3"});
    CHECK(raw.rows("SELECT code, open_orders FROM locations WHERE kind = 'staging' ORDER BY code") ==
          std::vector<std::string>{"OUT-1|1", "OUT-2|1"});
    CHECK(raw.rows("SELECT location, qty FROM stock WHERE product_id = 2 ORDER BY location") ==
          std::vector<std::string>{"OUT-1|4", "OUT-2|2"});
}

namespace {

std::string bytesOf(const fs::path& path)
{
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

} // namespace

TEST_CASE("migration: a database from a newer backfill is refused with newer_schema and left byte-identical")
{
    TempDb db("migration", "newer");
    {
        PlainDb raw(db.path);
        raw.exec("CREATE TABLE future(x); PRAGMA application_id=" + std::to_string(store::kApplicationId) +
                 "; PRAGMA user_version=" + std::to_string(store::kMigrations.size() + 1));
    }
    const std::string before = bytesOf(db.path);
    auto opened = store::TerminalStore::open(db.path.string());
    REQUIRE_FALSE(opened);
    CHECK(opened.error().code == "newer_schema");
    CHECK(opened.error().message.find(db.path.string()) == 0);
    // Refused before the switch to WAL, which would have rewritten the header.
    CHECK(bytesOf(db.path) == before);
    CHECK_FALSE(fs::exists(db.path.string() + "-wal"));
}

TEST_CASE("migration: another program's SQLite file is refused with not_backfill_db and left byte-identical")
{
    TempDb db("migration", "foreign");
    {
        PlainDb raw(db.path);
        raw.exec("CREATE TABLE customers(id INTEGER PRIMARY KEY, name TEXT); INSERT INTO customers VALUES(1,'Acme')");
    }
    const std::string before = bytesOf(db.path);
    for (const bool create : {true, false}) {
        auto opened = store::TerminalStore::open(db.path.string(), {.create = create});
        REQUIRE_FALSE(opened);
        CHECK(opened.error().code == "not_backfill_db");
        CHECK(opened.error().message ==
              db.path.string() + ": not a Backfill terminal database (application_id 0, 1 tables): refusing to touch it; "
                                 "check --db");
    }
    CHECK(bytesOf(db.path) == before);
    CHECK_FALSE(fs::exists(db.path.string() + "-wal"));

    // A file stamped by another application is refused too, even without tables.
    TempDb other("migration", "other-app");
    {
        PlainDb raw(other.path);
        raw.exec("PRAGMA application_id=1234; PRAGMA user_version=1");
    }
    auto opened = store::TerminalStore::open(other.path.string());
    REQUIRE_FALSE(opened);
    CHECK(opened.error().code == "not_backfill_db");
}

TEST_CASE("migration: an empty file is ours; a Backfill file from before application_id is stamped")
{
    TempDb empty("migration", "empty");
    { std::ofstream(empty.path.string()); }
    REQUIRE(fs::file_size(empty.path) == 0);
    {
        auto opened = store::TerminalStore::open(empty.path.string());
        REQUIRE(opened);
    }
    PlainDb e(empty.path);
    CHECK(e.integer("PRAGMA application_id") == store::kApplicationId);
    CHECK(e.integer("PRAGMA user_version") == static_cast<int64_t>(store::kMigrations.size()));

    TempDb old("migration", "unstamped");
    writeVersion2(old.path);
    {
        PlainDb raw(old.path);
        REQUIRE(raw.integer("PRAGMA application_id") == 0);
    }
    {
        auto opened = store::TerminalStore::open(old.path.string());
        REQUIRE(opened);
    }
    PlainDb raw(old.path);
    CHECK(raw.integer("PRAGMA application_id") == store::kApplicationId);
    CHECK(raw.integer("SELECT COUNT(*) FROM outbox") == 2);
}

TEST_CASE("migration: a missing file is no_database when the command only reads, and nothing is created")
{
    TempDb db("migration", "missing");
    auto opened = store::TerminalStore::open(db.path.string(), {.create = false});
    REQUIRE_FALSE(opened);
    CHECK(opened.error().code == "no_database");
    CHECK(opened.error().message.rfind(db.path.string() + ": no database there", 0) == 0);
    CHECK_FALSE(fs::exists(db.path));
}

TEST_CASE("migration: connections opening a new file at once take turns (migrations decided inside BEGIN IMMEDIATE)")
{
    for (int round = 0; round < 10; ++round) {
        TempDb db("migration", "race-" + std::to_string(round));
        constexpr int kOpeners = 4;
        std::vector<std::string> failures(kOpeners);
        std::vector<std::thread> threads;
        for (int i = 0; i < kOpeners; ++i)
            threads.emplace_back([&, i] {
                auto opened = store::TerminalStore::open(db.path.string());
                if (!opened) failures[static_cast<size_t>(i)] = opened.error().code + ": " + opened.error().message;
            });
        for (auto& t : threads) t.join();
        for (const auto& f : failures) CHECK(f == "");
        PlainDb raw(db.path);
        CHECK(raw.integer("PRAGMA user_version") == static_cast<int64_t>(store::kMigrations.size()));
        CHECK(raw.one("PRAGMA integrity_check") == "ok");
    }
}

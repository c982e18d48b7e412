// Opening the terminal database from the CLI, and the database's failures as a user meets
// them (issue 14): read-only commands never create a database, another program's file and a
// newer schema are refused untouched, many processes share one file, and every database error
// names the file and the operation with the right code (db_full, db_readonly, ...).

#include "e2e/CliHarness.h"
#include "e2e/SmallDisk.h"

#include <doctest/doctest.h>
#include <sys/mount.h>

#include <cerrno>
#include <cstring>

#include <filesystem>
#include <fstream>
#include <iterator>

using namespace backfill::e2e;
namespace fs = std::filesystem;

namespace {

const std::string kApple = "0" + withCheckDigit("400000000001");

void setUp(const CliHarness& h)
{
    h.importOk("catalog", "sku,description,gtin\nAPPLE,Apple," + kApple + "\n", 1);
    h.importOk("locations", "code,kind,sequence\nDOCK,receiving,1\n", 1);
}

std::string bytesOf(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Error is the one {"code","error"} line a failed command wrote to stderr.
Json errorOf(const RunResult& r)
{
    const auto lines = r.errLines();
    REQUIRE(lines.size() == 1);
    return lines.front();
}

// withCatalog creates the database on the small disk with APPLE imported; gives its path.
std::string withCatalog(const SmallDisk& disk, const CliHarness& h)
{
    const std::string db = (disk.dir / "terminal.db").string();
    const auto catalog = h.writeFile("catalog.csv", "sku,description,gtin\nAPPLE,Apple," + kApple + "\n");
    REQUIRE(h.runRaw({"--db", db, "import", "catalog", catalog}).status == 0);
    return db;
}

} // namespace

TEST_CASE("open: commands that only read never create a database: a missing one is no_database naming the path")
{
    CliHarness h;
    for (const auto& cmd : {std::vector<std::string>{"stock"}, {"stock", "--sku", "APPLE"}, {"backorders"}}) {
        const auto r = h.run(cmd);
        INFO(r);
        CHECK(r.status == 3);
        CHECK(r.out == "");
        const auto e = errorOf(r);
        CHECK(e["code"] == "no_database");
        CHECK(e["error"].get<std::string>().rfind(h.db() + ": no database there (No such file or directory)", 0) == 0);
        CHECK_FALSE(fs::exists(h.db()));
    }
}

TEST_CASE("open: --db \"\" is bad usage, not the default path")
{
    CliHarness h;
    const auto r = h.runRaw({"--db", "", "stock"});
    INFO(r);
    CHECK(r.status == 3);
    CHECK(errorOf(r)["code"] == "bad_usage");
}

TEST_CASE("open: another program's SQLite file is refused with not_backfill_db and left byte-identical")
{
    CliHarness h;
    {
        sqlite3* db = nullptr;
        REQUIRE(sqlite3_open(h.db().c_str(), &db) == SQLITE_OK);
        REQUIRE(sqlite3_exec(db, "CREATE TABLE invoices(id INTEGER PRIMARY KEY, total REAL); INSERT INTO invoices VALUES(1, 9.5)",
                             nullptr, nullptr, nullptr) == SQLITE_OK);
        sqlite3_close(db);
    }
    const auto before = bytesOf(h.db());
    for (const auto& cmd : {std::vector<std::string>{"stock"}, {"receive", kApple}}) {
        const auto r = h.run(cmd);
        INFO(r);
        CHECK(r.status == 3);
        CHECK(errorOf(r)["code"] == "not_backfill_db");
    }
    CHECK(bytesOf(h.db()) == before);
    CHECK_FALSE(fs::exists(h.db() + "-wal"));
}

TEST_CASE("open: a newer schema is refused with newer_schema and the file is untouched")
{
    CliHarness h;
    setUp(h);
    h.query("PRAGMA wal_checkpoint(TRUNCATE)");
    {
        sqlite3* db = nullptr;
        REQUIRE(sqlite3_open(h.db().c_str(), &db) == SQLITE_OK);
        REQUIRE(sqlite3_exec(db, "PRAGMA journal_mode=DELETE; PRAGMA user_version=99", nullptr, nullptr, nullptr) == SQLITE_OK);
        sqlite3_close(db);
    }
    const auto before = bytesOf(h.db());
    const auto r = h.run({"receive", kApple});
    INFO(r);
    CHECK(r.status == 3);
    CHECK(errorOf(r)["code"] == "newer_schema");
    // Refused before the switch to WAL, which would have rewritten the header.
    CHECK(bytesOf(h.db()) == before);
}

TEST_CASE("open: many processes at once on a new file: every first open and every receipt succeeds")
{
    CliHarness h;
    // 6 processes, all starting on a file that does not exist yet: each imports the catalog
    // (the first opens race to create the schema) and then receives 15 units, one run each.
    const auto catalog = h.writeFile("catalog.csv", "sku,description,gtin\nAPPLE,Apple," + kApple + "\n");
    const std::string bin = std::string("'") + std::getenv("BACKFILL_BIN") + "' --db terminal.db ";
    const std::string script = "cd '" + h.dir().string() + "'; for p in 1 2 3 4 5 6; do ( " + bin + "import catalog '" +
                               catalog + "' >imp.$p 2>err.$p.0; echo $? >>status.$p; for i in $(seq 1 15); do " + bin +
                               "receive --location DOCK " + kApple + " >out.$p.$i 2>err.$p.$i; echo $? >>status.$p; done ) & "
                               "done; wait";
    REQUIRE(std::system(script.c_str()) == 0);
    for (int p = 1; p <= 6; ++p) {
        std::ifstream statuses(h.dir() / ("status." + std::to_string(p)));
        std::string status;
        int i = 0;
        while (std::getline(statuses, status)) {
            const auto err = bytesOf((h.dir() / ("err." + std::to_string(p) + "." + std::to_string(i))).string());
            INFO("process " << p << " run " << i << ": status " << status << " stderr " << err);
            CHECK(status == "0");
            CHECK(err == "");
            ++i;
        }
        CHECK(i == 16);
    }
    CHECK(h.stock() == Json::array({stockJson("APPLE", 90, 0)}));
    CHECK(h.query("SELECT COUNT(*), MIN(device_seq), MAX(device_seq) FROM outbox") == std::vector<std::string>{"90|1|90"});
    CHECK(h.query("PRAGMA integrity_check") == std::vector<std::string>{"ok"});
    CHECK(h.query("PRAGMA application_id") == std::vector<std::string>{"1111905348"});
}

TEST_CASE("errors: a full disk is db_full naming the file and the operation; nothing confirmed is lost")
{
    CliHarness h;
    SmallDisk disk(h.dir() / "small", 512);
    const std::string db = withCatalog(disk, h);
    const auto first = h.runRaw({"--db", db, "receive", "--location", "DOCK", kApple});
    REQUIRE(first.status == 0);
    disk.fill();
    // A burst of receipts that cannot fit: refused as db_full, never exit 0 without the commit.
    std::string scans;
    for (int i = 0; i < 200; ++i) scans += "(01)" + kApple + "(10)LOT-" + std::to_string(i) + std::string(40, 'x') + "\n";
    const auto r = h.runRaw({"--db", db, "receive", "--location", "DOCK", "-"}, scans);
    INFO(r);
    CHECK(r.status == 3);
    const auto lines = r.errLines();
    REQUIRE_FALSE(lines.empty());
    CHECK(lines.back()["code"] == "db_full");
    const auto message = lines.back()["error"].get<std::string>();
    CHECK(message.rfind(db + ": ", 0) == 0);
    CHECK(message.find("INSERT") == std::string::npos);
    CHECK(message.find("PRAGMA") == std::string::npos);
    // Every receipt printed before the failure is in the file.
    disk.makeRoom();
    const auto stock = h.runRaw({"--db", db, "stock"});
    REQUIRE(stock.status == 0);
    CHECK(stock.json()[0]["on_hand"] == 1 + static_cast<int64_t>(r.outLines().size()));
}

TEST_CASE("errors: no room for the -shm file when opening is db_full, not db_io")
{
    CliHarness h;
    SmallDisk disk(h.dir() / "small", 1024); // room for the database, its WAL and -shm: the close checkpoints and removes both
    const std::string db = withCatalog(disk, h);
    REQUIRE_FALSE(fs::exists(db + "-shm")); // the last connection's close removed it
    disk.fill();
    const auto r = h.runRaw({"--db", db, "stock"});
    INFO(r);
    CHECK(r.status == 3);
    const auto e = errorOf(r);
    CHECK(e["code"] == "db_full");
    CHECK(e["error"].get<std::string>().rfind(db + ": ", 0) == 0);
}

TEST_CASE("errors: a read-only database is db_readonly naming the file and the operation, without SQL")
{
    CliHarness h;
    setUp(h);
    // Root writes through file modes: run the receipt as nobody on a file it may only read.
    fs::permissions(h.dir(), fs::perms::all, fs::perm_options::add);
    const auto r = h.runProgram("/usr/bin/setpriv", {"--reuid=65534", "--regid=65534", "--clear-groups", std::getenv("BACKFILL_BIN"),
                                                    "--db", h.db(), "--today", CliHarness::kToday, "receive", "--location",
                                                    "DOCK", kApple});
    INFO(r);
    CHECK(r.status == 3);
    const auto e = errorOf(r);
    CHECK(e["code"] == "db_readonly");
    const auto message = e["error"].get<std::string>();
    CHECK(message.rfind(h.db() + ": ", 0) == 0);
    CHECK(message.find("INSERT") == std::string::npos);
    CHECK(message.find("PRAGMA") == std::string::npos);
    CHECK(h.stock()[0]["on_hand"] == 0);
}

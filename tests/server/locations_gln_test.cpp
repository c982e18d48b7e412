// GS1 location labels at the server (docs/import.md, locations; docs/server.md, The log):
// `backfilld import locations` checks the gln columns by the terminal's rules (the parser and
// ledger/LocationLabels.h checkStoredGlns), stores the pairs (migration 7) and sends them in
// the `location` log entries. In process over a real SQLite file, and the real binaries
// ($BACKFILLD_BIN beside $BACKFILL_BIN) for the exact output of both imports.

#include "e2e/BackfilldProcess.h"
#include "e2e/CliHarness.h"

#include "ledger/LocationLabels.h"
#include "server/Imports.h"
#include "server/SqliteServerStore.h"

#include <doctest/doctest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>

using namespace backfill;
using namespace backfill::server;
namespace fs = std::filesystem;

namespace {

// The site's GLN 9501101000018 with a (254) extension per bin; the staging lane's own GLN;
// DOCK has no label.
constexpr const char* kGlnLocations = "code,kind,sequence,gln,gln_extension\n"
                                      "DOCK,receiving,1,,\n"
                                      "A1,storage,10,9501101000018,A1\n"
                                      "A2,storage,20,9501101000018,\n"
                                      "OUT1,staging,30,9501101000025,\n";

struct Db {
    fs::path dir;
    std::unique_ptr<SqliteServerStore> store;

    Db()
    {
        static int n = 0;
        dir = fs::temp_directory_path() / ("backfilld_gln_" + std::to_string(::getpid()) + "_" + std::to_string(n++));
        fs::remove_all(dir);
        fs::create_directories(dir);
        reopen();
    }
    ~Db()
    {
        store.reset();
        fs::remove_all(dir);
    }
    void reopen()
    {
        store.reset();
        auto s = SqliteServerStore::open((dir / "server.db").string());
        REQUIRE(s);
        store = std::move(*s);
    }
    ImportReport import(const std::string& csv)
    {
        auto rows = ledger::parseLocationsCsv(csv);
        REQUIRE(rows.errors.empty());
        auto report = importLocations(*store, rows);
        REQUIRE(report);
        return *report;
    }
    std::optional<std::string> owner(const std::string& gln, const std::string& extension)
    {
        auto o = store->glnOwner(gln, extension);
        REQUIRE(o);
        return *o;
    }
    // payloads are the `location` entries after `cursor`, as pulled.
    std::vector<std::string> payloads(int64_t cursor)
    {
        const std::vector<std::string> kinds{"location"};
        auto entries = store->logEntries(cursor, 100, kinds);
        REQUIRE(entries);
        std::vector<std::string> out;
        for (const auto& e : *entries) out.push_back(e.payload);
        return out;
    }
    int64_t head()
    {
        auto h = store->headSeq();
        REQUIRE(h);
        return *h;
    }
    // labels lists every location as "CODE GLN/EXT" ("CODE -" without one), by code.
    std::vector<std::string> labels()
    {
        std::vector<std::string> out;
        for (const char* code : {"A1", "A2", "DOCK", "OUT1", "Q"}) {
            auto l = store->location(code);
            REQUIRE(l);
            if (!*l) continue;
            out.push_back((*l)->code + " " + ((*l)->gln ? *(*l)->gln + "/" + (*l)->glnExtension : "-"));
        }
        return out;
    }
};

} // namespace

TEST_CASE("the server stores the GLN pairs and its location entries carry them")
{
    Db db;
    CHECK(db.import(kGlnLocations).imported == 4);
    CHECK(db.owner("9501101000018", "A1") == std::optional<std::string>("A1"));
    CHECK(db.owner("9501101000018", "") == std::optional<std::string>("A2"));
    CHECK(db.owner("9501101000025", "") == std::optional<std::string>("OUT1"));
    CHECK(db.owner("9501101000018", "A9") == std::nullopt);
    CHECK(db.payloads(0) == std::vector<std::string>{
                                R"({"code":"DOCK","kind":"receiving","sequence":1})",
                                R"({"code":"A1","kind":"storage","sequence":10,"gln":"9501101000018","gln_extension":"A1"})",
                                R"({"code":"A2","kind":"storage","sequence":20,"gln":"9501101000018"})",
                                R"({"code":"OUT1","kind":"staging","sequence":30,"gln":"9501101000025"})"});

    // A row without a gln keeps the stored label, and its entry carries it; so does a file
    // without the columns. A row with one replaces it.
    const int64_t before = db.head();
    CHECK(db.import("code,kind,sequence\nA1,storage,11\n").imported == 1);
    CHECK(db.import("code,kind,sequence,gln,gln_extension\nA2,storage,21,,\nOUT1,staging,31,9501101000032,\n").imported == 2);
    CHECK(db.payloads(before) == std::vector<std::string>{
                                     R"({"code":"A1","kind":"storage","sequence":11,"gln":"9501101000018","gln_extension":"A1"})",
                                     R"({"code":"A2","kind":"storage","sequence":21,"gln":"9501101000018"})",
                                     R"({"code":"OUT1","kind":"staging","sequence":31,"gln":"9501101000032"})"});
    CHECK(db.labels() == std::vector<std::string>{"A1 9501101000018/A1", "A2 9501101000018/", "DOCK -", "OUT1 9501101000032/"});
    CHECK(db.owner("9501101000025", "") == std::nullopt);

    // The pairs survive a reopen (migration 7's columns, not a cache).
    db.reopen();
    CHECK(db.labels() == std::vector<std::string>{"A1 9501101000018/A1", "A2 9501101000018/", "DOCK -", "OUT1 9501101000032/"});
}

TEST_CASE("a label another location holds is duplicate_gln at the server, and nothing changes")
{
    Db db;
    REQUIRE(db.import(kGlnLocations).imported == 4);
    const int64_t head = db.head();
    const auto labels = db.labels();
    // Q takes A1's label, and A1 is not in the file: refused at its line, with the terminal's words.
    auto taken = db.import("code,kind,sequence,gln,gln_extension\nQ,quarantine,40,9501101000018,A1\n");
    REQUIRE(taken.errors.size() == 1);
    CHECK(taken.imported == 0);
    CHECK(taken.errors[0].line == 2);
    CHECK(taken.errors[0].column == "gln");
    CHECK(taken.errors[0].code == "duplicate_gln");
    CHECK(taken.errors[0].message == "GLN 9501101000018 extension A1 already names location A1; a GS1 location label names one location");
    // A1 in the file without a gln keeps its label, so it still refuses; the other rows of
    // the file are not written either.
    auto kept = db.import("code,kind,sequence,gln,gln_extension\nDOCK,receiving,2,,\nA1,storage,10,,\nQ,quarantine,40,9501101000018,A1\n"
                          "A3,storage,50,9501101000025,\n");
    REQUIRE(kept.errors.size() == 2);
    CHECK(kept.errors[0].line == 4);
    CHECK(kept.errors[0].code == "duplicate_gln");
    CHECK(kept.errors[1].line == 5);
    CHECK(kept.errors[1].message == "GLN 9501101000025 already names location OUT1; a GS1 location label names one location");
    CHECK(db.head() == head);
    CHECK(db.labels() == labels);
    auto q = db.store->location("Q");
    REQUIRE(q);
    CHECK_FALSE(*q);
    auto dock = db.store->location("DOCK");
    CHECK((*dock)->sequence == 1);
    // Its own label again is no conflict.
    CHECK(db.import("code,kind,sequence,gln,gln_extension\nA1,storage,12,9501101000018,A1\n").imported == 1);
}

TEST_CASE("two locations trade labels in one server import; a label moves to a new location")
{
    Db db;
    REQUIRE(db.import(kGlnLocations).imported == 4);
    const int64_t before = db.head();
    CHECK(db.import("code,kind,sequence,gln,gln_extension\n"
                    "A1,storage,10,9501101000018,\n"
                    "A2,storage,20,9501101000018,A1\n")
              .imported == 2);
    CHECK(db.owner("9501101000018", "A1") == std::optional<std::string>("A2"));
    CHECK(db.owner("9501101000018", "") == std::optional<std::string>("A1"));
    // The entries say where each label ends, in file order (a terminal moves the label
    // off A2 when it folds A1's entry).
    CHECK(db.payloads(before) == std::vector<std::string>{
                                     R"({"code":"A1","kind":"storage","sequence":10,"gln":"9501101000018"})",
                                     R"({"code":"A2","kind":"storage","sequence":20,"gln":"9501101000018","gln_extension":"A1"})"});
    // OUT1's label to a new location Q, OUT1 to another label: one file.
    CHECK(db.import("code,kind,sequence,gln,gln_extension\nQ,quarantine,40,9501101000025,\nOUT1,staging,30,9501101000025,B\n")
              .imported == 2);
    CHECK(db.labels() ==
          std::vector<std::string>{"A1 9501101000018/", "A2 9501101000018/A1", "DOCK -", "OUT1 9501101000025/B", "Q 9501101000025/"});
}

TEST_CASE("migration 7: a schema-6 database gains the label columns, its locations without labels")
{
    Db db;
    REQUIRE(db.import("code,kind,sequence\nDOCK,receiving,1\nA1,storage,10\n").imported == 2);
    db.store.reset();
    sqlite3* raw = nullptr;
    REQUIRE(sqlite3_open((db.dir / "server.db").c_str(), &raw) == SQLITE_OK);
    REQUIRE(sqlite3_exec(raw, "ALTER TABLE sessions DROP COLUMN issued_at; DROP TABLE order_stages; DROP TABLE lots; DROP INDEX locations_gln; ALTER TABLE locations DROP COLUMN gln; ALTER TABLE locations DROP COLUMN gln_ext; "
                              "PRAGMA user_version = 6;",
                         nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(raw);
    db.reopen();
    CHECK(db.labels() == std::vector<std::string>{"A1 -", "DOCK -"});
    CHECK(db.import("code,kind,sequence,gln,gln_extension\nA1,storage,10,9501101000018,A1\n").imported == 1);
    CHECK(db.owner("9501101000018", "A1") == std::optional<std::string>("A1"));
}

TEST_CASE("backfilld import locations answers as backfill import locations: same codes, lines, words and exit status")
{
    // The same files, in the same order, on a fresh terminal and a fresh server: the
    // terminal's rules are the server's, byte for byte on stdout and stderr.
    e2e::CliHarness terminal;
    e2e::CliHarness serverDir;
    e2e::Backfilld server(serverDir);
    const std::string bad = e2e::wrongCheckDigit("9501101000018");
    const std::vector<std::string> files{
        kGlnLocations,
        // bad check digit, not a GLN, an extension without its GLN, a bad extension, a pair twice
        "code,kind,sequence,gln,gln_extension\nB1,storage,1," + bad + ",\nB2,storage,2,950110100001,\nB3,storage,3,,X1\n"
        "B4,storage,4,9501101000018,A#1\nB5,storage,5,9501101000049,\nB6,storage,6,9501101000049,\n",
        // a label held by another location
        "code,kind,sequence,gln,gln_extension\nQ,quarantine,40,9501101000018,A1\n",
        // a swap
        "code,kind,sequence,gln,gln_extension\nA1,storage,10,9501101000018,\nA2,storage,20,9501101000018,A1\n",
    };
    const std::vector<int> statuses{0, 2, 2, 0};
    const std::vector<std::vector<std::string>> codes{
        {}, {"check_digit", "bad_gln", "gln_required", "bad_gln_extension", "duplicate_gln"}, {"duplicate_gln"}, {}};
    for (size_t i = 0; i < files.size(); ++i) {
        const std::string file = terminal.writeFile("locations-" + std::to_string(i) + ".csv", files[i]);
        auto t = terminal.run({"import", "locations", file});
        auto s = server.run({"import", "locations", file});
        INFO("file ", file, "\nterminal: ", t, "\nserver: ", s);
        CHECK(t.status == statuses[i]);
        CHECK(t.codes() == codes[i]);
        CHECK(s.status == t.status);
        CHECK(s.out == t.out);
        CHECK(s.err == t.err);
    }
    // The bad check digit's exact line and code, and the server's log and labels unchanged
    // by the refused files.
    auto refused = server.run({"import", "locations", terminal.dir().string() + "/locations-1.csv"});
    CHECK(refused.status == 2);
    REQUIRE(!refused.errLines().empty());
    CHECK(refused.errLines()[0] == e2e::Json{{"code", "check_digit"},
                                             {"error", terminal.dir().string() + "/locations-1.csv:2: column gln: \"" + bad +
                                                           "\": check digit is 9, expected 8; check the number"}});
    auto log = server.json({"log"});
    CHECK(log.size() == 6); // the first file's 4 entries and the swap's 2
    CHECK(log.back()["payload"] == e2e::Json::parse(R"({"code":"A2","kind":"storage","sequence":20,"gln":"9501101000018","gln_extension":"A1"})"));
}

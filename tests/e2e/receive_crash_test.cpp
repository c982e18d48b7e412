// Crash test of `backfill receive -` (issue 4, "Must show"): the real binary, one real database
// file, SIGKILL at random moments, many rounds. After every kill the database is reopened with
// the SQLite C API and checked:
// - every scan whose JSON line was printed is recorded, and the recorded scans are exactly a
//   prefix of the scans sent (in order), at most one transaction beyond the printed ones:
//   printed <= recorded <= printed + (100 scans in group mode, 1 with --sync-each);
// - PRAGMA integrity_check is ok, device_seq is 1..N without gaps, and the ledger is
//   consistent (crash_ledger.h lists the checks).
// Each scan is an each-level GTIN-13 (1 unit), so recorded units = outbox ops = received
// events; about 5 % of the scans are unknown GTINs, refused and recording nothing.
//
// The rounds are drawn from a seeded RNG (BACKFILL_CRASH_SEED overrides the seed, to repeat a
// failure). A round feeds its scans either all at once (group commits of up to 100) or in small
// bursts that wait for their output, then kills the child after a random number of printed
// lines plus a random 0-3 ms (one round in eight: 0-8 ms after the start), so the kill lands
// anywhere: during start-up, inside a transaction, between commit and print, while printing.
// Fixed rounds: one killed while idle after printing everything (recorded = printed exactly),
// --sync-each rounds, and a last round that ends its input normally.

#include "e2e/crash_child.h"
#include "e2e/crash_ledger.h"
#include "ledger/CheckDigit.h"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <signal.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using backfill::test::CrashChild;
using nlohmann::json;

namespace {

constexpr int kProducts = 240;
constexpr int kBackorderedProducts = 120; // products 0..119 have waiting order lines
constexpr int kRounds = 40;
constexpr size_t kMaxGroup = 100; // CmdReceive.cpp: scans per group commit at most
constexpr const char* kToday = "2026-11-28";
constexpr const char* kDock = "DOCK-1";

std::string gtin13(const char* prefix7, int n)
{
    char data[13];
    std::snprintf(data, sizeof data, "%s%05d", prefix7, n);
    return std::string(data) + static_cast<char>('0' + backfill::ledger::gs1CheckDigit(data));
}
std::string knownGtin(int product) { return gtin13("4006381", product); }
std::string unknownGtin(int n) { return gtin13("4006382", n); }
std::string skuOf(int product)
{
    char sku[16];
    std::snprintf(sku, sizeof sku, "CR-%04d", product);
    return sku;
}

void writeFile(const fs::path& path, const std::string& text)
{
    std::ofstream out(path, std::ios::binary);
    out << text;
    REQUIRE(out.good());
}

// Master data: products with each and case GTINs, a dock, storage and three staging lanes,
// waiting order lines on the first half of the products and loose inbound on a middle band.
void writeMasterData(const fs::path& dir, std::mt19937& rng)
{
    std::string catalog = "sku,description,gtin,case_gtin,case_qty,safety_stock,lead_time_days\n";
    for (int p = 0; p < kProducts; ++p) {
        const std::string caseData = "1" + knownGtin(p).substr(0, 12);
        const std::string caseGtin = caseData + static_cast<char>('0' + backfill::ledger::gs1CheckDigit(caseData));
        catalog += skuOf(p) + ",Crash test item " + std::to_string(p) + "," + knownGtin(p) + "," +
                   (p % 3 == 0 ? caseGtin + ",12" : ",") + ",0,7\n";
    }
    writeFile(dir / "catalog.csv", catalog);
    writeFile(dir / "locations.csv", "code,kind,sequence\nDOCK-1,receiving,1\nA-01,storage,10\nA-02,storage,11\n"
                                     "OUT-1,staging,100\nOUT-2,staging,101\nOUT-3,staging,102\n");
    std::string backorders = "order_id,line,customer,email,sku,qty,priority,ordered_at,promised_at\n";
    std::uniform_int_distribution<int> product(0, kBackorderedProducts - 1), qty(1, 6), priority(-1, 3), day(1, 28),
        lines(1, 4);
    for (int order = 0; order < 150; ++order) {
        const int n = lines(rng);
        for (int line = 1; line <= n; ++line) {
            const int prio = priority(rng);
            char dates[64];
            std::snprintf(dates, sizeof dates, "2026-10-%02d,%s", day(rng),
                          rng() % 3 == 0 ? ("2026-12-" + std::to_string(10 + day(rng) % 10)).c_str() : "");
            backorders += "SO-" + std::to_string(10000 + order) + "," + std::to_string(line) + ",Customer " +
                          std::to_string(order % 17) + ",c" + std::to_string(order % 17) + "@example.com," +
                          skuOf(product(rng)) + "," + std::to_string(qty(rng)) + "," +
                          (prio < 0 ? std::string() : std::to_string(prio)) + "," + dates + "\n";
        }
    }
    writeFile(dir / "backorders.csv", backorders);
    std::string inbound = "inbound_id,supplier,sku,qty,eta,sscc\n";
    for (int p = 60; p < 180; ++p)
        for (int k = 0; k < 1 + p % 3; ++k)
            inbound += "PO-" + std::to_string(500 + (p + k) % 7) + ",Supplier " + std::to_string(k) + "," + skuOf(p) +
                       "," + std::to_string(1 + (p * 7 + k) % 8) + ",2026-12-" + std::to_string(10 + (p + 3 * k) % 9) + ",\n";
    writeFile(dir / "inbound.csv", inbound);
}

struct Scan {
    std::string text;
    int product = -1; // -1: unknown GTIN, refused
};

std::vector<Scan> drawScans(std::mt19937& rng, size_t count)
{
    std::vector<Scan> scans;
    std::uniform_int_distribution<int> percent(0, 99), backordered(0, kBackorderedProducts - 1), any(0, kProducts - 1),
        unknown(0, 999);
    for (size_t i = 0; i < count; ++i) {
        const int roll = percent(rng);
        if (roll < 5)
            scans.push_back({unknownGtin(unknown(rng)), -1});
        else {
            const int p = roll < 70 ? backordered(rng) : any(rng);
            scans.push_back({knownGtin(p), p});
        }
    }
    return scans;
}

std::vector<std::string> okScansOf(const std::vector<Scan>& scans, size_t first)
{
    std::vector<std::string> out;
    for (size_t i = 0; i < std::min(first, scans.size()); ++i)
        if (scans[i].product >= 0) out.push_back(scans[i].text);
    return out;
}

std::string envOr(const char* name, const std::string& fallback)
{
    const char* v = std::getenv(name);
    return v && *v ? v : fallback;
}

struct Workspace {
    fs::path dir;
    std::string bin;
    std::string db;
    Workspace()
    {
        bin = envOr("BACKFILL_BIN", "");
        REQUIRE_MESSAGE(!bin.empty(), "BACKFILL_BIN must name the backfill binary");
        std::string pattern = (fs::path(envOr("BACKFILL_BUILD", fs::temp_directory_path().string())) / "crash-XXXXXX").string();
        REQUIRE(::mkdtemp(pattern.data()) != nullptr);
        dir = pattern;
        db = (dir / "terminal.db").string();
    }
    ~Workspace()
    {
        std::error_code ignored;
        if (envOr("BACKFILL_KEEP_TMP", "").empty()) fs::remove_all(dir, ignored);
    }
    std::vector<std::string> command(std::initializer_list<std::string> args) const
    {
        std::vector<std::string> argv{bin, "--db", db, "--today", kToday};
        argv.insert(argv.end(), args);
        return argv;
    }
    std::string errPath() const { return (dir / "stderr.txt").string(); }
};

void importFile(const Workspace& w, const std::string& kind, const fs::path& file)
{
    const auto [status, lines] = backfill::test::runToEnd(w.command({"import", kind, file.string()}), w.errPath());
    INFO(kind << ": " << backfill::test::readFile(w.errPath()));
    REQUIRE(WIFEXITED(status));
    REQUIRE(WEXITSTATUS(status) == 0);
    REQUIRE(lines.size() == 1);
    CHECK(json::parse(lines[0]).at("imported").get<int64_t>() > 0);
}

// checkPrinted verifies each printed line against the scan it answers, in order, and adds its
// allocations to `printedAllocations`.
void checkPrinted(const std::vector<std::string>& lines, const std::vector<Scan>& scans,
                  std::map<std::pair<std::string, int64_t>, int64_t>& printedAllocations)
{
    REQUIRE(lines.size() <= scans.size());
    for (size_t i = 0; i < lines.size(); ++i) {
        INFO("line " << i << ": " << lines[i]);
        const auto doc = json::parse(lines[i]);
        CHECK(doc.at("scan") == scans[i].text);
        if (scans[i].product < 0) {
            CHECK(doc.at("ok") == false);
            CHECK(doc.at("code") == "unknown_gtin");
            continue;
        }
        CHECK(doc.at("ok") == true);
        CHECK(doc.at("sku") == skuOf(scans[i].product));
        CHECK(doc.at("qty") == 1);
        CHECK(doc.at("location") == kDock);
        int64_t allocated = 0;
        for (const auto& a : doc.at("allocations")) {
            allocated += a.at("qty").get<int64_t>();
            CHECK(a.at("stage").get<std::string>().rfind("OUT-", 0) == 0);
            printedAllocations[{a.at("order_id").get<std::string>(), a.at("line").get<int64_t>()}] += a.at("qty").get<int64_t>();
        }
        CHECK(allocated + doc.at("to_stock").get<int64_t>() == 1);
    }
}

enum class Mode { Group, SyncEach, Idle };

} // namespace

TEST_CASE("receive - survives SIGKILL at random moments: printed <= recorded <= printed + one transaction")
{
    ::signal(SIGPIPE, SIG_IGN); // a killed child closes its stdin under our writes
    const unsigned seed = static_cast<unsigned>(std::stoul(envOr("BACKFILL_CRASH_SEED", "20261128")));
    MESSAGE("seed " << seed << " (set BACKFILL_CRASH_SEED to repeat another)");
    std::mt19937 rng(seed);
    Workspace w;
    writeMasterData(w.dir, rng);
    for (const char* kind : {"locations", "catalog", "inbound", "backorders"})
        importFile(w, kind, w.dir / (std::string(kind) + ".csv"));

    int64_t recordedBefore = 0;
    std::map<std::pair<std::string, int64_t>, int64_t> printedAllocations;
    int roundsBeyondPrinted = 0, roundsBeforeOutput = 0;
    size_t maxInFlight = 0;
    for (int round = 0; round < kRounds; ++round) {
        const Mode mode = round == 7 ? Mode::Idle : round % 4 == 3 ? Mode::SyncEach : Mode::Group;
        const bool flood = mode == Mode::Idle || rng() % 2 == 0;
        const auto scans = drawScans(rng, std::uniform_int_distribution<size_t>(50, 400)(rng));
        // Kill after `killAfter` printed lines plus `delay`; one round in eight right at start-up.
        size_t killAfter = std::uniform_int_distribution<size_t>(0, scans.size() - 1)(rng);
        auto delay = std::chrono::microseconds(std::uniform_int_distribution<int>(0, 3000)(rng));
        if (rng() % 8 == 0) {
            killAfter = 0;
            delay = std::chrono::microseconds(std::uniform_int_distribution<int>(0, 8000)(rng));
        }
        if (mode == Mode::Idle) {
            killAfter = scans.size();
            delay = {};
        }
        CAPTURE(round);
        CAPTURE(flood);
        CAPTURE(killAfter);
        CAPTURE(delay.count());

        CrashChild child(mode == Mode::SyncEach ? w.command({"receive", "--sync-each", "-"}) : w.command({"receive", "-"}),
                         w.errPath());
        std::uniform_int_distribution<size_t> burst(1, 20);
        size_t sent = 0;
        auto sendMore = [&] {
            const size_t n = flood ? scans.size() : std::min(scans.size() - sent, burst(rng));
            for (size_t i = sent; i < sent + n; ++i) child.send(scans[i].text + "\n");
            sent += n;
        };
        sendMore();
        std::optional<std::chrono::steady_clock::time_point> killAt;
        const auto giveUp = std::chrono::steady_clock::now() + std::chrono::seconds(60);
        bool exitedEarly = false;
        while (true) {
            const auto now = std::chrono::steady_clock::now();
            REQUIRE_MESSAGE(now < giveUp, "no progress: " << child.lines().size() << " lines of " << scans.size());
            if (!killAt && child.lines().size() >= killAfter) killAt = now + delay;
            if (killAt && now >= *killAt) break;
            // A burst goes out once the previous one is answered.
            if (!flood && sent < scans.size() && child.lines().size() == sent) sendMore();
            if (!child.pump(std::chrono::milliseconds(1))) {
                exitedEarly = true;
                break;
            }
        }
        const int status = child.killNow();
        INFO("stderr: " << backfill::test::readFile(w.errPath()));
        REQUIRE_FALSE(exitedEarly);
        REQUIRE(WIFSIGNALED(status));
        CHECK(WTERMSIG(status) == SIGKILL);
        CHECK(backfill::test::readFile(w.errPath()).empty());

        const auto& lines = child.lines();
        checkPrinted(lines, scans, printedAllocations);
        const auto state = backfill::test::checkLedger(w.db);
        REQUIRE(state.outboxRows >= recordedBefore);
        const std::vector<std::string> recorded(state.outboxScans.begin() + recordedBefore, state.outboxScans.end());
        const size_t inFlight = mode == Mode::SyncEach ? 1 : kMaxGroup;
        const auto printedOk = okScansOf(scans, lines.size());
        const auto allOk = okScansOf(scans, scans.size());
        const auto mostOk = okScansOf(scans, lines.size() + inFlight);
        // The recorded scans are the first ones sent, in order: printed <= recorded <= printed + in flight.
        CHECK(recorded.size() >= printedOk.size());
        CHECK(recorded.size() <= mostOk.size());
        CHECK(std::equal(recorded.begin(), recorded.end(), allOk.begin(), allOk.begin() + static_cast<long>(std::min(recorded.size(), allOk.size()))));
        if (mode == Mode::Idle) CHECK(recorded.size() == allOk.size());
        CHECK(state.onHand == state.outboxRows); // one unit per scan
        for (const auto& [line, qty] : printedAllocations) CHECK(state.allocatedByLine.at(line) >= qty);

        if (recorded.size() > printedOk.size()) ++roundsBeyondPrinted;
        if (lines.empty()) ++roundsBeforeOutput;
        maxInFlight = std::max(maxInFlight, recorded.size() - std::min(recorded.size(), printedOk.size()));
        recordedBefore = state.outboxRows;
    }
    MESSAGE(kRounds << " kills; " << recordedBefore << " scans recorded; " << roundsBeyondPrinted
                    << " rounds recorded scans whose lines were not printed yet (at most " << maxInFlight << "); "
                    << roundsBeforeOutput << " rounds were killed before any output");

    // The database still serves a normal run to the end, and the CLI reads the same totals.
    std::mt19937 lastRng(seed + 1);
    const auto scans = drawScans(lastRng, 120);
    CrashChild last(w.command({"receive", "-"}), w.errPath());
    for (const auto& s : scans) last.send(s.text + "\n");
    while (last.pendingInput() > 0) REQUIRE(last.pump(std::chrono::milliseconds(1000)));
    const int status = last.finish();
    REQUIRE(WIFEXITED(status));
    const bool anyRefused = okScansOf(scans, scans.size()).size() < scans.size();
    CHECK(WEXITSTATUS(status) == (anyRefused ? 1 : 0));
    std::map<std::pair<std::string, int64_t>, int64_t> ignored;
    checkPrinted(last.lines(), scans, ignored);
    CHECK(last.lines().size() == scans.size());
    const auto state = backfill::test::checkLedger(w.db);
    CHECK(state.outboxRows == recordedBefore + static_cast<int64_t>(okScansOf(scans, scans.size()).size()));

    const auto [stockStatus, stockLines] = backfill::test::runToEnd(w.command({"stock"}), w.errPath());
    REQUIRE(WIFEXITED(stockStatus));
    CHECK(WEXITSTATUS(stockStatus) == 0);
    REQUIRE(stockLines.size() == 1);
    int64_t onHand = 0;
    const auto stock = json::parse(stockLines[0]);
    CHECK(stock.size() == static_cast<size_t>(kProducts));
    for (const auto& row : stock) onHand += row.at("on_hand").get<int64_t>();
    CHECK(onHand == state.outboxRows);
}

namespace {

// PipedReceive is a running `backfill <args>` (a `receive ... -`) on a workspace holding
// locations, a catalog and backorders drawn from `seed`, that was sent `count` scans at once
// and has printed a line for each.
struct PipedReceive {
    Workspace w;
    std::vector<Scan> scans;
    std::unique_ptr<CrashChild> child;

    PipedReceive(unsigned seed, size_t count, std::initializer_list<std::string> args)
    {
        ::signal(SIGPIPE, SIG_IGN);
        std::mt19937 rng(seed);
        writeMasterData(w.dir, rng);
        for (const char* kind : {"locations", "catalog", "backorders"}) importFile(w, kind, w.dir / (std::string(kind) + ".csv"));
        scans = drawScans(rng, count);
        child = std::make_unique<CrashChild>(w.command(args), w.errPath());
        for (const auto& s : scans) child->send(s.text + "\n");
        while (child->lines().size() < scans.size()) REQUIRE(child->pump(std::chrono::milliseconds(1000)));
    }
    // finish ends the input and checks the exit status (1 when a scan was refused).
    void finish()
    {
        const int status = child->finish();
        REQUIRE(WIFEXITED(status));
        CHECK(WEXITSTATUS(status) == (okScansOf(scans, scans.size()).size() < scans.size() ? 1 : 0));
    }
};

} // namespace

TEST_CASE("an idle receive - holds no read transaction: its WAL checkpoints to zero frames")
{
    // A statement left on a row keeps its connection's read transaction open; the WAL then never
    // restarts and grows for as long as the receiver runs (it reached 490 MB in the benchmark).
    PipedReceive r(7, 30, {"receive", "-"});
    {
        backfill::test::CrashDb db(r.w.db);
        int walFrames = -1;
        CHECK(db.checkpointTruncate(walFrames) == SQLITE_OK);
        CHECK(walFrames == 0);
    }
    r.finish();
}

TEST_CASE("receive --sync-each - checkpoints between scans: the WAL stays within 1000 frames and one scan's")
{
    // Past 1000 WAL frames the receiver checkpoints after printing a scan's line, before it
    // reads the next (store/Checkpointer.h). Without that, back-to-back scans from a pipe leave
    // the checkpoint thread no gap, and the WAL grows to 2000 frames, where a commit copies it
    // inside itself. 800 scans of 3 to 8 frames each: well past 2000 in all.
    PipedReceive r(11, 800, {"receive", "--sync-each", "-"});
    // The WAL file keeps the largest size it reached (a restart writes from its beginning again).
    const uintmax_t frame = 4096 + 24;
    const uintmax_t largest = fs::file_size(r.w.db + "-wal");
    INFO("largest WAL: " << (largest - 32) / frame << " frames");
    CHECK(largest <= 32 + (1000 + 64) * frame);
    r.finish();
    CHECK(backfill::test::ledgerProblems(r.w.db).empty());
}

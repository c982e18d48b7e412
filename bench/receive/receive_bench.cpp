// Receive benchmark (issue 4; figures in bench/README.md, ## Receive). One run measures, on a
// database holding 100k products and 1M waiting order lines (loaded once through the import
// path into a template and copied for every repetition), against the limit measured in the
// same run on the same disk, bare SQLite single-row WAL+FULL commits:
//  (a) one scan per transaction: in process (Gs1 parse + receipt + TerminalStore::receive,
//      committed on its own) and through the CLI (`backfill receive --sync-each -`, a pipe);
//  (b) a burst through the CLI (`backfill receive -`, group commit), and in process with
//      groups of 100;
//  (c) scan-to-decision latency: in process (scan text in -> committed decision, JSON built),
//      and through the CLI (one line written to `receive -`'s stdin -> its JSON line read back,
//      the child idle in between).
// Repetitions alternate limit and measurements, so a noisy machine hits both; the table gives
// medians over repetitions and the ratios, plus pages and rows written per scan.
//
// Usage: bench_receive [--work DIR] [--bin BACKFILL] [--reps 3] [--products 100000]
//                      [--lines 1000000] [--sync-scans 2000] [--burst-scans 20000]
//                      [--latency-scans 300]

#include "BenchData.h"
#include "BenchUtil.h"
#include "e2e/crash_child.h"
#include "ledger/MasterDataCsv.h"
#include "scan/Gs1Parser.h"
#include "store/TerminalStore.h"
#include "workflow/ReceiptScan.h"

#include <nlohmann/json.hpp>
#include <sqlite3.h>

#include <signal.h>
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>

using namespace backfill;
using namespace backfill::bench;

namespace {

constexpr const char* kToday = "2026-11-28";

template <class T>
T orDie(ledger::Result<T> r, const char* what)
{
    if (!r) throw std::runtime_error(std::string(what) + ": " + r.error().code + ": " + r.error().message);
    return std::move(*r);
}
void orDie(ledger::Result<void> r, const char* what)
{
    if (!r) throw std::runtime_error(std::string(what) + ": " + r.error().code + ": " + r.error().message);
}

template <class Rows>
void importOrDie(Rows rows, ledger::Result<store::ImportReport> (store::TerminalStore::*import)(const Rows&, const store::Actor&),
                 store::TerminalStore& s, const char* what)
{
    if (!rows.errors.empty()) throw std::runtime_error(std::string(what) + ": " + rows.errors[0].format(what));
    const auto t0 = Clock::now();
    auto report = orDie((s.*import)(rows, store::Actor{}), what);
    if (!report.errors.empty()) throw std::runtime_error(std::string(what) + ": " + report.errors[0].format(what));
    std::printf("  %-10s %9zu rows in %6.2f s\n", what, rows.rows.size(), secondsSince(t0));
}

// buildTemplate loads the master data through the store's import path (the code behind
// `backfill import`) once; later runs reuse it while the size matches.
void buildTemplate(const fs::path& db, const BenchDataSize& size)
{
    const fs::path key = db.string() + ".size";
    const std::string want = std::to_string(size.products) + " " + std::to_string(size.lines) + " " + std::to_string(size.inbound);
    if (fs::exists(db) && fs::exists(key) && backfill::test::readFile(key.string()) == want) return;
    std::printf("building template %s (%lld products, %lld lines)\n", db.c_str(), static_cast<long long>(size.products),
                static_cast<long long>(size.lines));
    removeDatabase(db);
    {
        auto s = orDie(store::TerminalStore::open(db.string()), "open template");
        importOrDie(ledger::parseLocationsCsv(benchLocationsCsv()), &store::TerminalStore::importLocations, *s, "locations");
        importOrDie(ledger::parseCatalogCsv(benchCatalogCsv(size)), &store::TerminalStore::importCatalog, *s, "catalog");
        importOrDie(ledger::parseInboundCsv(benchInboundCsv(size)), &store::TerminalStore::importInbound, *s, "inbound");
        importOrDie(ledger::parseBackordersCsv(benchBackordersCsv(size)), &store::TerminalStore::importBackorders, *s,
                    "backorders");
    }
    std::ofstream(key) << want;
}

struct InProcess {
    double perSecond = 0;
    double medianLatencyUs = 0;
    double p90LatencyUs = 0;
    double pagesPerScan = 0; // SQLITE_DBSTATUS_CACHE_WRITE: pages written at commit
    double rowsPerScan = 0;  // sqlite3_total_changes: rows inserted/updated
};

// receiveInProcess receives `scans` through the same code as the CLI: parse, receipt
// interpretation, TerminalStore::receive; `group` scans per transaction (1: each on its own).
InProcess receiveInProcess(const fs::path& db, const std::vector<std::string>& scans, size_t group)
{
    auto s = orDie(store::TerminalStore::open(db.string()), "open");
    sqlite3* h = s->database().handle();
    scan::ParseOptions parse;
    parse.today = *ledger::parseDate(kToday);
    const std::string location = orDie(s->defaultReceivingLocation(), "location");
    store::Actor actor{"bench", "bench", 1795000000};
    std::vector<double> latency;
    int cur = 0, high = 0;
    sqlite3_db_status(h, SQLITE_DBSTATUS_CACHE_WRITE, &cur, &high, 1);
    const int changes0 = sqlite3_total_changes(h);
    size_t bytes = 0;
    const auto t0 = Clock::now();
    for (size_t i = 0; i < scans.size(); i += group) {
        const auto g0 = Clock::now();
        if (group > 1) orDie(s->begin(), "begin");
        for (size_t k = i; k < std::min(scans.size(), i + group); ++k) {
            auto parsed = orDie(scan::parseScan(scans[k], parse), "parse");
            auto request = orDie(workflow::receiptFromScan(parsed, location), "receipt");
            const auto lines = orDie(s->receive(request, actor), "receive");
            for (const auto& l : lines) { // the decision as the CLI prints it
                nlohmann::ordered_json allocations = nlohmann::ordered_json::array();
                for (const auto& a : l.allocations)
                    allocations.push_back({{"order_id", a.orderId}, {"line", a.line}, {"qty", a.qty}, {"stage", a.stage.value_or("")}});
                bytes += nlohmann::ordered_json{{"scan", scans[k]}, {"ok", true}, {"sku", l.sku}, {"qty", l.qty},
                                                {"allocations", allocations}, {"to_stock", l.toStock}}
                             .dump()
                             .size();
            }
        }
        if (group > 1) orDie(s->commit(), "commit");
        latency.push_back(std::chrono::duration<double, std::micro>(Clock::now() - g0).count());
    }
    InProcess r;
    r.perSecond = static_cast<double>(scans.size()) / secondsSince(t0);
    sqlite3_db_status(h, SQLITE_DBSTATUS_CACHE_WRITE, &cur, &high, 0);
    r.pagesPerScan = static_cast<double>(cur) / static_cast<double>(scans.size());
    r.rowsPerScan = static_cast<double>(sqlite3_total_changes(h) - changes0) / static_cast<double>(scans.size());
    r.medianLatencyUs = median(latency);
    r.p90LatencyUs = percentile(latency, 0.9);
    if (bytes == 0) throw std::runtime_error("no decisions");
    return r;
}

std::vector<std::string> receiveCommand(const std::string& bin, const fs::path& db, bool syncEach)
{
    std::vector<std::string> argv{bin, "--db", db.string(), "--today", kToday, "receive"};
    if (syncEach) argv.push_back("--sync-each");
    argv.push_back("-");
    return argv;
}

void waitForLines(backfill::test::CrashChild& child, size_t n)
{
    while (child.lines().size() < n)
        if (!child.pump(std::chrono::milliseconds(1000))) throw std::runtime_error("backfill receive ended early");
}

void finishOrDie(backfill::test::CrashChild& child, const fs::path& errPath, size_t expectLines)
{
    const int status = child.finish();
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || child.lines().size() != expectLines)
        throw std::runtime_error("backfill receive failed: " + backfill::test::readFile(errPath.string()));
    for (const auto& line : child.lines())
        if (line.find("\"ok\":true") == std::string::npos) throw std::runtime_error("refused scan: " + line);
}

// receiveCli feeds `scans` all at once to `backfill receive` after one warm-up scan (so the
// process start and database open are not counted) and returns scans per second.
double receiveCli(const std::string& bin, const fs::path& db, const fs::path& errPath, const std::vector<std::string>& scans,
                  bool syncEach, std::vector<double>* latencyUs, const std::vector<std::string>& latencyScans)
{
    backfill::test::CrashChild child(receiveCommand(bin, db, syncEach), errPath.string());
    child.send(latencyScans.at(0) + "\n");
    waitForLines(child, 1);
    std::string all;
    for (const auto& s : scans) all += s + "\n";
    const auto t0 = Clock::now();
    child.send(all);
    waitForLines(child, 1 + scans.size());
    const double rate = static_cast<double>(scans.size()) / secondsSince(t0);
    size_t expect = 1 + scans.size();
    if (latencyUs) {
        // One scan at a time, the receiver idle in between: scan in -> JSON line out.
        for (size_t i = 1; i < latencyScans.size(); ++i) {
            const auto s0 = Clock::now();
            child.send(latencyScans[i] + "\n");
            waitForLines(child, ++expect);
            latencyUs->push_back(std::chrono::duration<double, std::micro>(Clock::now() - s0).count());
        }
    }
    finishOrDie(child, errPath, expect);
    return rate;
}

struct Rep {
    BareCommits bare;
    InProcess eachIn, groupIn;
    double eachCli = 0, burstCli = 0, cliLatencyUs = 0, cliLatencyP90Us = 0;
};

} // namespace

int main(int argc, char** argv)
try {
    ::signal(SIGPIPE, SIG_IGN);
    const Flags flags(argc, argv);
    const fs::path work = flags.text("--work", (fs::temp_directory_path() / "backfill-bench").string());
    const std::string bin = flags.text("--bin", BACKFILL_BIN_DEFAULT);
    const int reps = static_cast<int>(flags.number("--reps", 3));
    BenchDataSize size;
    size.products = flags.number("--products", size.products);
    size.lines = flags.number("--lines", size.lines);
    size.inbound = size.products / 5;
    const auto syncScans = static_cast<size_t>(flags.number("--sync-scans", 2000));
    const auto burstScans = static_cast<size_t>(flags.number("--burst-scans", 20000));
    const auto latencyScans = static_cast<size_t>(flags.number("--latency-scans", 300));
    fs::create_directories(work);
    const fs::path templ = work / "receive-template.db", run = work / "receive-run.db", bare = work / "bare.db",
                   err = work / "stderr.txt";
    buildTemplate(templ, size);
    std::printf("sqlite %s, work dir %s, backfill %s\n", sqlite3_libversion(), work.c_str(), bin.c_str());

    std::vector<Rep> results;
    for (int r = 0; r < reps; ++r) {
        Rep rep;
        const uint64_t seed = 1000 + static_cast<uint64_t>(r) * 10;
        copyDatabase(templ, run);
        rep.bare = bareCommits(bare, syncScans);
        rep.eachIn = receiveInProcess(run, benchScans(size, syncScans, seed + 1), 1);
        rep.eachCli = receiveCli(bin, run, err, benchScans(size, syncScans, seed + 2), true, nullptr, {benchGtin(0)});
        rep.groupIn = receiveInProcess(run, benchScans(size, burstScans, seed + 3), 100);
        std::vector<double> latency;
        rep.burstCli = receiveCli(bin, run, err, benchScans(size, burstScans, seed + 4), false, &latency,
                                  benchScans(size, latencyScans + 1, seed + 5));
        rep.cliLatencyUs = median(latency);
        rep.cliLatencyP90Us = percentile(latency, 0.9);
        const double bare2 = bareCommits(bare, syncScans).perSecond; // the limit again, after the runs
        rep.bare.perSecond = (rep.bare.perSecond + bare2) / 2;
        std::printf("rep %d: bare %.0f commits/s | (a) in-process %.0f, cli --sync-each %.0f scans/s | (b) in-process "
                    "groups of 100 %.0f, cli burst %.0f scans/s | (c) in-process %.0f us, cli %.0f us\n",
                    r + 1, rep.bare.perSecond, rep.eachIn.perSecond, rep.eachCli, rep.groupIn.perSecond, rep.burstCli,
                    rep.eachIn.medianLatencyUs, rep.cliLatencyUs);
        std::fflush(stdout);
        results.push_back(rep);
    }
    removeDatabase(run);

    auto med = [&](auto get) {
        std::vector<double> v;
        for (const auto& r : results) v.push_back(get(r));
        return median(v);
    };
    const double bareRate = med([](const Rep& r) { return r.bare.perSecond; });
    std::printf("\nmedians of %d repetitions (%lld products, %lld waiting lines)\n", reps,
                static_cast<long long>(size.products), static_cast<long long>(size.lines));
    std::printf("%-52s %12s %8s %8s\n", "", "per second", "ratio", "goal");
    std::printf("%-52s %12.0f %8s %8s\n", "limit: bare SQLite 1-row WAL+FULL commits", bareRate, "1.00", "");
    auto row = [&](const char* name, double rate, const char* goal) {
        std::printf("%-52s %12.0f %8.2f %8s\n", name, rate, rate / bareRate, goal);
    };
    row("(a) scan per txn, in process (scans/s)", med([](const Rep& r) { return r.eachIn.perSecond; }), ">= 0.5");
    row("(a) scan per txn, cli receive --sync-each - (scans/s)", med([](const Rep& r) { return r.eachCli; }), ">= 0.5");
    row("(b) burst, cli receive - group commit (scans/s)", med([](const Rep& r) { return r.burstCli; }), ">= 1.5");
    row("(b) groups of 100, in process (scans/s)", med([](const Rep& r) { return r.groupIn.perSecond; }), "");
    std::printf("per-repetition ratios (a cli, b cli):");
    for (const auto& r : results) std::printf(" %.2f/%.2f", r.eachCli / r.bare.perSecond, r.burstCli / r.bare.perSecond);
    std::printf("\n(c) scan-to-decision latency, median (p90): in process %.0f us (%.0f), cli receive - %.0f us (%.0f)\n",
                med([](const Rep& r) { return r.eachIn.medianLatencyUs; }), med([](const Rep& r) { return r.eachIn.p90LatencyUs; }),
                med([](const Rep& r) { return r.cliLatencyUs; }), med([](const Rep& r) { return r.cliLatencyP90Us; }));
    std::printf("written per scan, txn per scan: %.1f pages, %.1f rows; groups of 100: %.2f pages, %.1f rows; "
                "bare commit: %.1f pages\n",
                med([](const Rep& r) { return r.eachIn.pagesPerScan; }), med([](const Rep& r) { return r.eachIn.rowsPerScan; }),
                med([](const Rep& r) { return r.groupIn.pagesPerScan; }), med([](const Rep& r) { return r.groupIn.rowsPerScan; }),
                med([](const Rep& r) { return r.bare.pagesPerCommit; }));
    return 0;
} catch (const std::exception& e) {
    std::fprintf(stderr, "bench_receive: %s\n", e.what());
    return 1;
}

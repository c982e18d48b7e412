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
//                      [--latency-scans 300] [--sustained-scans 20000] [--latency-file F]

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
#include <thread>

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
    const std::string want = std::to_string(size.products) + " " + std::to_string(size.lines) + " " + std::to_string(size.inbound());
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

std::vector<std::string> receiveCommand(const std::string& bin, const fs::path& db, bool syncEach)
{
    std::vector<std::string> argv{bin, "--db", db.string(), "--today", kToday, "receive"};
    if (syncEach) argv.push_back("--sync-each");
    argv.push_back("-");
    return argv;
}

// InProcessReceiver receives scans through the same code as the CLI: parse, receipt
// interpretation, TerminalStore::receive, and the decision built as JSON; one store kept open.
class InProcessReceiver {
public:
    explicit InProcessReceiver(const fs::path& db)
        : m_store(orDie(store::TerminalStore::open(db.string()), "open")), m_wal(db.string() + "-wal")
    {
        m_parse.today = *ledger::parseDate(kToday);
        m_location = orDie(m_store->defaultReceivingLocation(), "location");
    }

    // run receives `scans`, `group` per transaction (1: each commits on its own), returns
    // scans per second, and adds each transaction's latency (scan in -> committed decision) to
    // `latencyUs` when given.
    // With `every` > 0 a transaction starts every `every` (a scanner's pace), else back to back.
    double run(const std::vector<std::string>& scans, size_t group, std::vector<double>* latencyUs = nullptr,
               Clock::duration every = Clock::duration::zero())
    {
        sqlite3* h = m_store->database().handle();
        int cur = 0, high = 0;
        sqlite3_db_status(h, SQLITE_DBSTATUS_CACHE_WRITE, &cur, &high, 1);
        const int changes0 = sqlite3_total_changes(h);
        const store::Actor actor{"bench", "bench", 1795000000};
        size_t bytes = 0;
        const double cpu0 = threadCpuUs();
        const auto t0 = Clock::now();
        for (size_t i = 0; i < scans.size(); i += group) {
            if (every > Clock::duration::zero()) std::this_thread::sleep_until(t0 + every * static_cast<int64_t>(i / group));
            const auto g0 = Clock::now();
            if (group > 1) orDie(m_store->begin(), "begin");
            for (size_t k = i; k < std::min(scans.size(), i + group); ++k) {
                auto parsed = orDie(scan::parseScan(scans[k], m_parse), "parse");
                auto request = orDie(workflow::receiptFromScan(parsed, m_location), "receipt");
                const auto lines = orDie(m_store->receive(request, actor), "receive");
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
            if (group > 1) orDie(m_store->commit(), "commit");
            if (latencyUs) {
                latencyUs->push_back(std::chrono::duration<double, std::micro>(Clock::now() - g0).count());
                std::error_code ec;
                m_maxWal = std::max<uintmax_t>(m_maxWal, fs::file_size(m_wal, ec));
            }
            // The decision is out: as the CLI and the UI's writer do, a checkpoint due runs
            // now, between two transactions (Checkpointer.h); timed apart from the commits.
            const auto c0 = Clock::now();
            const int64_t copied0 = m_store->database().writerFramesCheckpointed();
            m_store->checkpointIfDue();
            if (latencyUs && m_store->database().writerFramesCheckpointed() != copied0)
                m_checkpointUs.push_back(std::chrono::duration<double, std::micro>(Clock::now() - c0).count());
        }
        const double rate = static_cast<double>(scans.size()) / secondsSince(t0);
        const double cpu = threadCpuUs() - cpu0;
        sqlite3_db_status(h, SQLITE_DBSTATUS_CACHE_WRITE, &cur, &high, 0);
        auto& w = group > 1 ? m_grouped : m_single;
        w.cpuUs += cpu;
        w.pages += cur;
        w.rows += sqlite3_total_changes(h) - changes0;
        w.scans += static_cast<int64_t>(scans.size());
        if (bytes == 0) throw std::runtime_error("no decisions");
        return rate;
    }

    struct Written {
        int64_t pages = 0, rows = 0, scans = 0;
        double cpuUs = 0; // the receiving thread's CPU time (user + system, fsync's included)
        double cpuPerScan() const { return scans ? cpuUs / static_cast<double>(scans) : 0; }
        double pagesPerScan() const { return scans ? static_cast<double>(pages) / static_cast<double>(scans) : 0; }
        double rowsPerScan() const { return scans ? static_cast<double>(rows) / static_cast<double>(scans) : 0; }
    };
    const Written& single() const { return m_single; }
    const Written& grouped() const { return m_grouped; }
    // maxWal is the largest size of the WAL file seen after a commit while latencies were kept.
    uintmax_t maxWal() const { return m_maxWal; }
    // checkpointUs lists the writer's checkpoints between transactions (us) while latencies
    // were kept.
    const std::vector<double>& checkpointUs() const { return m_checkpointUs; }
    store::Database& database() { return m_store->database(); }

private:
    std::unique_ptr<store::TerminalStore> m_store;
    fs::path m_wal;
    uintmax_t m_maxWal = 0;
    std::vector<double> m_checkpointUs;
    scan::ParseOptions m_parse;
    std::string m_location;
    Written m_single, m_grouped;
};

// CliReceiver is one running `backfill receive [--sync-each] -` on a pipe, warmed up with one
// scan (process start and database open are not counted).
class CliReceiver {
public:
    CliReceiver(const std::string& bin, const fs::path& db, const fs::path& errPath, bool syncEach, const std::string& warmUp)
        : m_err(errPath), m_child(receiveCommand(bin, db, syncEach), errPath.string())
    {
        m_child.send(warmUp + "\n");
        waitFor(1);
    }
    // run writes `scans` at once and returns scans per second until the last line came back.
    double run(const std::vector<std::string>& scans)
    {
        std::string all;
        for (const auto& s : scans) all += s + "\n";
        const auto t0 = Clock::now();
        m_child.send(all);
        waitFor(m_expect + scans.size());
        return static_cast<double>(scans.size()) / secondsSince(t0);
    }
    // latency sends one scan at a time, the receiver idle in between: scan in -> line out.
    void latency(const std::vector<std::string>& scans, std::vector<double>& out)
    {
        for (const auto& s : scans) {
            const auto t0 = Clock::now();
            m_child.send(s + "\n");
            waitFor(m_expect + 1);
            out.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
        }
    }
    void finish()
    {
        const int status = m_child.finish();
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || m_child.lines().size() != m_expect)
            throw std::runtime_error("backfill receive failed: " + backfill::test::readFile(m_err.string()));
        for (const auto& line : m_child.lines())
            if (line.find("\"ok\":true") == std::string::npos) throw std::runtime_error("refused scan: " + line);
    }

private:
    void waitFor(size_t n)
    {
        while (m_child.lines().size() < n)
            if (!m_child.pump(std::chrono::milliseconds(1000))) throw std::runtime_error("backfill receive ended early");
        m_expect = n;
    }
    fs::path m_err;
    backfill::test::CrashChild m_child;
    size_t m_expect = 0;
};

std::vector<std::string> slice(const std::vector<std::string>& v, size_t from, size_t n)
{
    return {v.begin() + static_cast<std::ptrdiff_t>(from), v.begin() + static_cast<std::ptrdiff_t>(std::min(v.size(), from + n))};
}

// Series collects one measurement per block, and its ratio to the limit's block beside it.
struct Series {
    std::vector<double> rates, ratios;
    void add(double rate, double limit)
    {
        rates.push_back(rate);
        ratios.push_back(rate / limit);
    }
};

} // namespace

int main(int argc, char** argv)
try {
    ::signal(SIGPIPE, SIG_IGN);
    const Flags flags(argc, argv);
    const fs::path work = flags.text("--work", (fs::temp_directory_path() / "backfill-bench").string());
    const std::string bin = flags.text("--bin", BACKFILL_BIN_DEFAULT);
    const int reps = static_cast<int>(flags.number("--reps", 3));
    const BenchDataSize size = benchSizeFrom(flags);
    const auto syncScans = static_cast<size_t>(flags.number("--sync-scans", 2000));
    const auto burstScans = static_cast<size_t>(flags.number("--burst-scans", 20000));
    const auto latencyScans = static_cast<size_t>(flags.number("--latency-scans", 300));
    const auto blocks = static_cast<size_t>(flags.number("--blocks", 10));
    const auto bareBlock = static_cast<size_t>(flags.number("--bare-commits", 200));
    const auto sustainedScans = static_cast<size_t>(flags.number("--sustained-scans", 20000));
    // Every commit's latency of the sustained run, one number (us) per line in commit order:
    // where the slow ones fall (the checkpoints' rhythm, the first commits).
    const std::string latencyFile = flags.text("--latency-file", "");
    const auto pacedScans = static_cast<size_t>(flags.number("--paced-scans", 1000));
    const auto pacedRate = flags.number("--paced-rate", 20);
    fs::create_directories(work);
    const fs::path templ = work / "receive-template.db", run = work / "receive-run.db", bare = work / "bare.db",
                   err = work / "stderr.txt";
    buildTemplate(templ, size);
    std::printf("sqlite %s, work dir %s, backfill %s\n", sqlite3_libversion(), work.c_str(), bin.c_str());
    std::printf("each repetition: %zu blocks; a block = %zu bare commits, then the same share of every measurement\n",
                blocks, bareBlock);

    Series bareRate, eachIn, eachCli, groupIn, burstCli;
    std::vector<double> latencyIn, latencyCli;
    std::vector<double> pagesSingle, rowsSingle, pagesGrouped, rowsGrouped, pagesBare, cpuSingle, cpuGrouped, cpuBare;
    for (int r = 0; r < reps; ++r) {
        const uint64_t seed = 1000 + static_cast<uint64_t>(r) * 10;
        copyDatabase(templ, run);
        BareDb limit(bare);
        InProcessReceiver in(run);
        CliReceiver cliEach(bin, run, err, true, benchGtin(0));
        CliReceiver cliBurst(bin, run, work / "stderr-burst.txt", false, benchGtin(1));
        const auto scansIn = benchScans(size, syncScans, seed + 1), scansCli = benchScans(size, syncScans, seed + 2);
        const auto groupsIn = benchScans(size, burstScans, seed + 3), burstsCli = benchScans(size, burstScans, seed + 4);
        const size_t each = (syncScans + blocks - 1) / blocks, burst = (burstScans + blocks - 1) / blocks;
        // Blocks alternate the limit with every measurement, so a slow spell of the shared disk
        // hits both sides of a ratio.
        for (size_t b = 0; b < blocks; ++b) {
            const double l = limit.run(bareBlock);
            bareRate.add(l, l);
            eachIn.add(in.run(slice(scansIn, b * each, each), 1), l);
            eachCli.add(cliEach.run(slice(scansCli, b * each, each)), l);
            groupIn.add(in.run(slice(groupsIn, b * burst, burst), 100), l);
            burstCli.add(cliBurst.run(slice(burstsCli, b * burst, burst)), l);
        }
        (void)in.run(benchScans(size, latencyScans, seed + 5), 1, &latencyIn);
        cliBurst.latency(benchScans(size, latencyScans, seed + 6), latencyCli);
        cliEach.finish();
        cliBurst.finish();
        pagesSingle.push_back(in.single().pagesPerScan());
        rowsSingle.push_back(in.single().rowsPerScan());
        pagesGrouped.push_back(in.grouped().pagesPerScan());
        rowsGrouped.push_back(in.grouped().rowsPerScan());
        pagesBare.push_back(limit.pagesPerCommit());
        cpuBare.push_back(limit.cpuPerCommit());
        cpuSingle.push_back(in.single().cpuPerScan());
        cpuGrouped.push_back(in.grouped().cpuPerScan());
        std::printf("rep %d done: bare %.0f commits/s, (a) in-process %.0f, cli %.0f scans/s, (b) in-process %.0f, cli %.0f "
                    "scans/s (block medians so far)\n",
                    r + 1, median(bareRate.rates), median(eachIn.rates), median(eachCli.rates), median(groupIn.rates),
                    median(burstCli.rates));
        std::fflush(stdout);
    }
    // (d) A sustained run, one scan per transaction: per-commit latency against
    // bare commits measured right before on the same disk, the WAL's largest size, and what
    // the checkpoints moved (frames copied by the thread in gaps and by the writer between
    // transactions) and how long the writer's took.
    struct Sustained {
        std::vector<double> lat, bareLat, checkpointUs;
        uintmax_t maxWal = 0;
        int64_t threadFrames = 0, writerFrames = 0;
        double rate = 0;
    } x, paced;
    {
        copyDatabase(templ, run);
        BareDb limit(bare);
        limit.run(sustainedScans / 4, &x.bareLat);
        InProcessReceiver in(run);
        x.rate = in.run(benchScans(size, sustainedScans, 77), 1, &x.lat);
        x.maxWal = in.maxWal();
        x.threadFrames = in.database().framesCheckpointed();
        x.writerFrames = in.database().writerFramesCheckpointed();
        x.checkpointUs = in.checkpointUs();
        if (!latencyFile.empty()) writeLines(latencyFile, x.lat);
    }
    // (e) The same at a scanner's pace (--paced-rate scans/s, default 20: a fast wedge
    // scanner), bare commits at the same pace first: the commits leave gaps for checkpoints.
    if (pacedScans > 0 && pacedRate > 0) {
        const auto every = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / static_cast<double>(pacedRate)));
        copyDatabase(templ, run);
        BareDb limit(bare);
        limit.run(pacedScans / 4, &paced.bareLat, every);
        InProcessReceiver in(run);
        (void)in.run(benchScans(size, 40, 78), 1); // warm up, staying under Checkpointer::kIdleFrames
        paced.rate = in.run(benchScans(size, pacedScans, 79), 1, &paced.lat, every);
        paced.maxWal = in.maxWal();
        paced.threadFrames = in.database().framesCheckpointed();
        paced.writerFrames = in.database().writerFramesCheckpointed();
    }
    removeDatabase(run);

    std::printf("\n%d repetitions x %zu blocks (%lld products, %lld waiting lines); medians over blocks\n", reps, blocks,
                static_cast<long long>(size.products), static_cast<long long>(size.lines));
    std::printf("%-52s %12s %8s %14s %8s\n", "", "per second", "ratio", "ratio p10-p90", "goal");
    auto row = [&](const char* name, const Series& x, const char* goal) {
        std::printf("%-52s %12.0f %8.2f %6.2f-%-7.2f %8s\n", name, median(x.rates), median(x.ratios), percentile(x.ratios, 0.1),
                    percentile(x.ratios, 0.9), goal);
    };
    row("limit: bare SQLite 1-row WAL+FULL commits", bareRate, "");
    row("(a) scan per txn, in process (scans/s)", eachIn, ">= 0.5");
    row("(a) scan per txn, cli receive --sync-each - (scans/s)", eachCli, ">= 0.5");
    row("(b) burst, cli receive - group commit (scans/s)", burstCli, ">= 1.5");
    row("(b) groups of 100, in process (scans/s)", groupIn, "");
    std::printf("(c) scan-to-decision latency, median (p90): in process %.0f us (%.0f), cli receive - %.0f us (%.0f)\n",
                median(latencyIn), percentile(latencyIn, 0.9), median(latencyCli), percentile(latencyCli, 0.9));
    std::printf("(d) sustained %zu scans, one per txn, in process: %.0f scans/s; commit latency p50 %.0f us, "
                    "p99 %.0f us (p99/p50 %.2f), max %.0f us; bare commit p50 %.0f us, p99 %.0f us, max %.0f us; "
                    "largest WAL %.2f MB (%ju frames); frames copied by the checkpoint thread %lld, by the writer %lld in %zu "
                    "checkpoints between transactions (median %.0f us, max %.0f us)\n",
                    sustainedScans, x.rate, median(x.lat), percentile(x.lat, 0.99),
                    percentile(x.lat, 0.99) / median(x.lat), percentile(x.lat, 1.0), median(x.bareLat),
                    percentile(x.bareLat, 0.99), percentile(x.bareLat, 1.0), static_cast<double>(x.maxWal) / 1e6,
                    x.maxWal > 32 ? (x.maxWal - 32) / (4096 + 24) : 0, static_cast<long long>(x.threadFrames),
                    static_cast<long long>(x.writerFrames), x.checkpointUs.size(), x.checkpointUs.empty() ? 0.0 : median(x.checkpointUs),
                    x.checkpointUs.empty() ? 0.0 : percentile(x.checkpointUs, 1.0));
    if (!paced.lat.empty())
        std::printf("(e) paced %zu scans at %lld scans/s, one per txn, in process: commit latency p50 %.0f us, p99 %.0f us "
                    "(p99/p50 %.2f), max %.0f us; bare commit at the same pace p50 %.0f us, p99 %.0f us, max %.0f us; "
                    "largest WAL %.2f MB; frames copied by the checkpoint thread %lld, by the writer %lld\n",
                    pacedScans, static_cast<long long>(pacedRate), median(paced.lat), percentile(paced.lat, 0.99),
                    percentile(paced.lat, 0.99) / median(paced.lat), percentile(paced.lat, 1.0), median(paced.bareLat),
                    percentile(paced.bareLat, 0.99), percentile(paced.bareLat, 1.0),
                    static_cast<double>(paced.maxWal) / 1e6, static_cast<long long>(paced.threadFrames),
                    static_cast<long long>(paced.writerFrames));
    std::printf("written per scan, txn per scan: %.1f pages, %.1f rows; groups of 100: %.2f pages, %.1f rows; "
                "bare commit: %.1f pages\n",
                median(pagesSingle), median(rowsSingle), median(pagesGrouped), median(rowsGrouped), median(pagesBare));
    std::printf("receiving thread's CPU per scan, in process: %.0f us in its own transaction, %.0f us in groups of 100; "
                "per bare commit: %.0f us\n",
                median(cpuSingle), median(cpuGrouped), median(cpuBare));
    return 0;
} catch (const std::exception& e) {
    std::fprintf(stderr, "bench_receive: %s\n", e.what());
    return 1;
}

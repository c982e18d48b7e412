// Operations benchmark (issue 10; figures in bench/README.md, ## Operations). On a database of
// `--products` products and `--lines` waiting order lines (imported through the store's import
// path), stocked by receiving `--stock-scans` scans in groups, one run measures each operation
// in a transaction of its own, against the limit measured in the same run on the same disk,
// bare SQLite single-row WAL+FULL commits:
//  - pick: one unit of an allocated line (TerminalStore::pick, FEFO, its events, stock rows,
//    line and one outbox op);
//  - count: a blind count of one product at one location that matches the book (applied at
//    once: counted event, basis, one outbox op).
// Operations and bare commits alternate one by one, so a noisy machine hits both alike; the
// table gives median and p99 latencies and the ratios of medians.
//
// Usage: bench_operations [--work DIR] [--blocks 7] [--block 200] [--products 10000]
//                         [--lines 100000] [--stock-scans 40000]

#include "BenchData.h"
#include "BenchUtil.h"
#include "ledger/MasterDataCsv.h"
#include "store/TerminalStore.h"

#include <cstdio>
#include <map>

using namespace backfill;
using namespace backfill::bench;

namespace {

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
                 store::TerminalStore& s, const store::Actor& actor, const char* what)
{
    if (!rows.errors.empty()) throw std::runtime_error(std::string(what) + ": " + rows.errors[0].format(what));
    auto report = orDie((s.*import)(rows, actor), what);
    if (!report.errors.empty()) throw std::runtime_error(std::string(what) + ": " + report.errors[0].format(what));
}

struct Allocated {
    std::string orderId;
    int64_t line = 0;
    ledger::Qty left = 0;
};

} // namespace

int main(int argc, char** argv)
try {
    const Flags flags(argc, argv);
    const fs::path work = flags.text("--work", (fs::temp_directory_path() / "backfill-bench-ops").string());
    const int blocks = static_cast<int>(flags.number("--blocks", 7));
    const size_t block = static_cast<size_t>(flags.number("--block", 200));
    BenchDataSize size;
    size.products = flags.number("--products", 10'000);
    size.lines = flags.number("--lines", 100'000);
    const size_t stockScans = static_cast<size_t>(flags.number("--stock-scans", 40'000));
    fs::create_directories(work);
    const fs::path dbPath = work / "operations.db";
    removeDatabase(dbPath);

    store::Actor actor;
    actor.today = *ledger::parseDate("2026-12-04");
    actor.at = ledger::startOf(actor.today);
    auto s = orDie(store::TerminalStore::open(dbPath.string()), "open");
    const auto t0 = Clock::now();
    importOrDie(ledger::parseLocationsCsv(benchLocationsCsv()), &store::TerminalStore::importLocations, *s, actor, "locations");
    importOrDie(ledger::parseCatalogCsv(benchCatalogCsv(size)), &store::TerminalStore::importCatalog, *s, actor, "catalog");
    importOrDie(ledger::parseBackordersCsv(benchBackordersCsv(size)), &store::TerminalStore::importBackorders, *s, actor,
                "backorders");
    // Stock: scans received in groups of 500 (allocated to waiting lines and staged).
    const auto scans = benchScans(size, stockScans, 42);
    for (size_t i = 0; i < scans.size(); ++i) {
        if (i % 500 == 0) orDie(s->begin(), "begin");
        ledger::ReceiptRequest r;
        r.scan = "0" + scans[i];
        r.gtin = r.scan;
        r.location = "DOCK-1";
        orDie(s->receive(r, actor), "receive");
        if (i % 500 == 499 || i + 1 == scans.size()) orDie(s->commit(), "commit");
    }
    std::vector<Allocated> allocated;
    for (const auto& row : orDie(s->backorders(), "backorders"))
        if (row.line.allocated > 0) allocated.push_back({row.line.orderId, row.line.line, row.line.allocated});
    std::printf("setup: %lld products, %lld lines, %zu scans received, %zu lines allocated, %.1f s\n",
                static_cast<long long>(size.products), static_cast<long long>(size.lines), scans.size(), allocated.size(),
                secondsSince(t0));
    if (allocated.size() < block * static_cast<size_t>(blocks)) throw std::runtime_error("too few allocated lines: raise --stock-scans");

    // Count targets: every (sku, location, lot) with stock, of the products the scans touched,
    // with its book; each count matches the book, so it is applied at once.
    struct CountTarget {
        std::string sku, location;
        std::optional<std::string> lot;
        ledger::Qty book = 0;
    };
    std::vector<CountTarget> targets;
    for (size_t i = 0; i < scans.size() && targets.size() < block * static_cast<size_t>(blocks); i += 7) {
        const std::string sku = benchSku(std::stoll(scans[i].substr(2, 10)));
        for (const auto& row : orDie(s->stock(sku, actor.today), "stock"))
            for (const auto& l : row.locations)
                if (l.qty > 0) targets.push_back({sku, l.location, l.lot, l.qty});
    }
    if (targets.size() < block * static_cast<size_t>(blocks)) throw std::runtime_error("too few count targets: raise --stock-scans");

    // Interleaved one by one (bare commit, pick, bare commit, count, ...), so the limit and
    // each operation see the same disk at the same moment (the store's checkpointer and other
    // processes included); the ratio is of median latencies.
    BareDb bare(work / "bare.db");
    std::vector<double> bareUs, pickUs, countUs;
    size_t next = 0, nextTarget = 0;
    const size_t n = block * static_cast<size_t>(blocks);
    auto micros = [](Clock::time_point t0) { return std::chrono::duration<double, std::micro>(Clock::now() - t0).count(); };
    for (size_t i = 0; i < n; ++i) {
        bare.run(1, &bareUs);
        while (allocated[next % allocated.size()].left == 0) ++next;
        auto& a = allocated[next++ % allocated.size()];
        auto t0 = Clock::now();
        orDie(s->pick(a.orderId, a.line, 1, std::nullopt, actor), "pick");
        pickUs.push_back(micros(t0));
        --a.left;
        bare.run(1, &bareUs);
        const auto& t = targets[nextTarget++ % targets.size()];
        store::TerminalStore::CountRequest c;
        c.sku = t.sku;
        c.location = t.location;
        c.lot = t.lot;
        c.counted = t.book;
        t0 = Clock::now();
        orDie(s->count(c, actor), "count");
        countUs.push_back(micros(t0));
    }
    const double bareMedian = median(bareUs), pickMedian = median(pickUs), countMedian = median(countUs);
    std::printf("\n%-38s %10s %10s %8s\n", "operation, one per transaction", "median us", "p99 us", "ratio");
    std::printf("%-38s %10.0f %10.0f %8s\n", "bare SQLite single-row commit", bareMedian, percentile(bareUs, 0.99), "1.00");
    std::printf("%-38s %10.0f %10.0f %8.2f\n", "pick (one unit, FEFO)", pickMedian, percentile(pickUs, 0.99),
                bareMedian / pickMedian);
    std::printf("%-38s %10.0f %10.0f %8.2f\n", "count (matches the book: applied)", countMedian, percentile(countUs, 0.99),
                bareMedian / countMedian);
    std::printf("(ratio = bare median / operation median: the operation's rate as a share of bare commits)\n");
    return 0;
} catch (const std::exception& e) {
    std::fprintf(stderr, "bench_operations: %s\n", e.what());
    return 1;
}

// Operations benchmark (issue 10; figures in bench/README.md, ## Operations). On a database of
// `--products` products and `--lines` waiting order lines (imported through the store's import
// path), stocked by receiving `--stock-scans` scans in groups, one run measures each operation
// in a transaction of its own, against the limit measured in the same run on the same disk,
// bare SQLite single-row WAL+FULL commits:
//  - pick: one unit of an allocated line (TerminalStore::pick, FEFO, its events, stock rows,
//    line and one outbox op);
//  - count: a blind count of one product at one location that matches the book (applied at
//    once: counted event, basis, one outbox op).
// Blocks alternate limit and operation, so a noisy machine hits both; the table gives medians
// over blocks and the ratios.
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

    BareDb bare(work / "bare.db");
    std::vector<double> bareRates, pickRates;
    size_t next = 0;
    for (int b = 0; b < blocks; ++b) {
        bareRates.push_back(bare.run(block));
        const auto p0 = Clock::now();
        for (size_t i = 0; i < block; ++i) {
            auto& a = allocated[next++ % allocated.size()];
            if (a.left == 0) continue;
            orDie(s->pick(a.orderId, a.line, 1, std::nullopt, actor), "pick");
            --a.left;
        }
        pickRates.push_back(static_cast<double>(block) / secondsSince(p0));
    }
    const double bareMedian = median(bareRates), pickMedian = median(pickRates);
    std::printf("\n%-34s %12s %8s\n", "measure (median of blocks)", "per second", "ratio");
    std::printf("%-34s %12.0f %8s\n", "bare SQLite single-row commit", bareMedian, "1.00");
    std::printf("%-34s %12.0f %8.2f\n", "pick, one unit per transaction", pickMedian, pickMedian / bareMedian);
    return 0;
} catch (const std::exception& e) {
    std::fprintf(stderr, "bench_operations: %s\n", e.what());
    return 1;
}

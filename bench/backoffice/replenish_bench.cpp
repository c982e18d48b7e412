// Replenishment benchmark (issue 13; figures in bench/README.md, ## Back office). The server's
// database gets the receive benchmark's data through the server's own import path (`--products`
// products, `--lines` order lines ordered over 90 days, inbound on a fifth of the products),
// plus one to three suppliers for every other product and a promotion on every hundredth.
// Then, alternating one by one so a noisy machine hits both alike, it measures:
//  - replenish: server::replenishment on --today, every product decided (what `backfilld
//    replenish` computes before printing), with its JSON built;
//  - the limit: one bare SQL aggregate of the same demand window on a plain sqlite3 connection
//    to the same file (`SELECT sku, SUM(qty) ... GROUP BY sku`), its rows read;
//  - the floor: one bare sequential read of every live order line's columns that replenish
//    sums (what any computation of the three per-line sums has to read), its rows stepped.
// It prints the medians and the ratios (goal: replenish within 3x of the bare aggregate).
//
// Usage: bench_replenish [--work DIR] [--runs 9] [--products 100000] [--lines 1000000]
//                        [--today 2026-10-30]

#include "BenchData.h"
#include "BenchUtil.h"
#include "ledger/MasterDataCsv.h"
#include "server/Imports.h"
#include "server/Replenish.h"
#include "server/SqliteServerStore.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>

using namespace backfill;
using namespace backfill::bench;

namespace {

template <class T>
T orDie(ledger::Result<T> r, const char* what)
{
    if (!r) throw std::runtime_error(std::string(what) + ": " + r.error().code + ": " + r.error().message);
    return std::move(*r);
}

template <class Rows>
void importOrDie(server::ServerStore& store, const Rows& rows,
                 ledger::Result<server::ImportReport> (*import)(server::ServerStore&, const Rows&), const char* what)
{
    if (!rows.errors.empty()) throw std::runtime_error(std::string(what) + ": " + rows.errors[0].format(what));
    const auto report = orDie(import(store, rows), what);
    if (!report.errors.empty()) throw std::runtime_error(std::string(what) + ": " + report.errors[0].format(what));
}

std::string suppliersCsv(int64_t products)
{
    std::string out = "sku,supplier,lead_time_days,min_order_qty,unit_cost\n";
    for (int64_t p = 0; p < products; p += 2)
        for (int64_t s = 0; s <= p % 3; ++s)
            out += benchSku(p) + ",Supplier " + std::to_string((p + s) % 40) + "," + std::to_string(2 + (p + 3 * s) % 19) + "," +
                   std::to_string(6 * (1 + s)) + "," + std::to_string(3 + s) + "." + std::to_string(10 + p % 90) + "\n";
    return out;
}

// The same shape of JSON as `backfilld replenish`, so its cost is part of the figure.
size_t jsonSize(const std::vector<ledger::Replenishment>& rows)
{
    nlohmann::json out = nlohmann::json::array();
    for (const auto& r : rows)
        out.push_back({{"sku", r.sku}, {"on_hand", r.onHand}, {"inbound", r.inbound}, {"allocated", r.allocated},
                       {"waiting", r.waiting}, {"projected", r.projected}, {"reorder_point", r.reorderPoint},
                       {"suggested_qty", r.suggestedQty}, {"lead_time_days", r.leadTimeDays}});
    return out.dump().size();
}

} // namespace

int main(int argc, char** argv)
try {
    const Flags flags(argc, argv);
    const fs::path work = flags.text("--work", (fs::temp_directory_path() / "backfill-bench-replenish").string());
    const int runs = static_cast<int>(flags.number("--runs", 9));
    const BenchDataSize size = benchSizeFrom(flags);
    const auto today = ledger::parseDate(flags.text("--today", "2026-10-30"));
    if (!today) throw std::runtime_error("--today: not a date YYYY-MM-DD");
    fs::create_directories(work);
    const fs::path db = work / "server.db";
    removeDatabase(db);

    const auto setup0 = Clock::now();
    auto store = orDie(server::SqliteServerStore::open(db.string()), "opening the server database");
    importOrDie(*store, ledger::parseCatalogCsv(benchCatalogCsv(size)), &server::importCatalog, "catalog");
    importOrDie(*store, ledger::parseLocationsCsv(benchLocationsCsv()), &server::importLocations, "locations");
    importOrDie(*store, ledger::parseInboundCsv(benchInboundCsv(size)), &server::importInbound, "inbound");
    importOrDie(*store, ledger::parseBackordersCsv(benchBackordersCsv(size)), &server::importBackorders, "backorders");
    const auto suppliers = ledger::parseSuppliersCsv(suppliersCsv(size.products));
    if (!suppliers.errors.empty()) throw std::runtime_error(suppliers.errors[0].format("suppliers"));
    const auto supplierReport = orDie(server::importSuppliers(*store, suppliers), "suppliers");
    if (!supplierReport.errors.empty()) throw std::runtime_error(supplierReport.errors[0].format("suppliers"));
    for (int64_t p = 0; p < size.products; p += 100)
        orDie(server::addPromotion(*store, benchSku(p), "1.5", ledger::Date{today->days + 14}), "promotion");
    std::printf("setup: %lld products, %lld order lines, %zu supplier rows, %.1f s\n", static_cast<long long>(size.products),
                static_cast<long long>(size.lines), suppliers.rows.size(), secondsSince(setup0));

    // The limit: the demand of the same window, [today - 28 days, today), in one aggregate.
    sqlite3* bare = nullptr;
    sqliteCheck(sqlite3_open_v2(db.c_str(), &bare, SQLITE_OPEN_READONLY, nullptr), bare, "opening the bare connection");
    sqlite3_stmt* aggregate = nullptr;
    sqliteCheck(sqlite3_prepare_v2(bare,
                                   "SELECT sku, SUM(qty) FROM order_lines WHERE cancelled = 0 AND ordered_at >= ?1 AND "
                                   "ordered_at < ?2 GROUP BY sku",
                                   -1, &aggregate, nullptr),
                bare, "preparing the aggregate");
    const ledger::Timestamp from = ledger::startOf(ledger::Date{today->days - 28});
    const ledger::Timestamp to = ledger::startOf(*today);
    sqlite3_bind_int64(aggregate, 1, from);
    sqlite3_bind_int64(aggregate, 2, to);
    sqlite3_stmt* scan = nullptr;
    sqliteCheck(sqlite3_prepare_v2(bare, "SELECT sku, qty, allocated, picked, ordered_at FROM order_lines WHERE cancelled = 0", -1,
                                   &scan, nullptr),
                bare, "preparing the scan");

    std::vector<double> replenishMs, bareMs, scanMs;
    size_t decided = 0, reorder = 0, bytes = 0;
    int64_t bareRows = 0, bareUnits = 0, scanRows = 0;
    for (int run = 0; run < runs; ++run) {
        auto t0 = Clock::now();
        const auto rows = orDie(server::replenishment(*store, *today, {}), "replenishment");
        bytes = jsonSize(rows);
        replenishMs.push_back(secondsSince(t0) * 1e3);
        decided = rows.size();
        reorder = static_cast<size_t>(std::count_if(rows.begin(), rows.end(), [](const auto& r) { return r.reorder; }));

        t0 = Clock::now();
        bareRows = bareUnits = 0;
        while (sqlite3_step(aggregate) == SQLITE_ROW) {
            ++bareRows;
            bareUnits += sqlite3_column_int64(aggregate, 1);
        }
        sqliteCheck(sqlite3_reset(aggregate), bare, "running the aggregate");
        bareMs.push_back(secondsSince(t0) * 1e3);

        t0 = Clock::now();
        scanRows = 0;
        while (sqlite3_step(scan) == SQLITE_ROW) ++scanRows;
        sqliteCheck(sqlite3_reset(scan), bare, "running the scan");
        scanMs.push_back(secondsSince(t0) * 1e3);
    }
    sqlite3_finalize(aggregate);
    sqlite3_finalize(scan);
    sqlite3_close(bare);

    const double r = median(replenishMs), b = median(bareMs), f = median(scanMs);
    std::printf("replenish: %zu products decided, %zu to reorder, %zu bytes of JSON\n", decided, reorder, bytes);
    std::printf("bare aggregate: %lld products with demand, %lld units in the window\n", static_cast<long long>(bareRows),
                static_cast<long long>(bareUnits));
    std::printf("\n%-44s %10s %10s %8s\n", "median of runs", "ms", "max ms", "x bare");
    std::printf("%-44s %10.1f %10.1f %8s\n", "bare SQL aggregate of the demand window", b,
                *std::max_element(bareMs.begin(), bareMs.end()), "1.00");
    std::printf("%-44s %10.1f %10.1f %8.2f\n", "bare sequential read of the live lines", f,
                *std::max_element(scanMs.begin(), scanMs.end()), f / b);
    std::printf("%-44s %10.1f %10.1f %8.2f\n", "replenish (every product decided, JSON)", r,
                *std::max_element(replenishMs.begin(), replenishMs.end()), r / b);
    std::printf("(%d runs, alternating; %lld live lines read; replenish = %.2fx the sequential read; goal: replenish within 3x of the bare aggregate)\n",
                runs, static_cast<long long>(scanRows), r / f);
    return 0;
} catch (const std::exception& e) {
    std::fprintf(stderr, "bench_replenish: %s\n", e.what());
    return 1;
}

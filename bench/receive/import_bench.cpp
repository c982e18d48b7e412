// Import benchmark (issue 2; figures in bench/README.md, ## Import): `backfill import catalog`
// of 100k products and `backfill import backorders` of 1M order lines, run as the real CLI on
// generated CSV files, in rows per second, against the limit measured in the same run: bare
// SQLite inserts of the same rows (already parsed, product ids from memory) into the same
// tables and indexes (the store's schema), one transaction, prepared statements. The CSV
// parsing alone (ledger::parse*Csv, in process) is timed too, to show where the time goes.
//
// Usage: bench_import [--work DIR] [--bin BACKFILL] [--reps 3] [--products 100000]
//                     [--lines 1000000]

#include "BenchData.h"
#include "BenchUtil.h"
#include "e2e/crash_child.h"
#include "ledger/MasterDataCsv.h"
#include "store/TerminalStore.h"

#include <sqlite3.h>

#include <signal.h>
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <map>

using namespace backfill;
using namespace backfill::bench;

namespace {

void writeText(const fs::path& path, const std::string& text)
{
    std::ofstream out(path, std::ios::binary);
    out << text;
    if (!out) throw std::runtime_error("cannot write " + path.string());
}

// freshDatabase creates an empty terminal database (schema and indexes by the store's
// migrations) and returns its path.
void freshDatabase(const fs::path& db)
{
    removeDatabase(db);
    auto s = store::TerminalStore::open(db.string());
    if (!s) throw std::runtime_error("open " + db.string() + ": " + s.error().message);
}

// cliImport runs `backfill import KIND FILE` to its end and returns the wall time in seconds.
double cliImport(const std::string& bin, const fs::path& db, const std::string& kind, const fs::path& file,
                 const fs::path& err)
{
    const auto t0 = Clock::now();
    const auto [status, lines] =
        backfill::test::runToEnd({bin, "--db", db.string(), "import", kind, file.string()}, err.string());
    const double seconds = secondsSince(t0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || lines.size() != 1)
        throw std::runtime_error("backfill import " + kind + " failed: " + backfill::test::readFile(err.string()));
    return seconds;
}

struct Sql {
    sqlite3* db = nullptr;
    explicit Sql(const fs::path& path)
    {
        sqliteCheck(sqlite3_open(path.c_str(), &db), db, "open");
        sqliteCheck(sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON", nullptr,
                                 nullptr, nullptr),
                    db, "pragmas");
    }
    ~Sql()
    {
        sqlite3_stmt* s = nullptr;
        while ((s = sqlite3_next_stmt(db, nullptr)) != nullptr) sqlite3_finalize(s);
        sqlite3_close(db);
    }
    sqlite3_stmt* prepare(const char* sql)
    {
        sqlite3_stmt* s = nullptr;
        sqliteCheck(sqlite3_prepare_v2(db, sql, -1, &s, nullptr), db, sql);
        return s;
    }
    void exec(const char* sql) { sqliteCheck(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), db, sql); }
    void step(sqlite3_stmt* s)
    {
        sqliteCheck(sqlite3_step(s), db, sqlite3_sql(s));
        sqlite3_reset(s);
    }
};

void bindText(sqlite3_stmt* s, int i, const std::string& v) { sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC); }
void bindOptionalText(sqlite3_stmt* s, int i, const std::optional<std::string>& v)
{
    if (v)
        bindText(s, i, *v);
    else
        sqlite3_bind_null(s, i);
}

// bareCatalog inserts the parsed products and their GTINs, one transaction; returns seconds.
double bareCatalog(const fs::path& path, const ledger::ParsedRows<ledger::Product>& rows)
{
    freshDatabase(path);
    Sql sql(path);
    auto* product = sql.prepare("INSERT INTO products(sku, description, gtin, case_gtin, case_qty, safety_stock, "
                                "lead_time_days) VALUES(?,?,?,?,?,?,?)");
    auto* gtin = sql.prepare("INSERT INTO gtins(gtin, product_id, units) VALUES(?,?,?)");
    const auto t0 = Clock::now();
    sql.exec("BEGIN IMMEDIATE");
    for (const auto& p : rows.rows) {
        bindText(product, 1, p.sku);
        bindText(product, 2, p.description);
        bindOptionalText(product, 3, p.gtin);
        bindOptionalText(product, 4, p.caseGtin);
        sqlite3_bind_int64(product, 5, p.caseQty);
        sqlite3_bind_int64(product, 6, p.safetyStock);
        sqlite3_bind_int64(product, 7, p.leadTimeDays);
        sql.step(product);
        const auto id = sqlite3_last_insert_rowid(sql.db);
        for (const auto* g : {&p.gtin, &p.caseGtin}) {
            if (!*g) continue;
            bindText(gtin, 1, **g);
            sqlite3_bind_int64(gtin, 2, id);
            sqlite3_bind_int64(gtin, 3, g == &p.caseGtin ? p.caseQty : 1);
            sql.step(gtin);
        }
    }
    sql.exec("COMMIT");
    return secondsSince(t0);
}

// bareBackorders inserts the parsed order lines (and each order once) into a copy of a
// database holding the catalog, product ids from memory, one transaction; returns seconds.
double bareBackorders(const fs::path& catalogDb, const fs::path& path, const ledger::ParsedRows<ledger::OrderLine>& rows)
{
    copyDatabase(catalogDb, path);
    Sql sql(path);
    std::map<std::string, int64_t, std::less<>> ids;
    {
        auto* q = sql.prepare("SELECT sku, id FROM products");
        while (sqlite3_step(q) == SQLITE_ROW)
            ids.emplace(reinterpret_cast<const char*>(sqlite3_column_text(q, 0)), sqlite3_column_int64(q, 1));
        sqlite3_reset(q);
    }
    auto* order = sql.prepare("INSERT INTO orders(order_id, customer, email) VALUES(?,?,?)");
    // Line numbers from memory (the store takes MAX(id) + 1 from the table).
    auto* line = sql.prepare("INSERT INTO order_lines(order_id, line, product_id, qty, priority, ordered_at, promised_at, "
                             "cancelled, id) VALUES(?,?,?,?,?,?,?,0,?)");
    int64_t lineId = 0;
    const auto t0 = Clock::now();
    sql.exec("BEGIN IMMEDIATE");
    const std::string* lastOrder = nullptr;
    for (const auto& l : rows.rows) {
        if (!lastOrder || *lastOrder != l.orderId) { // the generator writes an order's lines together
            bindText(order, 1, l.orderId);
            bindText(order, 2, l.customer);
            bindText(order, 3, l.email);
            sql.step(order);
            lastOrder = &l.orderId;
        }
        bindText(line, 1, l.orderId);
        sqlite3_bind_int64(line, 2, l.line);
        sqlite3_bind_int64(line, 3, ids.at(l.sku));
        sqlite3_bind_int64(line, 4, l.qty);
        sqlite3_bind_int64(line, 5, l.priority);
        sqlite3_bind_int64(line, 6, l.orderedAt);
        if (l.promisedAt)
            sqlite3_bind_int64(line, 7, *l.promisedAt);
        else
            sqlite3_bind_null(line, 7);
        sqlite3_bind_int64(line, 8, ++lineId);
        sql.step(line);
    }
    sql.exec("COMMIT");
    return secondsSince(t0);
}

template <class F>
double timed(F&& f)
{
    const auto t0 = Clock::now();
    f();
    return secondsSince(t0);
}

} // namespace

int main(int argc, char** argv)
try {
    ::signal(SIGPIPE, SIG_IGN);
    const Flags flags(argc, argv);
    const fs::path work = flags.text("--work", (fs::temp_directory_path() / "backfill-bench").string());
    const std::string bin = flags.text("--bin", BACKFILL_BIN_DEFAULT);
    const int reps = static_cast<int>(flags.number("--reps", 3));
    const BenchDataSize size = benchSizeFrom(flags);
    fs::create_directories(work);
    const fs::path catalogCsv = work / "import-catalog.csv", backordersCsv = work / "import-backorders.csv",
                   db = work / "import.db", catalogDb = work / "import-catalog.db", bare = work / "import-bare.db",
                   err = work / "stderr.txt";
    const std::string catalogText = benchCatalogCsv(size), backordersText = benchBackordersCsv(size);
    writeText(catalogCsv, catalogText);
    writeText(backordersCsv, backordersText);
    const auto catalogRows = ledger::parseCatalogCsv(catalogText);
    const auto backorderRows = ledger::parseBackordersCsv(backordersText);
    if (!catalogRows.ok() || !backorderRows.ok()) throw std::runtime_error("generated CSV does not parse");
    std::printf("sqlite %s, work dir %s, backfill %s\n%zu products (%.1f MB), %zu order lines (%.1f MB)\n",
                sqlite3_libversion(), work.c_str(), bin.c_str(), catalogRows.rows.size(), catalogText.size() / 1e6,
                backorderRows.rows.size(), backordersText.size() / 1e6);

    std::vector<double> cliCatalog, bareCat, parseCat, cliBack, bareBack, parseBack;
    for (int r = 0; r < reps; ++r) {
        freshDatabase(db);
        cliCatalog.push_back(cliImport(bin, db, "catalog", catalogCsv, err));
        copyDatabase(db, catalogDb);
        cliBack.push_back(cliImport(bin, db, "backorders", backordersCsv, err));
        bareCat.push_back(bareCatalog(bare, catalogRows));
        bareBack.push_back(bareBackorders(catalogDb, bare, backorderRows));
        parseCat.push_back(timed([&] { (void)ledger::parseCatalogCsv(catalogText); }));
        parseBack.push_back(timed([&] { (void)ledger::parseBackordersCsv(backordersText); }));
        std::printf("rep %d: catalog cli %.2f s, bare %.2f s, parse %.2f s | backorders cli %.2f s, bare %.2f s, parse "
                    "%.2f s\n",
                    r + 1, cliCatalog.back(), bareCat.back(), parseCat.back(), cliBack.back(), bareBack.back(),
                    parseBack.back());
        std::fflush(stdout);
    }
    for (const auto& p : {db, catalogDb, bare}) removeDatabase(p);

    const double nCat = static_cast<double>(catalogRows.rows.size()), nBack = static_cast<double>(backorderRows.rows.size());
    std::printf("\nmedians of %d repetitions\n%-40s %12s %14s %8s %14s\n", reps, "", "import rows/s", "limit rows/s",
                "ratio", "parse rows/s");
    auto row = [](const char* name, double n, const std::vector<double>& cli, const std::vector<double>& bare,
                  const std::vector<double>& parse) {
        std::printf("%-40s %12.0f %14.0f %8.2f %14.0f\n", name, n / median(cli), n / median(bare),
                    median(bare) / median(cli), n / median(parse));
    };
    row("backfill import catalog", nCat, cliCatalog, bareCat, parseCat);
    row("backfill import backorders", nBack, cliBack, bareBack, parseBack);
    return 0;
} catch (const std::exception& e) {
    std::fprintf(stderr, "bench_import: %s\n", e.what());
    return 1;
}

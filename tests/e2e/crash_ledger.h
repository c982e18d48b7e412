#pragma once
// Reads a terminal database straight through the SQLite C API, after a crash, and checks it
// against its own ledger: the checks of the receive crash test (tests/e2e/receive_crash_test.cpp).
// Nothing here uses the store code under test.

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>
#include <sqlite3.h>

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

namespace backfill::test {

// CrashDb is one read connection to a terminal database (opening it recovers a WAL left by a
// killed writer, as the next writer would).
class CrashDb {
public:
    explicit CrashDb(const std::string& path)
    {
        if (sqlite3_open_v2(path.c_str(), &m_db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
            std::string message = m_db ? sqlite3_errmsg(m_db) : "out of memory";
            sqlite3_close(m_db);
            throw std::runtime_error("open " + path + ": " + message);
        }
        sqlite3_busy_timeout(m_db, 5000);
    }
    CrashDb(const CrashDb&) = delete;
    CrashDb& operator=(const CrashDb&) = delete;
    ~CrashDb() { sqlite3_close(m_db); }

    // rows runs `sql` and returns every row as text (NULL as "NULL").
    std::vector<std::vector<std::string>> rows(const std::string& sql)
    {
        sqlite3_stmt* stmt = nullptr;
        if (sqlite3_prepare_v2(m_db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK)
            throw std::runtime_error("prepare " + sql + ": " + sqlite3_errmsg(m_db));
        std::vector<std::vector<std::string>> out;
        int rc;
        while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
            std::vector<std::string> row;
            for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
                const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, i));
                row.emplace_back(text ? text : "NULL");
            }
            out.push_back(std::move(row));
        }
        sqlite3_finalize(stmt);
        if (rc != SQLITE_DONE) throw std::runtime_error("step " + sql + ": " + sqlite3_errmsg(m_db));
        return out;
    }
    int64_t integer(const std::string& sql)
    {
        const auto r = rows(sql);
        if (r.size() != 1 || r[0].size() != 1) throw std::runtime_error("expected one value from " + sql);
        return std::stoll(r[0][0]);
    }

    // checkpointTruncate runs PRAGMA wal_checkpoint(TRUNCATE) without waiting: SQLITE_OK and
    // `walFrames` 0 when no other connection holds a read transaction.
    int checkpointTruncate(int& walFrames)
    {
        int checkpointed = 0;
        integer("SELECT COUNT(*) FROM sqlite_master"); // the pager finds the WAL on its first read
        sqlite3_busy_timeout(m_db, 0);
        return sqlite3_wal_checkpoint_v2(m_db, nullptr, SQLITE_CHECKPOINT_TRUNCATE, &walFrames, &checkpointed);
    }

private:
    sqlite3* m_db = nullptr;
};

// kProductTotals is a WITH clause: per product `t`, on hand (its stock rows), allocated (its
// lines' allocations) and quarantined (its stock in quarantine locations). The store keeps no
// per-product counters (migration 3), so these are the figures to check.
inline const std::string kProductTotals =
    "WITH t AS (SELECT p.id, p.sku, COALESCE((SELECT SUM(qty) FROM stock s WHERE s.product_id = p.id), 0) AS on_hand, "
    "COALESCE((SELECT SUM(allocated) FROM order_lines l WHERE l.product_id = p.id), 0) AS allocated, "
    "COALESCE((SELECT SUM(s.qty) FROM stock s JOIN locations l ON l.code = s.location "
    "WHERE s.product_id = p.id AND l.kind = 'quarantine'), 0) AS quarantined FROM products p) ";

// ledgerProblems lists every product, line or lane of the database at `path` where the derived
// figures disagree with the ledger (any terminal database: imports, receipts, picks):
// on hand = received + adjusted - picked events; allocated = allocated - deallocated - picked events;
// every allocation went to its order's lane; open orders per lane match the orders; no
// negative stock; no line holding more than it still needs, nothing held by a cancelled line;
// nothing allocated beyond the stock outside quarantine. Empty when sound.
inline std::vector<std::string> ledgerProblems(const std::string& path)
{
    CrashDb db(path);
    std::vector<std::string> problems;
    const auto add = [&](const std::string& what, const std::string& sql) {
        for (const auto& row : db.rows(sql)) {
            std::string text = what + ":";
            for (const auto& field : row) text += " " + field;
            problems.push_back(text);
        }
    };
    add("on hand vs events",
        kProductTotals + "SELECT t.sku, t.on_hand, COALESCE((SELECT SUM(CASE kind WHEN 'received' THEN qty WHEN 'adjusted' THEN qty WHEN 'picked' THEN -qty "
                         "ELSE 0 END) FROM events e WHERE e.product_id = t.id), 0) AS n FROM t WHERE t.on_hand <> n");
    add("allocated vs events",
        kProductTotals + "SELECT t.sku, t.allocated, COALESCE((SELECT SUM(CASE kind WHEN 'allocated' THEN qty WHEN 'deallocated' "
                         "THEN -qty WHEN 'picked' THEN -qty ELSE 0 END) FROM events e WHERE e.product_id = t.id), 0) AS n "
                         "FROM t WHERE t.allocated <> n");
    add("allocation to another lane than its order's",
        "SELECT l.order_id, l.line, e.to_location, o.stage FROM events e JOIN order_lines l ON l.id = e.order_line_id "
        "JOIN orders o ON o.order_id = l.order_id WHERE e.kind = 'allocated' AND e.to_location IS NOT COALESCE(o.stage, '')");
    add("open orders per lane", "SELECT code, open_orders FROM locations l WHERE open_orders <> (SELECT COUNT(*) FROM orders o "
                                "WHERE o.open = 1 AND o.stage = l.code)");
    add("negative stock", "SELECT product_id, location, lot, qty FROM stock WHERE qty < 0");
    add("allocated beyond need", "SELECT order_id, line, qty, allocated, picked FROM order_lines WHERE allocated < 0 OR "
                                 "(allocated > 0 AND allocated + picked > qty) OR (cancelled = 1 AND allocated <> 0)");
    add("allocated beyond on hand outside quarantine",
        kProductTotals + "SELECT sku, on_hand, quarantined, allocated FROM t WHERE allocated > on_hand - quarantined");
    return problems;
}

// LedgerState is what the checks found, for the caller's exact comparisons.
struct LedgerState {
    int64_t outboxRows = 0;             // = device_seq max (gap-free from 1)
    std::vector<std::string> outboxScans; // the `scan` of each receive op, in device_seq order
    int64_t onHand = 0;                  // sum of all stock rows
    std::map<std::pair<std::string, int64_t>, int64_t> allocatedByLine; // (order_id, line) -> allocated
};

// checkLedger runs every consistency check of a receive-only terminal database (no picks, no
// re-imports after the first) and returns the state for the caller's own comparisons:
// - PRAGMA integrity_check is "ok", and ledgerProblems finds nothing;
// - outbox device_seq is exactly 1..N; every op has one `received` event with its op_id and
//   every event's op_id is an outbox op;
// - every stock row equals received at + moved to - moved from its (product, location, lot);
// - a line's allocated = sum of its allocated events <= qty; every allocated unit was moved
//   to a staging lane;
// - no product has free stock while one of its lines still waits (allocation is eager);
// - loose inbound lines were received in (eta, inbound_id, id) order, none beyond its qty,
//   and per product sum(received) = min(on_hand, sum(qty)).
inline LedgerState checkLedger(const std::string& path)
{
    CrashDb db(path);
    LedgerState s;
    const auto integrity = db.rows("PRAGMA integrity_check");
    REQUIRE(integrity.size() == 1);
    CHECK(integrity[0][0] == "ok");

    s.outboxRows = db.integer("SELECT COUNT(*) FROM outbox");
    CHECK(db.integer("SELECT COALESCE(MAX(device_seq), 0) FROM outbox") == s.outboxRows);
    CHECK(db.integer("SELECT COALESCE(MIN(device_seq), 1) FROM outbox") == 1);
    for (const auto& row : db.rows("SELECT kind, payload FROM outbox ORDER BY device_seq")) {
        CHECK(row[0] == "receive");
        const auto payload = nlohmann::json::parse(row[1]);
        s.outboxScans.push_back(payload.at("scan").get<std::string>());
    }
    CHECK(db.integer("SELECT COUNT(*) FROM outbox o LEFT JOIN (SELECT op_id, COUNT(*) AS n FROM events "
                     "WHERE kind = 'received' GROUP BY op_id) r ON r.op_id = o.op_id WHERE r.n IS NOT 1") == 0);
    CHECK(db.integer("SELECT COUNT(*) FROM events WHERE kind = 'received'") == s.outboxRows);
    CHECK(db.integer("SELECT COUNT(*) FROM events WHERE op_id IS NOT NULL AND op_id NOT IN (SELECT op_id FROM outbox)") == 0);

    {
        std::string text;
        for (const auto& p : ledgerProblems(path)) text += p + "\n";
        INFO(text);
        CHECK(text.empty());
    }
    const std::string& totals = kProductTotals;
    s.onHand = db.integer("SELECT COALESCE(SUM(qty), 0) FROM stock");

    using Key = std::tuple<std::string, std::string, std::string>;
    std::map<Key, int64_t> stock, derived;
    for (const auto& r : db.rows("SELECT product_id, location, lot, qty FROM stock WHERE qty <> 0"))
        stock[{r[0], r[1], r[2]}] = std::stoll(r[3]);
    for (const auto& r : db.rows("SELECT product_id, location, lot, qty FROM events WHERE kind = 'received' "
                                 "UNION ALL SELECT product_id, to_location, lot, qty FROM events WHERE kind = 'moved' "
                                 "UNION ALL SELECT product_id, location, lot, -qty FROM events WHERE kind = 'moved'"))
        derived[{r[0], r[1], r[2]}] += std::stoll(r[3]);
    std::erase_if(derived, [](const auto& kv) { return kv.second == 0; });
    CHECK(stock == derived);

    CHECK(db.integer("SELECT COUNT(*) FROM order_lines l LEFT JOIN (SELECT order_line_id, SUM(qty) AS a FROM events "
                     "WHERE kind = 'allocated' GROUP BY order_line_id) e ON e.order_line_id = l.id "
                     "WHERE l.allocated <> COALESCE(e.a, 0) OR l.allocated > l.qty") == 0);
    const int64_t allocated = db.integer("SELECT COALESCE(SUM(allocated), 0) FROM order_lines");
    CHECK(db.integer("SELECT COALESCE(SUM(qty), 0) FROM events WHERE kind = 'moved' AND to_location IN "
                     "(SELECT code FROM locations WHERE kind = 'staging')") == allocated);
    CHECK(db.integer(totals + "SELECT COUNT(*) FROM t WHERE on_hand > allocated AND EXISTS(SELECT 1 FROM order_lines l "
                              "WHERE l.product_id = t.id AND l.cancelled = 0 AND l.qty > l.allocated + l.picked)") == 0);
    for (const auto& r : db.rows("SELECT order_id, line, allocated FROM order_lines"))
        s.allocatedByLine[{r[0], std::stoll(r[1])}] = std::stoll(r[2]);

    // Loose inbound, product by product in receiving order: full lines, then at most one
    // partly received line, then untouched ones.
    std::map<std::string, std::vector<std::pair<int64_t, int64_t>>> inbound; // product -> (qty, received)
    for (const auto& r : db.rows("SELECT product_id, qty, received FROM inbound_lines WHERE sscc = '' "
                                 "ORDER BY product_id, eta, inbound_id, id"))
        inbound[r[0]].emplace_back(std::stoll(r[1]), std::stoll(r[2]));
    std::map<std::string, int64_t> onHandOf;
    for (const auto& r : db.rows(totals + "SELECT id, on_hand FROM t")) onHandOf[r[0]] = std::stoll(r[1]);
    for (const auto& [product, lines] : inbound) {
        int64_t total = 0, received = 0;
        bool open = false;
        for (const auto& [qty, got] : lines) {
            CHECK(got <= qty);
            if (open) CHECK(got == 0);
            if (got < qty) open = true;
            total += qty;
            received += got;
        }
        CHECK(received == std::min(onHandOf[product], total));
    }
    return s;
}

} // namespace backfill::test

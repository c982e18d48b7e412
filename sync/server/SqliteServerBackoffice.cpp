// SqliteServerStore's back-office queries (issue 13; docs/backoffice.md): suppliers,
// promotions, the per-product positions replenishment needs, and the timed log the reports
// and exports read. One pass per aggregate over the whole catalog, never one query per product.

#include "server/SqliteServerStore.h"

#include "store/Database.h"

#include <algorithm>
#include <unordered_map>

namespace backfill::server {

using ledger::unexpected;
using store::fromStatement;
using store::Statement;

#define TRY(expr)                                                                                                      \
    do {                                                                                                               \
        if (auto r_ = (expr); !r_) return ::backfill::ledger::unexpected(r_.error());                                  \
    } while (0)

Result<void> SqliteServerStore::snapshot(const char* what, const std::function<Result<void>()>& body)
{
    store::Database::Operation op(*m_db, what);
    // BEGIN (deferred): in WAL mode a read transaction sees one snapshot and blocks no writer.
    TRY(m_db->prepare("BEGIN").run());
    auto done = body();
    auto end = m_db->prepare(done ? "COMMIT" : "ROLLBACK").run();
    if (!done) return done;
    return end;
}

Result<std::vector<TimedLogEntry>> SqliteServerStore::logEntries(int64_t cursor, size_t max, std::span<const std::string> kinds)
{
    std::string sql = "SELECT seq, kind, payload, at FROM log WHERE seq > ?1";
    if (!kinds.empty()) {
        sql += " AND kind IN (";
        for (size_t i = 0; i < kinds.size(); ++i) sql += (i ? ",?" : "?") + std::to_string(i + 3);
        sql += ")";
    }
    sql += " ORDER BY seq LIMIT ?2";
    auto& q = m_db->prepare(sql);
    q.bind(1, cursor).bind(2, static_cast<int64_t>(max));
    for (size_t i = 0; i < kinds.size(); ++i) q.bind(static_cast<int>(i) + 3, kinds[i]);
    std::vector<TimedLogEntry> out;
    while (q.step()) out.push_back({q.columnInt(0), q.columnText(1), q.columnText(2), q.columnOptionalInt(3)});
    TRY(fromStatement(q));
    q.reset();
    return out;
}

Result<void> SqliteServerStore::replaceSuppliers(std::string_view sku, std::span<const ledger::Supplier> suppliers)
{
    TRY(m_db->prepare("DELETE FROM suppliers WHERE sku = ?").bind(1, sku).run());
    for (const auto& s : suppliers)
        TRY(m_db->prepare("INSERT INTO suppliers(sku, supplier, lead_time_days, min_order_qty, unit_cost) VALUES(?,?,?,?,?)")
                .bind(1, sku)
                .bind(2, s.supplier)
                .bind(3, int64_t{s.leadTimeDays})
                .bind(4, s.minOrderQty)
                .bind(5, s.unitCost.scaled)
                .run());
    return {};
}

Result<std::vector<ledger::Supplier>> SqliteServerStore::suppliers()
{
    std::vector<ledger::Supplier> out;
    auto& q = m_db->prepare("SELECT sku, supplier, lead_time_days, min_order_qty, unit_cost FROM suppliers ORDER BY sku, supplier");
    while (q.step())
        out.push_back({q.columnText(0), q.columnText(1), static_cast<int32_t>(q.columnInt(2)), q.columnInt(3),
                       ledger::Decimal{q.columnInt(4)}});
    TRY(fromStatement(q));
    q.reset();
    return out;
}

Result<int64_t> SqliteServerStore::addPromotion(const ledger::Promotion& p)
{
    TRY(m_db->prepare("INSERT INTO promotions(sku, factor, until) VALUES(?,?,?)")
            .bind(1, p.sku)
            .bind(2, p.factor.scaled)
            .bind(3, ledger::formatDate(p.until))
            .run());
    return m_db->lastInsertRowId();
}

Result<std::vector<ledger::Promotion>> SqliteServerStore::promotions()
{
    std::vector<ledger::Promotion> out;
    auto& q = m_db->prepare("SELECT id, sku, factor, until FROM promotions ORDER BY sku, id");
    while (q.step())
        out.push_back({q.columnInt(0), q.columnText(1), ledger::Decimal{q.columnInt(2)},
                       ledger::parseDate(q.columnText(3)).value_or(ledger::Date{})});
    TRY(fromStatement(q));
    q.reset();
    return out;
}

Result<std::vector<ledger::ProductPosition>> SqliteServerStore::productPositions(ledger::Timestamp demandFrom, ledger::Timestamp demandTo)
{
    // The order lines give three sums per product: allocated and waiting over the open lines,
    // and the demand of the window. They are taken in one sequential pass over the table,
    // summed here. As three SQL aggregates (the open lines through their partial index, the
    // window through order_lines_ordered) every line was looked up by its key, up to twice,
    // and a replenishment of 100,000 products over 1,000,000 lines took 6x one such aggregate
    // (bench/README.md, Back office); reading every row once in the table's order is cheaper
    // than a keyed lookup of a third of them.
    struct LineSums {
        ledger::Qty allocated = 0, waiting = 0, demand = 0;
    };
    std::unordered_map<std::string, LineSums> sums;
    {
        auto& lines = m_db->prepare("SELECT sku, qty, allocated, picked, ordered_at FROM order_lines WHERE cancelled = 0");
        while (lines.step()) {
            const ledger::Qty qty = lines.columnInt(1), allocated = lines.columnInt(2), picked = lines.columnInt(3);
            const ledger::Timestamp at = lines.columnInt(4);
            const bool open = picked < qty, inWindow = at >= demandFrom && at < demandTo;
            if (!open && !inWindow) continue;
            auto& sum = sums[lines.columnText(0)];
            if (open) {
                sum.allocated += allocated;
                sum.waiting += std::max<ledger::Qty>(qty - allocated - picked, 0);
            }
            if (inWindow) sum.demand += qty;
        }
        TRY(fromStatement(lines));
        lines.reset();
    }
    // On hand as allocatableOnHand counts it: outside quarantine, net of holds.
    auto& q = m_db->prepare(
        "SELECT p.sku, p.safety_stock, p.lead_time_days, COALESCE(s.on_hand, 0), COALESCE(i.open, 0) FROM products p "
        "LEFT JOIN (SELECT st.sku AS sku, SUM(st.qty - MIN(MAX(st.held, 0), MAX(st.qty, 0))) AS on_hand FROM stock st "
        "  LEFT JOIN locations l ON l.code = st.location WHERE COALESCE(l.kind, '') <> 'quarantine' GROUP BY st.sku) s "
        "  ON s.sku = p.sku "
        "LEFT JOIN (SELECT sku, SUM(qty - received) AS open FROM inbound_lines WHERE qty > received GROUP BY sku) i ON i.sku = p.sku "
        "ORDER BY p.sku");
    std::vector<ledger::ProductPosition> out;
    while (q.step()) {
        ledger::ProductPosition position{q.columnText(0), q.columnInt(1), static_cast<int32_t>(q.columnInt(2)), q.columnInt(3),
                                         q.columnInt(4)};
        if (const auto found = sums.find(position.sku); found != sums.end()) {
            position.allocated = found->second.allocated;
            position.waiting = found->second.waiting;
            position.demandUnits = found->second.demand;
        }
        out.push_back(std::move(position));
    }
    TRY(fromStatement(q));
    q.reset();
    return out;
}

} // namespace backfill::server

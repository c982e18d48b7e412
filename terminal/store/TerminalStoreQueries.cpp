// TerminalStore: read-only views (stock, backorders with states and ETAs, the ledger).

#include "store/StoreSupport.h"

#include <algorithm>
#include <map>
#include <tuple>

namespace backfill::store {

// ---------------------------------------------------------------------------------------
// Queries

Result<std::vector<StockRow>> TerminalStore::stock(const std::optional<std::string>& sku, Date today)
{
    Database::Operation op(*m_db, "reading stock");
    std::vector<StockRow> rows;
    std::vector<int64_t> ids;
    // Derived: on hand from the stock rows, allocated from the open lines (migration 3).
    static constexpr const char* kTotals =
        "SELECT sku, (SELECT COALESCE(SUM(qty), 0) FROM stock WHERE product_id = p.id), "
        "(SELECT COALESCE(SUM(allocated), 0) FROM order_lines WHERE product_id = p.id AND cancelled = 0 AND picked < qty), "
        "(SELECT COALESCE(SUM(s.qty), 0) FROM stock s JOIN locations l ON l.code = s.location "
        "WHERE s.product_id = p.id AND l.kind = 'quarantine'), id FROM products p ";
    auto& s = sku ? m_db->prepare(std::string(kTotals) + "WHERE sku = ?") : m_db->prepare(std::string(kTotals) + "ORDER BY sku");
    if (sku) s.bind(1, *sku);
    while (s.step()) {
        StockRow row;
        row.sku = s.columnText(0);
        row.onHand = s.columnInt(1);
        row.allocated = s.columnInt(2);
        row.quarantined = s.columnInt(3);
        rows.push_back(std::move(row));
        ids.push_back(s.columnInt(4));
    }
    TRY(fromStatement(s));
    s.reset();
    if (rows.empty()) return rows;

    // What else cannot be allocated, split without overlap (StockRow): outside quarantine,
    // units of lots expired before today, then held units of the other lots. So free() is
    // allocatableOnHand() - allocated.
    std::map<int64_t, std::pair<Qty, Qty>> expiredHeld;
    auto& x = m_db->prepare("SELECT s.product_id, SUM(CASE WHEN e.expiry < ?1 THEN s.qty ELSE 0 END), "
                            "SUM(CASE WHEN e.expiry < ?1 THEN 0 ELSE s.held END) FROM stock s "
                            "LEFT JOIN lots e ON e.product_id = s.product_id AND e.lot = s.lot "
                            "WHERE (?2 IS NULL OR s.product_id = ?2) AND NOT EXISTS(SELECT 1 FROM locations l "
                            "WHERE l.code = s.location AND l.kind = 'quarantine') GROUP BY s.product_id");
    x.bind(1, int64_t(today.days)).bindOptional(2, sku ? std::optional<int64_t>(ids.front()) : std::nullopt);
    while (x.step()) expiredHeld[x.columnInt(0)] = {x.columnInt(1), x.columnInt(2)};
    TRY(fromStatement(x));
    x.reset();
    for (size_t i = 0; i < rows.size(); ++i)
        if (auto it = expiredHeld.find(ids[i]); it != expiredHeld.end()) {
            rows[i].expired = it->second.first;
            rows[i].held = it->second.second;
        }

    if (sku) {
        // Per location and lot ('' = no lot sorts first, shown as null), every row with
        // units or holds.
        auto& l = m_db->prepare("SELECT s.location, s.lot, e.expiry, s.qty, s.held FROM stock s "
                                "LEFT JOIN lots e ON e.product_id = s.product_id AND e.lot = s.lot "
                                "WHERE s.product_id = ? AND (s.qty <> 0 OR s.held <> 0) ORDER BY s.location, s.lot");
        l.bind(1, ids.front());
        while (l.step()) {
            StockLocation loc;
            loc.location = l.columnText(0);
            if (const auto lot = l.columnText(1); !lot.empty()) loc.lot = lot;
            if (auto e = l.columnOptionalInt(2)) loc.expiry = Date{static_cast<int32_t>(*e)};
            loc.qty = l.columnInt(3);
            loc.held = l.columnInt(4);
            rows.front().locations.push_back(std::move(loc));
        }
        TRY(fromStatement(l));
        l.reset();
    }
    return rows;
}

Result<std::vector<BackorderRow>> TerminalStore::backorders()
{
    Database::Operation op(*m_db, "reading backorders");
    // Supply per product: open inbound in (eta, inbound_id, import order).
    std::map<int64_t, std::vector<ledger::InboundSupply>> supply;
    auto& in = m_db->prepare("SELECT product_id, eta, inbound_id, id, qty - received FROM inbound_lines "
                             "WHERE qty > received ORDER BY product_id, eta, inbound_id, id");
    while (in.step())
        supply[in.columnInt(0)].push_back(
            {Date{static_cast<int32_t>(in.columnInt(1))}, in.columnText(2), in.columnInt(3), in.columnInt(4)});
    TRY(fromStatement(in));
    in.reset();

    std::vector<BackorderRow> rows;
    auto& s = m_db->prepare("SELECT l.order_id, l.line, o.customer, o.email, p.sku, l.qty, l.priority, l.ordered_at, "
                            "l.promised_at, l.allocated, l.picked, l.cancelled, l.product_id FROM order_lines l "
                            "JOIN orders o ON o.order_id = l.order_id JOIN products p ON p.id = l.product_id "
                            "ORDER BY l.product_id");
    std::vector<int64_t> productOf;
    while (s.step()) {
        BackorderRow row;
        auto& l = row.line;
        l.orderId = s.columnText(0);
        l.line = s.columnInt(1);
        l.customer = s.columnText(2);
        l.email = s.columnText(3);
        l.sku = s.columnText(4);
        l.qty = s.columnInt(5);
        l.priority = s.columnInt(6);
        l.orderedAt = s.columnInt(7);
        l.promisedAt = s.columnOptionalInt(8);
        l.allocated = s.columnInt(9);
        l.picked = s.columnInt(10);
        l.cancelled = s.columnInt(11) != 0;
        productOf.push_back(s.columnInt(12));
        rows.push_back(std::move(row));
    }
    TRY(fromStatement(s));
    s.reset();

    // Project ETAs product by product (rows are grouped by product).
    for (size_t begin = 0; begin < rows.size();) {
        size_t end = begin;
        while (end < rows.size() && productOf[end] == productOf[begin]) ++end;
        std::vector<ledger::WaitingLine> waiting;
        std::vector<size_t> index;
        for (size_t i = begin; i < end; ++i) {
            const auto& l = rows[i].line;
            if (l.remaining() <= 0) continue;
            waiting.push_back({l.orderId, l.line, l.priority, l.promisedAt, l.orderedAt, l.remaining()});
            index.push_back(i);
        }
        const auto it = supply.find(productOf[begin]);
        if (!waiting.empty() && it != supply.end()) {
            const auto etas = ledger::projectEtas(waiting, it->second);
            for (size_t k = 0; k < index.size(); ++k) rows[index[k]].eta = etas[k];
        }
        begin = end;
    }
    for (auto& r : rows) {
        r.state = ledger::lineState(r.line, r.eta.has_value());
        // Only a line still waiting for goods carries an ETA.
        if (r.state != ledger::LineState::Backordered && r.state != ledger::LineState::PartiallyAllocated) r.eta.reset();
    }
    std::sort(rows.begin(), rows.end(), [](const BackorderRow& a, const BackorderRow& b) {
        return a.line.orderId != b.line.orderId ? a.line.orderId < b.line.orderId : a.line.line < b.line.line;
    });
    return rows;
}

Result<std::string> TerminalStore::defaultReceivingLocation()
{
    Database::Operation op(*m_db, "looking up the receiving location");
    std::string code = "DOCK";
    TRY(m_db->prepare("SELECT code FROM locations WHERE kind = 'receiving' ORDER BY sequence, code LIMIT 1")
            .first([&](const Statement& r) { code = r.columnText(0); }));
    return code;
}

Result<int64_t> TerminalStore::outboxCount()
{
    Database::Operation op(*m_db, "counting unsent ops");
    int64_t n = 0;
    TRY(m_db->prepare("SELECT COUNT(*) FROM outbox WHERE acked = 0").first([&](const Statement& r) { n = r.columnInt(0); }));
    return n;
}

Result<std::vector<ledger::Event>> TerminalStore::events()
{
    Database::Operation op(*m_db, "reading the ledger");
    std::vector<ledger::Event> result;
    auto& s = m_db->prepare("SELECT e.id, e.kind, p.sku, e.qty, e.location, e.to_location, e.lot, e.expiry, e.sscc, "
                            "l.order_id, l.line, e.operator, e.device, e.at FROM events e JOIN products p ON p.id = e.product_id "
                            "LEFT JOIN order_lines l ON l.id = e.order_line_id ORDER BY e.id");
    while (s.step()) {
        ledger::Event e;
        e.id = s.columnInt(0);
        e.kind = ledger::parseEventKind(s.columnText(1)).value_or(EventKind::Adjusted);
        e.sku = s.columnText(2);
        e.qty = s.columnInt(3);
        e.location = s.columnText(4);
        e.toLocation = s.columnText(5);
        e.lot = s.columnText(6);
        if (auto d = s.columnOptionalInt(7)) e.expiry = Date{static_cast<int32_t>(*d)};
        e.sscc = s.columnText(8);
        e.orderId = s.columnText(9);
        e.line = s.columnInt(10);
        e.operatorName = s.columnText(11);
        e.device = s.columnText(12);
        e.at = s.columnInt(13);
        result.push_back(std::move(e));
    }
    TRY(fromStatement(s));
    return result;
}

} // namespace backfill::store

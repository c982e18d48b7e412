// TerminalStore: picking allocated units of an order line.

#include "store/StoreSupport.h"
#include "store/Uuid.h"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace backfill::store {

// ---------------------------------------------------------------------------------------
// Picking

Result<void> TerminalStore::pick(const std::string& orderId, int64_t line, Qty qty,
                                 const std::optional<std::string>& location, const Actor& actor)
{
    Database::Operation op(*m_db, "picking");
    auto tx = Transaction::begin(*m_db);
    if (!tx) return unexpected(tx.error());
    int64_t lineId = 0, pid = 0;
    Qty allocated = 0;
    std::optional<std::string> stage;
    auto found = m_db->prepare("SELECT l.id, l.product_id, l.allocated, o.stage FROM order_lines l JOIN orders o "
                               "ON o.order_id = l.order_id WHERE l.order_id = ? AND l.line = ?")
                     .bind(1, orderId)
                     .bind(2, line)
                     .first([&](const Statement& r) {
                         lineId = r.columnInt(0);
                         pid = r.columnInt(1);
                         allocated = r.columnInt(2);
                         stage = r.columnOptionalText(3);
                     });
    if (!found) return unexpected(found.error());
    if (!*found) return ledger::fail("unknown_line", "order line " + orderId + "/" + std::to_string(line) + " does not exist");
    if (qty <= 0) return ledger::fail("bad_qty", "pick quantity must be at least 1");
    if (qty > allocated)
        return ledger::fail("not_allocated", "order line " + orderId + "/" + std::to_string(line) + " has " +
                                                 std::to_string(allocated) + " allocated, cannot pick " + std::to_string(qty));
    std::string from;
    if (location) {
        from = *location;
        bool quarantined = false;
        TRY(m_db->prepare("SELECT kind FROM locations WHERE code = ?").bind(1, from).first([&](const Statement& r) {
            quarantined = r.columnText(0) == "quarantine";
        }));
        if (quarantined)
            return ledger::fail("quarantined", "location '" + from + "' is a quarantine location: its stock is held, "
                                               "not picked for customers");
    } else {
        // The order's lane first, then where most is; never from quarantine.
        TRY(m_db->prepare("SELECT location, SUM(qty) AS n FROM stock s WHERE product_id = ? AND qty > 0 AND NOT EXISTS("
                          "SELECT 1 FROM locations l WHERE l.code = s.location AND l.kind = 'quarantine') "
                          "GROUP BY location ORDER BY location = ? DESC, n DESC, location LIMIT 1")
                .bind(1, pid)
                .bind(2, stage.value_or(""))
                .first([&](const Statement& r) { from = r.columnText(0); }));
    }
    std::vector<std::pair<std::string, Qty>> lots;
    Qty available = 0;
    auto& s = m_db->prepare("SELECT lot, qty FROM stock WHERE product_id = ? AND location = ? AND qty > 0 ORDER BY lot");
    s.bind(1, pid).bind(2, from);
    while (s.step()) {
        lots.emplace_back(s.columnText(0), s.columnInt(1));
        available += s.columnInt(1);
    }
    TRY(fromStatement(s));
    s.reset();
    if (available < qty)
        return ledger::fail("no_stock", "location '" + from + "' holds " + std::to_string(available) + " of the product, cannot pick " +
                                            std::to_string(qty));
    const std::string opId = newUuid();
    TRY(appendOutbox(opId, "pick",
                     nlohmann::ordered_json{{"order_id", orderId}, {"line", line}, {"qty", qty}, {"location", from}}.dump(),
                     actor.at));
    Qty left = qty;
    for (const auto& [lot, n] : lots) {
        if (left == 0) break;
        const Qty take = std::min(left, n);
        ledger::Event e = eventBy(actor, EventKind::Picked, take);
        e.location = from;
        e.lot = lot;
        TRY(appendEvent(e, pid, lineId, opId));
        TRY(addStock(pid, from, lot, -take));
        left -= take;
    }
    TRY(m_db->prepare("UPDATE order_lines SET allocated = allocated - ?1, picked = picked + ?1 WHERE product_id = ?2 AND id = ?3")
            .bind(1, qty)
            .bind(2, pid)
            .bind(3, lineId)
            .run());
    TRY(refreshOrderOpen(orderId));
    return tx->commit();
}

} // namespace backfill::store

// TerminalStore: picking (issue 10 item 3; docs/operations.md, Picking): the picklist, picks
// of allocated units lot by lot first-expiry-first, and short picks that put missing units
// on hold and raise a count task.

#include "store/StoreSupport.h"
#include "store/Uuid.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <limits>
#include <map>
#include <set>

namespace backfill::store {

namespace {

// StockLot is one stock row of a product: `qty` units of `lot` at `location`, `held` of them
// on hold; where the location sits in the pick path, and the lot's expiry.
struct StockLot {
    std::string location;
    std::string lot;                 // '' = no lot
    Qty qty = 0;
    Qty held = 0;
    std::optional<int32_t> expiry;   // days; a lot without a lots row has none
    std::optional<ledger::LocationKind> kind; // nullopt: not in the locations list
    int64_t sequence = std::numeric_limits<int64_t>::max(); // unknown locations walk last

    Qty unheld() const { return std::max<Qty>(0, qty - held); }
    bool expiredBy(Date today) const { return expiry && *expiry < today.days; }
    bool quarantine() const { return kind == ledger::LocationKind::Quarantine; }
    // pickable: units a picker may take for a customer.
    Qty pickable(Date today) const { return quarantine() || expiredBy(today) ? 0 : unheld(); }
};

// firstExpiryFirst orders lots as a picker takes them: the earliest expiry first, lots
// without an expiry last, then by lot bytewise (a total order, so runs repeat).
bool firstExpiryFirst(const StockLot& a, const StockLot& b)
{
    if (a.expiry.has_value() != b.expiry.has_value()) return a.expiry.has_value();
    if (a.expiry != b.expiry) return *a.expiry < *b.expiry;
    return a.lot < b.lot;
}

std::optional<Date> expiryOf(const StockLot& s)
{
    return s.expiry ? std::optional<Date>(Date{*s.expiry}) : std::nullopt;
}

// stockLots reads the product's stock rows with units (at one location when `location` is
// set), with their lots' expiries and their locations' kinds and sequences.
Result<std::vector<StockLot>> stockLots(Database& db, int64_t productId, const std::optional<std::string>& location)
{
    std::vector<StockLot> rows;
    auto& s = db.prepare("SELECT s.location, s.lot, s.qty, s.held, x.expiry, l.kind, l.sequence FROM stock s "
                         "LEFT JOIN lots x ON x.product_id = s.product_id AND x.lot = s.lot "
                         "LEFT JOIN locations l ON l.code = s.location "
                         "WHERE s.product_id = ?1 AND s.qty > 0 AND (?2 IS NULL OR s.location = ?2)");
    s.bind(1, productId).bindOptional(2, location);
    while (s.step()) {
        StockLot r;
        r.location = s.columnText(0);
        r.lot = s.columnText(1);
        r.qty = s.columnInt(2);
        r.held = s.columnInt(3);
        if (auto e = s.columnOptionalInt(4)) r.expiry = static_cast<int32_t>(*e);
        if (!s.columnIsNull(5)) r.kind = ledger::parseLocationKind(s.columnText(5));
        if (auto q = s.columnOptionalInt(6)) r.sequence = *q;
        rows.push_back(std::move(r));
    }
    TRY(fromStatement(s));
    s.reset();
    return rows;
}

std::string lineName(const std::string& orderId, int64_t line) { return orderId + "/" + std::to_string(line); }

} // namespace

// ---------------------------------------------------------------------------------------
// Picklist

Result<std::vector<PicklistOrder>> TerminalStore::picklist(const std::optional<std::string>& orderId, Date today)
{
    Database::Operation op(*m_db, "listing what to pick");
    // Every open line with allocated units takes part, also with --order: units are shared
    // out in allocation order, so an order's list depends on the orders served before it.
    struct Line {
        ledger::WaitingLine key;
        int64_t productId = 0;
        std::string sku;
        Qty allocated = 0;
        std::optional<std::string> stage;
        std::map<std::pair<std::string, std::string>, Qty> take; // (location, lot) -> units
        Qty left = 0;
    };
    std::vector<Line> lines;
    auto& q = m_db->prepare("SELECT l.order_id, l.line, l.priority, l.promised_at, l.ordered_at, l.product_id, p.sku, "
                            "l.allocated, o.stage FROM order_lines l JOIN orders o ON o.order_id = l.order_id "
                            "JOIN products p ON p.id = l.product_id WHERE l.cancelled = 0 AND l.picked < l.qty "
                            "AND l.allocated > 0");
    while (q.step()) {
        Line l;
        l.key = {q.columnText(0), q.columnInt(1), q.columnInt(2), q.columnOptionalInt(3), q.columnInt(4), 0};
        l.productId = q.columnInt(5);
        l.sku = q.columnText(6);
        l.allocated = l.left = q.columnInt(7);
        l.stage = q.columnOptionalText(8);
        lines.push_back(std::move(l));
    }
    TRY(fromStatement(q));
    q.reset();
    std::sort(lines.begin(), lines.end(), [](const Line& a, const Line& b) { return ledger::allocatesBefore(a.key, b.key); });

    // The pickable units of each product, as a pool the lines draw from.
    std::map<int64_t, std::vector<StockLot>> pool;
    for (const auto& l : lines) {
        if (pool.count(l.productId)) continue;
        auto rows = stockLots(*m_db, l.productId, std::nullopt);
        if (!rows) return unexpected(rows.error());
        std::erase_if(*rows, [&](const StockLot& s) { return s.pickable(today) <= 0; });
        for (auto& s : *rows) s.qty = s.pickable(today); // the pool counts pickable units only
        pool[l.productId] = std::move(*rows);
    }
    auto draw = [](Line& l, StockLot& s) {
        const Qty n = std::min(l.left, s.qty);
        if (n <= 0) return;
        l.take[{s.location, s.lot}] += n;
        l.left -= n;
        s.qty -= n;
    };
    // First the units already at the order's staging lane (put there for it), lots
    // first-expiry-first.
    for (auto& l : lines) {
        if (!l.stage) continue;
        auto& rows = pool[l.productId];
        std::sort(rows.begin(), rows.end(), firstExpiryFirst);
        for (auto& s : rows)
            if (s.location == *l.stage) draw(l, s);
    }
    // Then first-expiry-first over the other locations; equal expiries by pick path, other
    // orders' staging lanes last (their units were put there for those orders).
    for (auto& [pid, rows] : pool)
        std::sort(rows.begin(), rows.end(), [](const StockLot& a, const StockLot& b) {
            if (a.expiry.has_value() != b.expiry.has_value()) return a.expiry.has_value();
            if (a.expiry != b.expiry) return *a.expiry < *b.expiry;
            const bool aStage = a.kind == ledger::LocationKind::Staging, bStage = b.kind == ledger::LocationKind::Staging;
            if (aStage != bStage) return bStage;
            if (a.sequence != b.sequence) return a.sequence < b.sequence;
            if (a.location != b.location) return a.location < b.location;
            return a.lot < b.lot;
        });
    for (auto& l : lines)
        for (auto& s : pool[l.productId])
            if (l.left > 0 && (!l.stage || s.location != *l.stage)) draw(l, s);

    // Lots' expiries and locations' sequences for the output, from the pools.
    std::map<std::pair<int64_t, std::string>, const StockLot*> rowOf; // (product, location\x1flot)
    for (const auto& [pid, rows] : pool)
        for (const auto& s : rows) rowOf[{pid, s.location + '\x1f' + s.lot}] = &s;

    std::vector<PicklistOrder> out;
    std::map<std::string, size_t> indexOf;
    for (const auto& l : lines) {
        if (orderId && l.key.orderId != *orderId) continue;
        auto [it, fresh] = indexOf.emplace(l.key.orderId, out.size());
        if (fresh) out.push_back({l.key.orderId, l.stage, {}});
        PicklistLine pl;
        pl.line = l.key.line;
        pl.sku = l.sku;
        pl.allocated = l.allocated;
        pl.unplaced = l.left;
        std::vector<const StockLot*> where;
        for (const auto& [key, n] : l.take) {
            const StockLot* s = rowOf.at({l.productId, key.first + '\x1f' + key.second});
            pl.take.push_back({key.first, lotOrNull(key.second), expiryOf(*s), n});
            where.push_back(s);
        }
        // Pick path: the staging lane first, then by sequence (then code), lots
        // first-expiry-first within a location.
        std::vector<size_t> order(pl.take.size());
        for (size_t i = 0; i < order.size(); ++i) order[i] = i;
        std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
            const StockLot& x = *where[a];
            const StockLot& y = *where[b];
            const bool xStage = l.stage && x.location == *l.stage, yStage = l.stage && y.location == *l.stage;
            if (xStage != yStage) return xStage;
            if (x.sequence != y.sequence) return x.sequence < y.sequence;
            if (x.location != y.location) return x.location < y.location;
            return firstExpiryFirst(x, y);
        });
        std::vector<PickTake> sorted;
        for (size_t i : order) sorted.push_back(pl.take[i]);
        pl.take = std::move(sorted);
        out[it->second].lines.push_back(std::move(pl));
    }
    for (auto& o : out)
        std::sort(o.lines.begin(), o.lines.end(), [](const PicklistLine& a, const PicklistLine& b) { return a.line < b.line; });
    return out;
}

// ---------------------------------------------------------------------------------------
// Picking

Result<void> TerminalStore::pick(const std::string& orderId, int64_t line, Qty qty,
                                 const std::optional<std::string>& location, const Actor& actor)
{
    return pickLot(orderId, line, qty, location, std::nullopt, actor);
}

Result<void> TerminalStore::pickLot(const std::string& orderId, int64_t line, Qty qty,
                                    const std::optional<std::string>& location, const std::optional<std::string>& lot,
                                    const Actor& actor)
{
    Database::Operation op(*m_db, "picking");
    auto tx = Transaction::begin(*m_db);
    if (!tx) return unexpected(tx.error());
    TRY(pickInTransaction(orderId, line, qty, location, lot, actor));
    return tx->commit();
}

Result<void> TerminalStore::pickInTransaction(const std::string& orderId, int64_t line, Qty qty,
                                              const std::optional<std::string>& location,
                                              const std::optional<std::string>& lot, const Actor& actor)
{
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
    if (!*found) return ledger::fail("unknown_line", "order line " + lineName(orderId, line) + " does not exist");
    if (qty <= 0) return ledger::fail("bad_qty", "pick quantity must be at least 1");
    if (qty > allocated)
        return ledger::fail("not_allocated", "order line " + lineName(orderId, line) + " has " + std::to_string(allocated) +
                                                 " allocated, cannot pick " + std::to_string(qty));
    auto all = stockLots(*m_db, pid, std::nullopt);
    if (!all) return unexpected(all.error());
    const Date today = actor.today;
    std::string from;
    if (location) {
        from = *location;
        auto kind = locationKind(from);
        if (!kind) return unexpected(kind.error());
        if (*kind == ledger::LocationKind::Quarantine)
            return ledger::fail("quarantined", "location '" + from + "' is a quarantine location: its stock is held, "
                                               "not picked for customers");
    } else {
        // The order's lane first, then where most can be picked; a location whose stock is
        // all expired or held only when none has any (so the refusal says why); never
        // quarantine.
        std::map<std::string, std::pair<Qty, Qty>> here; // location -> (pickable, unheld)
        for (const auto& s : *all) {
            if (s.quarantine() || (lot && s.lot != *lot)) continue;
            here[s.location].first += s.pickable(today);
            here[s.location].second += s.unheld();
        }
        auto better = [&](const auto& a, const auto& b) {
            if ((a.second.first > 0) != (b.second.first > 0)) return a.second.first > 0;
            const bool aStage = stage && a.first == *stage, bStage = stage && b.first == *stage;
            if (aStage != bStage) return aStage;
            if (a.second.first != b.second.first) return a.second.first > b.second.first;
            if (a.second.second != b.second.second) return a.second.second > b.second.second;
            return a.first < b.first;
        };
        if (!here.empty()) from = std::min_element(here.begin(), here.end(), better)->first;
    }
    std::vector<StockLot> lots;
    Qty available = 0, expiredHere = 0, heldHere = 0;
    for (const auto& s : *all) {
        if (s.location != from || (lot && s.lot != *lot)) continue;
        heldHere += std::min(s.held, s.qty);
        if (s.expiredBy(today)) {
            expiredHere += s.unheld();
            continue;
        }
        if (s.unheld() <= 0) continue;
        lots.push_back(s);
        available += s.unheld();
    }
    std::sort(lots.begin(), lots.end(), firstExpiryFirst);
    const std::string what = lot ? "lot " + *lot : std::string("the product");
    if (available < qty) {
        // Expired units would have served: say so, they stay on hand (shown as expired).
        if (available + expiredHere >= qty)
            return ledger::fail("expired", "location '" + from + "' holds " + std::to_string(expiredHere) + " units of " +
                                               what + " expired before " + ledger::formatDate(today) +
                                               ": they are never picked; " + std::to_string(available) +
                                               " can be picked, not " + std::to_string(qty));
        return ledger::fail("no_stock", "location '" + from + "' holds " + std::to_string(available) + " pickable units of " +
                                            what + (heldHere ? " (" + std::to_string(heldHere) + " more on hold)" : "") +
                                            ", cannot pick " + std::to_string(qty));
    }
    const std::string opId = newUuid();
    nlohmann::ordered_json taken = nlohmann::ordered_json::array();
    Qty left = qty;
    for (const auto& s : lots) {
        if (left == 0) break;
        const Qty take = std::min(left, s.unheld());
        ledger::Event e = eventBy(actor, EventKind::Picked, take);
        e.location = from;
        e.lot = s.lot;
        TRY(appendEvent(e, pid, lineId, opId));
        TRY(addStock(pid, from, s.lot, -take));
        taken.push_back({{"lot", s.lot}, {"qty", take}});
        left -= take;
    }
    TRY(appendOutbox(opId, "pick",
                     nlohmann::ordered_json{{"order_id", orderId},
                                            {"line", line},
                                            {"qty", qty},
                                            {"location", from},
                                            {"lot", lot.value_or("")},
                                            {"lots", taken}}
                         .dump(),
                     actor.at));
    TRY(m_db->prepare("UPDATE order_lines SET allocated = allocated - ?1, picked = picked + ?1 WHERE product_id = ?2 AND id = ?3")
            .bind(1, qty)
            .bind(2, pid)
            .bind(3, lineId)
            .run());
    return refreshOrderOpen(orderId);
}

// ---------------------------------------------------------------------------------------
// Short picks

Result<ShortResult> TerminalStore::shortPick(const ShortRequest& request, const Actor& actor)
{
    Database::Operation op(*m_db, "recording a short pick");
    auto tx = Transaction::begin(*m_db);
    if (!tx) return unexpected(tx.error());
    auto result = shortInTransaction(request, actor);
    if (!result) return result; // rolls back: nothing written
    TRY(tx->commit());
    return result;
}

Result<ShortResult> TerminalStore::shortInTransaction(const ShortRequest& request, const Actor& actor)
{
    const std::string name = lineName(request.orderId, request.line);
    int64_t lineId = 0, pid = 0;
    Qty allocated = 0;
    ShortResult out;
    auto found = m_db->prepare("SELECT l.id, l.product_id, l.allocated, p.sku FROM order_lines l JOIN products p "
                               "ON p.id = l.product_id WHERE l.order_id = ? AND l.line = ?")
                     .bind(1, request.orderId)
                     .bind(2, request.line)
                     .first([&](const Statement& r) {
                         lineId = r.columnInt(0);
                         pid = r.columnInt(1);
                         allocated = r.columnInt(2);
                         out.sku = r.columnText(3);
                     });
    if (!found) return unexpected(found.error());
    if (!*found) return ledger::fail("unknown_line", "order line " + name + " does not exist");
    auto kind = locationKind(request.location);
    if (!kind) return unexpected(kind.error());
    if (!*kind)
        return ledger::fail("unknown_location", "location '" + request.location + "' is not in the locations list: check "
                                                "the label or import the location");
    if (**kind == ledger::LocationKind::Quarantine)
        return ledger::fail("quarantined", "location '" + request.location + "' is a quarantine location: nothing is "
                                           "picked there, so nothing can be short");
    std::optional<std::string> reasonKind;
    TRY(m_db->prepare("SELECT kind FROM reasons WHERE code = ?").bind(1, request.reason).first([&](const Statement& r) {
        reasonKind = r.columnText(0);
    }));
    if (reasonKind != "short")
        return ledger::fail("unknown_reason", reasonKind ? "reason '" + request.reason + "' is an " + *reasonKind +
                                                               " reason, not a short-pick reason: use a code of kind short"
                                                         : "reason '" + request.reason + "' is not a reason code: use a "
                                                           "code of kind short (backfill import reasons)");
    if (request.found < 0) return ledger::fail("bad_qty", "--found must be 0 or more");
    if (request.found > ledger::kMaxUnits) return ledger::fail("bad_qty", "--found: the most is " + std::to_string(ledger::kMaxUnits));
    if (allocated <= 0)
        return ledger::fail("not_allocated", "order line " + name + " has no units allocated: nothing to pick, so "
                                             "nothing can be short");
    auto rows = stockLots(*m_db, pid, request.location);
    if (!rows) return unexpected(rows.error());
    std::erase_if(*rows, [&](const StockLot& s) { return s.pickable(actor.today) <= 0; });
    std::sort(rows->begin(), rows->end(), firstExpiryFirst);
    Qty here = 0;
    for (const auto& s : *rows) here += s.unheld();
    if (here == 0)
        return ledger::fail("no_stock", "the book has no pickable unit of " + out.sku + " at '" + request.location +
                                            "': nothing there can be short; count it if units are there");
    out.expected = std::min(allocated, here);
    if (request.found >= out.expected)
        return ledger::fail("not_short", "found " + std::to_string(request.found) + " of the " +
                                             std::to_string(out.expected) + " units expected at '" + request.location +
                                             "' for " + name + ": nothing is missing; pick them");
    out.missing = out.expected - request.found;

    // The expected units are the first ones first-expiry-first (those a pick takes); the
    // missing ones are taken from the end of them, so the found units stay the ones a pick
    // takes first.
    std::vector<std::pair<const StockLot*, Qty>> expected;
    Qty left = out.expected;
    for (const auto& s : *rows) {
        if (left == 0) break;
        const Qty n = std::min(left, s.unheld());
        expected.emplace_back(&s, n);
        left -= n;
    }
    const std::string opId = newUuid();
    Qty hold = out.missing;
    for (auto it = expected.rbegin(); it != expected.rend() && hold > 0; ++it) {
        const Qty n = std::min(hold, it->second);
        ledger::Event e = eventBy(actor, EventKind::Held, n);
        e.location = request.location;
        e.lot = it->first->lot;
        TRY(appendEvent(e, pid, lineId, opId));
        TRY(m_db->prepare("UPDATE stock SET held = held + ? WHERE product_id = ? AND location = ? AND lot = ?")
                .bind(1, n)
                .bind(2, pid)
                .bind(3, request.location)
                .bind(4, it->first->lot)
                .run());
        out.held.push_back({request.location, lotOrNull(it->first->lot), expiryOf(*it->first), n});
        hold -= n;
    }
    std::reverse(out.held.begin(), out.held.end()); // first-expiry-first, as the stock lists them

    // The missing units leave the line, which waits for them again; the rule then hands free
    // stock (elsewhere) to the waiting lines in allocation order, this one among them.
    TRY(m_db->prepare("UPDATE order_lines SET allocated = allocated - ? WHERE product_id = ? AND id = ?")
            .bind(1, out.missing)
            .bind(2, pid)
            .bind(3, lineId)
            .run());
    TRY(appendEvent(eventBy(actor, EventKind::Deallocated, out.missing), pid, lineId, opId));
    auto allocatedNow = allocateFree(pid, actor, opId);
    if (!allocatedNow) return unexpected(allocatedNow.error());
    out.allocated = std::move(*allocatedNow);

    TRY(m_db->prepare("INSERT INTO count_tasks(product_id, location, reason, order_id, line, missing, created_by, created_at) "
                      "VALUES(?,?,?,?,?,?,?,?) RETURNING id")
            .bind(1, pid)
            .bind(2, request.location)
            .bind(3, request.reason)
            .bind(4, request.orderId)
            .bind(5, request.line)
            .bind(6, out.missing)
            .bind(7, actor.operatorName)
            .bind(8, actor.at)
            .first([&](const Statement& r) { out.countTask = r.columnInt(0); }));

    // The op is the intent (what the picker found and why); the holds and the claims of the
    // allocation rule are the terminal's derivation, listed for the server to check.
    nlohmann::ordered_json held = nlohmann::ordered_json::array();
    for (const auto& h : out.held) held.push_back({{"lot", h.lot.value_or("")}, {"qty", h.qty}});
    nlohmann::ordered_json claims = nlohmann::ordered_json::array();
    for (const auto& a : out.allocated) claims.push_back({{"order_id", a.orderId}, {"line", a.line}, {"qty", a.qty}});
    const nlohmann::ordered_json payload{{"order_id", request.orderId}, {"line", request.line},   {"location", request.location},
                                         {"sku", out.sku},              {"found", request.found}, {"expected", out.expected},
                                         {"missing", out.missing},      {"reason", request.reason}, {"held", held},
                                         {"claims", claims}};
    TRY(appendOutbox(opId, "short", payload.dump(), actor.at));
    return out;
}

} // namespace backfill::store

// TerminalStore: undo of the signed-in operator's last receipt (issue 10 item 5;
// docs/operations.md, Undo). The ledger is append-only: an undo appends the events that
// reverse the receipt, it never deletes one.

#include "store/StoreSupport.h"
#include "store/Uuid.h"

#include "ledger/Undo.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <set>

namespace backfill::store {

namespace {

// ReceiptEvent is one event of the receipt being undone, as the ledger holds it.
struct ReceiptEvent {
    int64_t id = 0;
    EventKind kind = EventKind::Received;
    int64_t productId = 0;
    Qty qty = 0;
    std::string location;
    std::string toLocation;
    std::string lot;
    std::optional<int64_t> expiry;
    std::string sscc;
    int64_t orderLineId = 0;
    ledger::Timestamp at = 0;
};

// ReceiptUnit is what one receiveUnits call wrote: a `received` event, then the allocations it
// made and the moves of the allocated units to the staging lanes (TerminalStoreReceiving.cpp).
struct ReceiptUnit {
    ReceiptEvent received;
    std::string sku;
    std::vector<ReceiptEvent> allocations;
    std::vector<ReceiptEvent> moves;
    Qty inbound = 0;          // units that counted against inbound lines
    int64_t palletLine = 0;   // the pallet's inbound line (SSCC receipts)
};

std::optional<std::string> textOrNull(const std::string& s) { return s.empty() ? std::nullopt : std::optional<std::string>(s); }

// receiptEvents reads every event of op `opId`, which holds event `anchor`. An op's events are
// written in one transaction by the one writer, so they sit side by side in the ledger: the
// walk goes backwards and forwards from the anchor by rowid until the op changes (events has
// no index by op_id, and needs none for this).
Result<std::vector<ReceiptEvent>> receiptEvents(Database& db, const std::string& opId, int64_t anchor)
{
    std::vector<ReceiptEvent> events;
    const std::string columns = "SELECT id, kind, product_id, qty, location, to_location, lot, expiry, sscc, order_line_id, "
                                "op_id, at FROM events ";
    for (const bool backwards : {true, false}) {
        auto& q = db.prepare(columns + (backwards ? "WHERE id <= ? ORDER BY id DESC" : "WHERE id > ? ORDER BY id"));
        q.bind(1, anchor);
        std::vector<ReceiptEvent> side;
        while (q.step()) {
            if (q.columnOptionalText(10).value_or("") != opId) break;
            ReceiptEvent e;
            e.id = q.columnInt(0);
            e.kind = ledger::parseEventKind(q.columnText(1)).value_or(EventKind::Counted);
            e.productId = q.columnInt(2);
            e.qty = q.columnInt(3);
            e.location = q.columnText(4);
            e.toLocation = q.columnText(5);
            e.lot = q.columnText(6);
            e.expiry = q.columnOptionalInt(7);
            e.sscc = q.columnText(8);
            e.orderLineId = q.columnOptionalInt(9).value_or(0);
            e.at = q.columnInt(11);
            side.push_back(std::move(e));
        }
        auto error = q.lastError();
        q.reset(); // never left on a row
        if (error) return unexpected(*error);
        if (backwards) std::reverse(side.begin(), side.end());
        events.insert(events.end(), side.begin(), side.end());
    }
    return events;
}

// looseInboundShare is how many of the `qty` units of loose receipt event `eventId` counted
// against the product's open loose inbound lines (the rest was over-receipt). Receiving does
// not record it, so it is found again the way receiving decided it: the product's loose
// receipts and undos replayed in ledger order against its loose inbound lines (their total
// quantity today), each receipt filling what is still open. An undo's `received` event takes
// back the share of the same operator's latest receipt before it (the one it undid).
Result<Qty> looseInboundShare(Database& db, int64_t productId, int64_t eventId)
{
    Qty capacity = 0;
    TRY(db.prepare("SELECT COALESCE(SUM(qty), 0) FROM inbound_lines WHERE product_id = ? AND sscc = ''")
            .bind(1, productId)
            .first([&](const Statement& r) { capacity = r.columnInt(0); }));
    Qty filled = 0, share = 0;
    std::map<std::pair<std::string, std::string>, Qty> latestShare; // (operator, device) -> share of its latest receipt
    auto& q = db.prepare("SELECT id, qty, operator, device FROM events WHERE product_id = ? AND kind = 'received' "
                         "AND sscc = '' AND id <= ? ORDER BY id");
    q.bind(1, productId).bind(2, eventId);
    while (q.step()) {
        const Qty n = q.columnInt(1);
        const std::pair<std::string, std::string> who{q.columnText(2), q.columnText(3)};
        if (n > 0) {
            share = std::min(n, std::max<Qty>(0, capacity - filled));
            filled += share;
            latestShare[who] = share;
        } else {
            filled -= latestShare[who];
            latestShare.erase(who);
        }
    }
    auto error = q.lastError();
    q.reset();
    if (error) return unexpected(*error);
    return share; // the last row read is `eventId` itself
}

// giveBackLooseInbound lowers the product's loose inbound lines by `qty` received units,
// last-filled first (ledger::giveBackInbound over receiving's (eta, inbound_id, file row) order).
Result<void> giveBackLooseInbound(Database& db, int64_t productId, Qty qty)
{
    std::vector<int64_t> ids;
    std::vector<Qty> received;
    auto& q = db.prepare("SELECT id, received FROM inbound_lines WHERE product_id = ? AND sscc = '' AND received > 0 "
                         "ORDER BY eta, inbound_id, id");
    q.bind(1, productId);
    while (q.step()) {
        ids.push_back(q.columnInt(0));
        received.push_back(q.columnInt(1));
    }
    TRY(fromStatement(q));
    q.reset();
    const auto back = ledger::giveBackInbound(qty, received);
    for (size_t i = 0; i < ids.size(); ++i)
        if (back[i] > 0)
            TRY(db.prepare("UPDATE inbound_lines SET received = received - ? WHERE id = ?").bind(1, back[i]).bind(2, ids[i]).run());
    return {};
}

std::string describe(const ReceiptUnit& u)
{
    return std::to_string(u.received.qty) + " " + u.sku + (u.received.lot.empty() ? "" : " lot " + u.received.lot) + " at " +
           u.received.location;
}

} // namespace

// ---------------------------------------------------------------------------------------
// Undo

Result<TerminalStore::UndoResult> TerminalStore::undoLastReceipt(const Actor& actor)
{
    Database::Operation op(*m_db, "undoing a receipt");
    auto tx = Transaction::begin(*m_db);
    if (!tx) return unexpected(tx.error());
    auto undone = undoInTransaction(actor);
    if (!undone) return undone; // the transaction rolls back: nothing written
    TRY(tx->commit());
    return undone;
}

Result<TerminalStore::UndoResult> TerminalStore::undoInTransaction(const Actor& actor)
{
    // The operator's last receipt: their newest `received` event on this device. If it is an
    // undo's (minus quantity), the last receipt is undone already; undo is one step back, not
    // a walk through older receipts (docs/operations.md, Undo).
    int64_t anchor = 0;
    Qty anchorQty = 0;
    std::string undoneOp;
    bool found = false;
    TRY(m_db->prepare("SELECT id, qty, COALESCE(op_id, '') FROM events WHERE kind = 'received' AND operator = ? AND device = ? "
                      "ORDER BY id DESC LIMIT 1")
            .bind(1, actor.operatorName)
            .bind(2, actor.device)
            .first([&](const Statement& r) {
                found = true;
                anchor = r.columnInt(0);
                anchorQty = r.columnInt(1);
                undoneOp = r.columnText(2);
            }));
    if (!found)
        return ledger::fail("nothing_to_undo", "operator '" + actor.operatorName + "' has no receipt on this terminal to undo");
    if (anchorQty < 0)
        return ledger::fail("nothing_to_undo", "the last receipt of operator '" + actor.operatorName +
                                                   "' is undone already; only the last receipt can be undone: correct "
                                                   "older ones with a count");
    if (undoneOp.empty())
        return ledger::fail("nothing_to_undo", "the last receipt of operator '" + actor.operatorName +
                                                   "' (event " + std::to_string(anchor) +
                                                   ") has no op_id and cannot be undone: correct it with a count");

    auto events = receiptEvents(*m_db, undoneOp, anchor);
    if (!events) return unexpected(events.error());
    std::vector<ReceiptUnit> units;
    for (const auto& e : *events) {
        if (e.kind == EventKind::Received) {
            units.push_back({});
            units.back().received = e;
        } else if (!units.empty() && e.kind == EventKind::Allocated) {
            units.back().allocations.push_back(e);
        } else if (!units.empty() && e.kind == EventKind::Moved) {
            units.back().moves.push_back(e);
        }
    }
    if (units.empty())
        return ledger::fail("nothing_to_undo", "the last receipt of operator '" + actor.operatorName + "' (op " + undoneOp +
                                                   ") has no received event to reverse");
    const int64_t lastEvent = events->back().id;
    std::map<int64_t, std::string> skuOf;
    for (auto& u : units) {
        if (!skuOf.count(u.received.productId))
            TRY(m_db->prepare("SELECT sku FROM products WHERE id = ?").bind(1, u.received.productId).first([&](const Statement& r) {
                skuOf[u.received.productId] = r.columnText(0);
            }));
        u.sku = skuOf[u.received.productId];
    }

    // Blocked when a unit of a receipt's product may have left the places the receipt put it:
    // any event after the receipt that picks, moves, holds, counts or adjusts that product at
    // one of those places (its receiving location, its staging lanes). Receipts, allocations
    // and releases change no unit's place, nor does another undo carrying its own units back
    // from a lane. Units are not told apart, so any other such event counts.
    std::map<int64_t, std::set<std::string>> placesOf;
    for (const auto& u : units) {
        placesOf[u.received.productId].insert(u.received.location);
        for (const auto& m : u.moves) placesOf[u.received.productId].insert(m.toLocation);
    }
    {
        std::vector<std::pair<std::string, std::string>> candidates; // (op_id, what happened)
        std::set<std::string> undoOps;
        auto& q = m_db->prepare("SELECT id, kind, product_id, location, qty, operator, COALESCE(op_id, '') FROM events "
                                "WHERE id > ? ORDER BY id");
        q.bind(1, lastEvent);
        while (q.step()) {
            const std::string kind = q.columnText(1);
            if (kind == "received") {
                if (q.columnInt(4) < 0) undoOps.insert(q.columnText(6));
                continue;
            }
            if (!ledger::takesUnitsFromPlace(ledger::parseEventKind(kind).value_or(EventKind::Adjusted))) continue;
            const auto places = placesOf.find(q.columnInt(2));
            if (places == placesOf.end() || !places->second.count(q.columnText(3))) continue;
            candidates.emplace_back(q.columnText(6), skuOf[q.columnInt(2)] + " was " + kind + " at " + q.columnText(3) +
                                                         " since (event " + std::to_string(q.columnInt(0)) + ", " +
                                                         std::to_string(q.columnInt(4)) + " units, by " + q.columnText(5) + ")");
        }
        TRY(fromStatement(q));
        q.reset();
        for (const auto& [opId, what] : candidates)
            if (opId.empty() || !undoOps.count(opId))
                return ledger::fail("undo_blocked", "cannot undo the receipt of " + describe(units.front()) + ": " + what +
                                                        "; undo only takes back a receipt nobody has touched: correct it "
                                                        "with a count");
    }
    // What the receipt left at each place must still be there, unheld.
    std::map<std::tuple<int64_t, std::string, std::string>, Qty> takeBack; // (product, location, lot) -> units
    for (const auto& u : units) {
        Qty staged = 0;
        for (const auto& m : u.moves) {
            takeBack[{u.received.productId, m.toLocation, m.lot}] += m.qty;
            staged += m.qty;
        }
        takeBack[{u.received.productId, u.received.location, u.received.lot}] += u.received.qty - staged;
    }
    for (const auto& [key, n] : takeBack) {
        const auto& [pid, location, lot] = key;
        Qty there = 0;
        TRY(m_db->prepare("SELECT qty - held FROM stock WHERE product_id = ? AND location = ? AND lot = ?")
                .bind(1, pid)
                .bind(2, location)
                .bind(3, lot)
                .first([&](const Statement& r) { there = r.columnInt(0); }));
        if (!ledger::undoLeavesEnough(there, n))
            return ledger::fail("undo_blocked", "cannot undo the receipt of " + describe(units.front()) + ": " + location +
                                                    " holds " + std::to_string(there) + " unheld " + skuOf[pid] +
                                                    (lot.empty() ? "" : " lot " + lot) + ", the receipt left " +
                                                    std::to_string(n) + " there; correct it with a count");
    }

    // Inbound progress: a pallet's units go back to its own lines; a loose receipt's share is
    // found again by replaying the product's loose receipts.
    std::set<int64_t> palletLinesUsed;
    for (auto& u : units) {
        if (!u.received.sscc.empty()) {
            auto& q = m_db->prepare("SELECT id FROM inbound_lines WHERE sscc = ? AND product_id = ? AND received >= ? ORDER BY id");
            q.bind(1, u.received.sscc).bind(2, u.received.productId).bind(3, u.received.qty);
            while (!u.palletLine && q.step())
                if (!palletLinesUsed.count(q.columnInt(0))) u.palletLine = q.columnInt(0);
            TRY(fromStatement(q));
            q.reset();
            if (u.palletLine) {
                palletLinesUsed.insert(u.palletLine);
                u.inbound = u.received.qty;
            }
        } else {
            auto share = looseInboundShare(*m_db, u.received.productId, u.received.id);
            if (!share) return unexpected(share.error());
            u.inbound = *share;
        }
    }

    UndoResult out;
    out.opId = newUuid();
    out.undoneOpId = undoneOp;
    out.receivedAt = units.front().received.at;
    {
        // The receipt's op holds the scan as the operator made it; walk from the newest op.
        std::optional<std::string> payload;
        TRY(m_db->prepare("SELECT payload FROM outbox WHERE op_id = ? ORDER BY device_seq DESC LIMIT 1")
                .bind(1, undoneOp)
                .first([&](const Statement& r) { payload = r.columnText(0); }));
        if (payload) {
            const auto doc = nlohmann::json::parse(*payload, nullptr, false);
            if (doc.is_object() && doc.contains("scan") && doc["scan"].is_string()) out.scan = doc["scan"].get<std::string>();
        }
    }

    // Allocations first (the receipt's claims given back, as far as the lines still hold them),
    // then the units: back from the lanes, then out of the receiving location.
    for (const auto& u : units) {
        const int64_t pid = u.received.productId;
        for (const auto& a : u.allocations) {
            std::string orderId;
            int64_t line = 0;
            Qty holds = 0;
            TRY(m_db->prepare("SELECT order_id, line, allocated FROM order_lines WHERE product_id = ? AND id = ?")
                    .bind(1, pid)
                    .bind(2, a.orderLineId)
                    .first([&](const Statement& r) {
                        orderId = r.columnText(0);
                        line = r.columnInt(1);
                        holds = r.columnInt(2);
                    }));
            const Qty n = ledger::undoDeallocation(a.qty, holds);
            if (n <= 0) continue;
            TRY(m_db->prepare("UPDATE order_lines SET allocated = allocated - ? WHERE product_id = ? AND id = ?")
                    .bind(1, n)
                    .bind(2, pid)
                    .bind(3, a.orderLineId)
                    .run());
            TRY(appendEvent(eventBy(actor, EventKind::Deallocated, n), pid, a.orderLineId, out.opId));
            out.released.push_back({orderId, line, n});
        }

        UndoneLine line;
        line.sku = u.sku;
        line.qty = u.received.qty;
        line.lot = textOrNull(u.received.lot);
        if (u.received.expiry) line.expiry = Date{static_cast<int32_t>(*u.received.expiry)};
        line.sscc = textOrNull(u.received.sscc);
        line.location = u.received.location;
        line.inbound = u.inbound;
        Qty staged = 0;
        for (const auto& m : u.moves) {
            ledger::Event back = eventBy(actor, EventKind::Moved, m.qty);
            back.location = m.toLocation;
            back.toLocation = m.location;
            back.lot = m.lot;
            TRY(appendEvent(back, pid, 0, out.opId));
            TRY(addStock(pid, m.toLocation, m.lot, -m.qty));
            staged += m.qty;
            // One line per lane in the answer (the ledger has one move per allocation).
            auto lane = std::find_if(line.staged.begin(), line.staged.end(),
                                     [&](const UndoneStage& s) { return s.stage == m.toLocation; });
            if (lane == line.staged.end())
                line.staged.push_back({m.toLocation, m.qty});
            else
                lane->qty += m.qty;
        }
        ledger::Event minus = eventBy(actor, EventKind::Received, -u.received.qty);
        minus.location = u.received.location;
        minus.lot = u.received.lot;
        if (u.received.expiry) minus.expiry = Date{static_cast<int32_t>(*u.received.expiry)};
        minus.sscc = u.received.sscc;
        TRY(appendEvent(minus, pid, 0, out.opId));
        TRY(addStock(pid, u.received.location, u.received.lot, staged - u.received.qty));

        if (u.palletLine)
            TRY(m_db->prepare("UPDATE inbound_lines SET received = received - ? WHERE id = ?")
                    .bind(1, u.inbound)
                    .bind(2, u.palletLine)
                    .run());
        else if (u.received.sscc.empty() && u.inbound > 0)
            TRY(giveBackLooseInbound(*m_db, pid, u.inbound));
        out.lines.push_back(std::move(line));
    }
    // The pallet may be received again.
    for (const auto& u : units)
        if (!u.received.sscc.empty())
            TRY(m_db->prepare("DELETE FROM received_ssccs WHERE sscc = ?").bind(1, u.received.sscc).run());

    // The product's allocations must stay covered by what can still be allocated (other
    // allocations may have come to rest on the receipt's free units since: an order import);
    // and lines that wait again may be covered by other free stock at once.
    std::vector<int64_t> products;
    for (const auto& u : units)
        if (std::find(products.begin(), products.end(), u.received.productId) == products.end())
            products.push_back(u.received.productId);
    for (const int64_t pid : products) {
        auto released = releaseExcess(pid, actor, out.opId);
        if (!released) return unexpected(released.error());
        out.released.insert(out.released.end(), released->begin(), released->end());
        auto allocated = allocateFree(pid, actor, out.opId);
        if (!allocated) return unexpected(allocated.error());
        out.allocated.insert(out.allocated.end(), allocated->begin(), allocated->end());
    }

    // The op is the intent: which op is undone and what it took back; releases and
    // allocations are claims the server settles by its own rule (DESIGN.md 2).
    nlohmann::ordered_json lines = nlohmann::ordered_json::array();
    for (const auto& l : out.lines)
        lines.push_back({{"sku", l.sku}, {"qty", l.qty}, {"lot", l.lot.value_or("")}, {"sscc", l.sscc.value_or("")},
                         {"location", l.location}});
    nlohmann::ordered_json released = nlohmann::ordered_json::array();
    for (const auto& r : out.released) released.push_back({{"order_id", r.orderId}, {"line", r.line}, {"qty", r.qty}});
    nlohmann::ordered_json claims = nlohmann::ordered_json::array();
    for (const auto& a : out.allocated) claims.push_back({{"order_id", a.orderId}, {"line", a.line}, {"qty", a.qty}});
    const nlohmann::ordered_json payload{{"undoes", undoneOp}, {"scan", out.scan.value_or("")}, {"lines", lines},
                                         {"released", released}, {"claims", claims}};
    TRY(appendOutbox(out.opId, "undo", payload.dump(), actor.at));
    return out;
}

} // namespace backfill::store

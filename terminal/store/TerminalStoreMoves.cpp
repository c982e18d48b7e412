// TerminalStore: moves between locations (quarantine holds and releases) and put-away
// suggestions (issue 10 item 2; docs/operations.md, Moves and put-away).

#include "ledger/Release.h"
#include "store/StoreSupport.h"
#include "store/Uuid.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <tuple>

namespace backfill::store {

namespace {

// SourceLot is one lot of the product at the move's source.
struct SourceLot {
    std::string lot;
    Qty qty = 0;
    std::optional<int32_t> expiry; // days; from the lot's receipts
};

} // namespace

// ---------------------------------------------------------------------------------------
// Moves

Result<std::optional<ledger::LocationKind>> TerminalStore::locationKind(const std::string& code)
{
    Database::Operation op(*m_db, "reading a location");
    std::optional<ledger::LocationKind> kind;
    TRY(m_db->prepare("SELECT kind FROM locations WHERE code = ?").bind(1, code).first([&](const Statement& r) {
        kind = ledger::parseLocationKind(r.columnText(0));
    }));
    return kind;
}

Result<MoveResult> TerminalStore::move(const ledger::MoveRequest& request, const Actor& actor)
{
    Database::Operation op(*m_db, "moving stock");
    auto tx = Transaction::begin(*m_db);
    if (!tx) return unexpected(tx.error());
    auto moved = moveInTransaction(request, actor);
    if (!moved) return moved; // the transaction rolls back: nothing written
    TRY(tx->commit());
    return moved;
}

Result<MoveResult> TerminalStore::moveInTransaction(const ledger::MoveRequest& request, const Actor& actor)
{
    if (request.from == request.to)
        return ledger::fail("same_location", "from and to are both '" + request.from + "': nothing to move");
    if (request.count <= 0) return ledger::fail("bad_qty", "a move needs a quantity of at least 1");
    if (request.count > ledger::kMaxUnits)
        return ledger::fail("bad_qty", "a move of " + std::to_string(request.count) + " units: the most is " + std::to_string(ledger::kMaxUnits));
    // Both ends must be in the locations list, also on a terminal without master data: a move
    // to a place nobody knows would hide the goods.
    std::map<std::string, ledger::LocationKind> kinds;
    for (const auto* code : {&request.from, &request.to}) {
        auto kind = locationKind(*code);
        if (!kind) return unexpected(kind.error());
        if (!*kind)
            return ledger::fail("unknown_location", "location '" + *code + "' is not in the locations list: check the "
                                                    "label or import the location");
        kinds[*code] = **kind;
    }
    const bool fromQuarantine = kinds[request.from] == ledger::LocationKind::Quarantine;
    const bool toQuarantine = kinds[request.to] == ledger::LocationKind::Quarantine;

    int64_t pid = 0;
    Qty units = 1;
    std::string sku;
    if (request.gtin) {
        bool found = false;
        TRY(m_db->prepare("SELECT g.product_id, g.units, p.sku FROM gtins g JOIN products p ON p.id = g.product_id WHERE g.gtin = ?")
                .bind(1, *request.gtin)
                .first([&](const Statement& r) {
                    found = true;
                    pid = r.columnInt(0);
                    units = r.columnInt(1);
                    sku = r.columnText(2);
                }));
        if (!found)
            return ledger::fail("unknown_gtin", "GTIN " + *request.gtin + " is not in the catalog: check the label or "
                                                "add the product");
    } else if (request.sku) {
        auto id = productId(*request.sku);
        if (!id) return unexpected(id.error());
        pid = *id;
        sku = *request.sku;
    } else {
        return ledger::fail("not_receivable", "a move names a product by a scan (01)/(02) or by --sku");
    }
    const Qty qty = units * request.count;

    // The product (of that lot, if one was named) at the source.
    std::vector<SourceLot> lots;
    Qty available = 0;
    auto& s = m_db->prepare("SELECT lot, qty FROM stock WHERE product_id = ? AND location = ? AND qty > 0 "
                            "AND (?3 IS NULL OR lot = ?3) ORDER BY lot");
    s.bind(1, pid).bind(2, request.from).bindOptional(3, request.lot);
    while (s.step()) {
        lots.push_back({s.columnText(0), s.columnInt(1), std::nullopt});
        available += s.columnInt(1);
    }
    TRY(fromStatement(s));
    s.reset();
    if (available < qty)
        return ledger::fail("insufficient_stock", "location '" + request.from + "' holds " + std::to_string(available) +
                                                      " of " + sku + (request.lot ? " lot " + *request.lot : std::string()) +
                                                      ": cannot move " + std::to_string(qty));
    // No lot named and several at the source: the earliest expiry goes first (none last), as
    // a picker would take them (first expiry, first out), then by lot.
    if (lots.size() > 1) {
        // events has no index by product: one pass for every lot of it.
        std::map<std::string, int32_t> expiryOf;
        auto& x = m_db->prepare("SELECT lot, MIN(expiry) FROM events WHERE product_id = ? AND kind = 'received' "
                                "AND expiry IS NOT NULL GROUP BY lot");
        x.bind(1, pid);
        while (x.step()) expiryOf[x.columnText(0)] = static_cast<int32_t>(x.columnInt(1));
        TRY(fromStatement(x));
        x.reset();
        for (auto& l : lots)
            if (auto found = expiryOf.find(l.lot); found != expiryOf.end()) l.expiry = found->second;
        std::stable_sort(lots.begin(), lots.end(), [](const SourceLot& a, const SourceLot& b) {
            if (a.expiry.has_value() != b.expiry.has_value()) return a.expiry.has_value();
            return a.expiry < b.expiry;
        });
    }

    MoveResult out;
    out.sku = sku;
    out.qty = qty;
    out.from = request.from;
    out.to = request.to;
    out.lot = request.lot;
    const std::string opId = newUuid();
    Qty left = qty;
    for (const auto& l : lots) {
        if (left == 0) break;
        const Qty take = std::min(left, l.qty);
        ledger::Event e = eventBy(actor, EventKind::Moved, take);
        e.location = request.from;
        e.toLocation = request.to;
        e.lot = l.lot;
        TRY(appendEvent(e, pid, 0, opId));
        TRY(addStock(pid, request.from, l.lot, -take));
        TRY(addStock(pid, request.to, l.lot, take));
        out.lots.push_back({lotOrNull(l.lot), take});
        left -= take;
    }

    // Quarantine holds what goes in and frees what comes out; between two quarantine
    // locations, or two others, what can be allocated does not change.
    if (toQuarantine && !fromQuarantine) {
        auto released = releaseExcess(pid, actor, opId);
        if (!released) return unexpected(released.error());
        out.released = std::move(*released);
    } else if (fromQuarantine && !toQuarantine) {
        auto allocated = allocateFree(pid, actor, opId);
        if (!allocated) return unexpected(allocated.error());
        out.allocated = std::move(*allocated);
    }

    // The op is the intent: what the operator moved; releases and allocations are claims the
    // server settles by its own rule (DESIGN.md 2). "" spells "none", as in receive's op.
    nlohmann::ordered_json lotsJson = nlohmann::ordered_json::array();
    for (const auto& l : out.lots) lotsJson.push_back({{"lot", l.lot.value_or("")}, {"qty", l.qty}});
    nlohmann::ordered_json released = nlohmann::ordered_json::array();
    for (const auto& r : out.released) released.push_back({{"order_id", r.orderId}, {"line", r.line}, {"qty", r.qty}});
    nlohmann::ordered_json claims = nlohmann::ordered_json::array();
    for (const auto& a : out.allocated) claims.push_back({{"order_id", a.orderId}, {"line", a.line}, {"qty", a.qty}});
    const nlohmann::ordered_json payload{{"scan", request.scan},  {"from", request.from}, {"to", request.to},
                                         {"sku", sku},            {"qty", qty},           {"lot", request.lot.value_or("")},
                                         {"lots", lotsJson},      {"released", released}, {"claims", claims}};
    TRY(appendOutbox(opId, "move", payload.dump(), actor.at));
    return out;
}

// releaseExcess gives back the allocations that the product's stock outside quarantine no
// longer covers, from the lines served last (ledger::releaseLastServed); those lines wait
// again. Each release is a `deallocated` event of the move's op.
Result<std::vector<ReleasedAllocation>> TerminalStore::releaseExcess(int64_t productId, const Actor& actor,
                                                                     const std::string& opId)
{
    std::vector<ReleasedAllocation> out;
    auto allocatable = allocatableOnHand(productId, actor.today);
    if (!allocatable) return unexpected(allocatable.error());
    std::vector<ledger::AllocatedLine> lines;
    std::vector<int64_t> ids;
    Qty allocated = 0;
    auto& q = m_db->prepare("SELECT id, order_id, line, priority, promised_at, ordered_at, allocated FROM order_lines "
                            "WHERE product_id = ? AND cancelled = 0 AND picked < qty AND allocated > 0");
    q.bind(1, productId);
    while (q.step()) {
        ids.push_back(q.columnInt(0));
        lines.push_back({{q.columnText(1), q.columnInt(2), q.columnInt(3), q.columnOptionalInt(4), q.columnInt(5), 0},
                         q.columnInt(6)});
        allocated += q.columnInt(6);
    }
    TRY(fromStatement(q));
    q.reset();
    for (const auto& r : ledger::releaseLastServed(allocated - *allocatable, lines)) {
        TRY(m_db->prepare("UPDATE order_lines SET allocated = allocated - ? WHERE product_id = ? AND id = ?")
                .bind(1, r.qty)
                .bind(2, productId)
                .bind(3, ids[r.index])
                .run());
        TRY(appendEvent(eventBy(actor, EventKind::Deallocated, r.qty), productId, ids[r.index], opId));
        out.push_back({lines[r.index].key.orderId, lines[r.index].key.line, r.qty});
    }
    return out;
}

// ---------------------------------------------------------------------------------------
// Put-away

Result<std::vector<PutawayRow>> TerminalStore::putaway()
{
    Database::Operation op(*m_db, "listing put-away");
    // Units at receiving locations, by (from, sku, lot) bytewise ('' = no lot sorts first).
    struct Waiting {
        int64_t productId = 0;
        PutawayRow row;
    };
    std::vector<Waiting> waiting;
    auto& s = m_db->prepare("SELECT s.product_id, s.location, p.sku, s.lot, s.qty FROM stock s "
                            "JOIN locations l ON l.code = s.location AND l.kind = 'receiving' "
                            "JOIN products p ON p.id = s.product_id WHERE s.qty > 0 ORDER BY s.location, p.sku, s.lot");
    while (s.step()) {
        Waiting w;
        w.productId = s.columnInt(0);
        w.row.from = s.columnText(1);
        w.row.sku = s.columnText(2);
        w.row.lot = lotOrNull(s.columnText(3));
        w.row.qty = s.columnInt(4);
        waiting.push_back(std::move(w));
    }
    TRY(fromStatement(s));
    s.reset();

    // Allocations are per line, not per unit, so which units at a dock are allocated is a
    // choice: allocated units are counted at the staging lanes first (a receipt carries them
    // there), then at the receiving locations (they wait there to be picked, an allocation
    // made at import for stock already on hand), and only then in storage. So a dock's
    // allocated units are never sent to a bin, and the list empties as it is followed. They
    // are taken off the rows in list order, so the later rows show what is unallocated.
    std::map<int64_t, Qty> allocatedHere; // product -> its allocated units at receiving locations
    for (const auto& w : waiting) {
        if (allocatedHere.count(w.productId)) continue;
        Qty allocated = 0, staged = 0;
        TRY(m_db->prepare("SELECT (SELECT COALESCE(SUM(allocated), 0) FROM order_lines WHERE product_id = ?1 AND "
                          "cancelled = 0 AND picked < qty), (SELECT COALESCE(SUM(s.qty), 0) FROM stock s JOIN locations l "
                          "ON l.code = s.location AND l.kind = 'staging' WHERE s.product_id = ?1)")
                .bind(1, w.productId)
                .first([&](const Statement& r) {
                    allocated = r.columnInt(0);
                    staged = r.columnInt(1);
                }));
        allocatedHere[w.productId] = std::max<Qty>(0, allocated - staged);
    }
    for (auto& w : waiting) {
        Qty& skip = allocatedHere[w.productId];
        const Qty off = std::min(skip, w.row.qty);
        w.row.qty -= off;
        skip -= off;
    }
    std::erase_if(waiting, [](const Waiting& w) { return w.row.qty <= 0; });

    // Empty storage bins, first by sequence; each goes to one product, so two products are
    // never sent to the same empty bin by one list.
    std::vector<std::string> emptyBins;
    auto& e = m_db->prepare("SELECT code FROM locations l WHERE kind = 'storage' AND NOT EXISTS("
                            "SELECT 1 FROM stock s WHERE s.location = l.code AND s.qty > 0) ORDER BY sequence, code");
    while (e.step()) emptyBins.push_back(e.columnText(0));
    TRY(fromStatement(e));
    e.reset();
    size_t nextEmpty = 0;

    // The lots' expiries from their receipts, in one pass (events has no index by product).
    std::map<std::pair<int64_t, std::string>, int32_t> expiryOf;
    if (!waiting.empty()) {
        auto& x = m_db->prepare("SELECT product_id, lot, MIN(expiry) FROM events WHERE kind = 'received' AND lot <> '' "
                                "AND expiry IS NOT NULL GROUP BY product_id, lot");
        while (x.step()) expiryOf[{x.columnInt(0), x.columnText(1)}] = static_cast<int32_t>(x.columnInt(2));
        TRY(fromStatement(x));
        x.reset();
    }

    std::map<int64_t, std::pair<std::optional<std::string>, Qty>> suggestionOf;
    std::vector<PutawayRow> rows;
    for (auto& w : waiting) {
        auto found = suggestionOf.find(w.productId);
        if (found == suggestionOf.end()) {
            std::pair<std::optional<std::string>, Qty> suggestion;
            // A bin already holding the product: most units first, then sequence (then code).
            TRY(m_db->prepare("SELECT s.location, SUM(s.qty) AS n FROM stock s JOIN locations l ON l.code = s.location "
                              "AND l.kind = 'storage' WHERE s.product_id = ? GROUP BY s.location HAVING n > 0 "
                              "ORDER BY n DESC, MIN(l.sequence), s.location LIMIT 1")
                    .bind(1, w.productId)
                    .first([&](const Statement& r) { suggestion = {r.columnText(0), r.columnInt(1)}; }));
            if (!suggestion.first && nextEmpty < emptyBins.size()) suggestion.first = emptyBins[nextEmpty++];
            found = suggestionOf.emplace(w.productId, suggestion).first;
        }
        w.row.suggest = found->second.first;
        w.row.suggestHolds = found->second.second;
        if (const auto expiry = w.row.lot ? expiryOf.find({w.productId, *w.row.lot}) : expiryOf.end(); expiry != expiryOf.end())
            w.row.expiry = Date{expiry->second};
        rows.push_back(std::move(w.row));
    }
    return rows;
}

} // namespace backfill::store

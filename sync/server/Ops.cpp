#include "server/Ops.h"

#include "server/Movements.h"
#include "server/OpSupport.h"

#include "ledger/Allocation.h"
#include "ledger/Date.h"
#include "ledger/Release.h"
#include "protocol/Limits.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <limits>
#include <map>
#include <optional>

namespace backfill::server {

using ledger::unexpected;
using protocol::OpStatus;

// kResultBytes bounds a stored op result (finish): 500 of them fit in one PushAck.
constexpr size_t kResultBytes = 4 * 1024;

namespace detail {

// ---------------------------------------------------------------------------------------
// Reading payloads: each reader names the field it refuses, e.g. `lines[1].qty`.

std::string text(const Json& j, const char* key, const std::string& where, bool required, std::optional<Bad>& bad)
{
    const auto it = j.find(key);
    if (it == j.end() || it->is_null()) {
        if (required && !bad) bad = Bad{where + key + ": missing"};
        return {};
    }
    if (!it->is_string()) {
        if (!bad) bad = Bad{where + key + ": not a string"};
        return {};
    }
    return it->get<std::string>();
}

int64_t number(const Json& j, const char* key, const std::string& where, int64_t min, std::optional<Bad>& bad)
{
    const auto it = j.find(key);
    if (it == j.end() || !it->is_number_integer()) {
        if (!bad) bad = Bad{where + key + ": missing or not a whole number"};
        return 0;
    }
    const int64_t v = it->get<int64_t>();
    if (v < min && !bad) bad = Bad{where + key + ": " + std::to_string(v) + ", must be at least " + std::to_string(min)};
    return v;
}

Qty quantity(const Json& j, const char* key, const std::string& where, Qty min, std::optional<Bad>& bad)
{
    const Qty v = number(j, key, where, min, bad);
    if (v > ledger::kMaxUnits && !bad)
        bad = Bad{where + key + ": " + std::to_string(v) + ", must be at most " + std::to_string(ledger::kMaxUnits)};
    return v;
}

const Json& array(const Json& j, const char* key, const std::string& where, bool required, std::optional<Bad>& bad)
{
    static const Json kEmpty = Json::array();
    const auto it = j.find(key);
    if (it == j.end() || it->is_null()) {
        if (required && !bad) bad = Bad{where + key + ": missing"};
        return kEmpty;
    }
    if (!it->is_array()) {
        if (!bad) bad = Bad{where + key + ": not an array"};
        return kEmpty;
    }
    return *it;
}

std::vector<Claim> claimsOf(const Json& j, const std::string& where, std::optional<Bad>& bad)
{
    std::vector<Claim> out;
    eachObject(array(j, "claims", where, false, bad), where + "claims", bad, [&](const Json& item, const std::string& w) {
        Claim c;
        c.orderId = text(item, "order_id", w, true, bad);
        c.line = number(item, "line", w, 0, bad);
        c.qty = quantity(item, "qty", w, 1, bad);
        c.stage = text(item, "stage", w, false, bad);
        if (item.contains("staged")) c.staged = quantity(item, "staged", w, 0, bad);
        if (!bad && c.staged > c.qty)
            bad = Bad{w + "staged: " + std::to_string(c.staged) + ", more than the claim's " + std::to_string(c.qty) + " units"};
        if (!bad && c.staged > 0 && c.stage.empty()) bad = Bad{w + "stage: missing, " + std::to_string(c.staged) + " units were staged"};
        out.push_back(std::move(c));
    });
    return out;
}

struct LotQty {
    std::string lot;
    Qty qty = 0;
};

// lotsOf reads `key` (default `lots`): [{"lot","qty"}].
std::vector<LotQty> lotsOf(const Json& j, std::optional<Bad>& bad, const char* key = "lots")
{
    std::vector<LotQty> out;
    eachObject(array(j, key, "", true, bad), key, bad, [&](const Json& item, const std::string& w) {
        out.push_back({text(item, "lot", w, false, bad), quantity(item, "qty", w, 1, bad)});
    });
    return out;
}

OpOutcome rejected(std::string code, std::string message)
{
    OpOutcome o;
    o.status = OpStatus::Rejected;
    o.code = std::move(code);
    o.message = std::move(message);
    o.result = "{}";
    return o;
}

// ---------------------------------------------------------------------------------------
// Settling a product's allocations

ledger::WaitingLine keyOf(const ledger::OrderLine& l)
{
    return {l.orderId, l.line, l.priority, l.promisedAt, l.orderedAt, l.remaining()};
}

// settle: (1) allocations beyond the allocatable stock give way, last served first
// (ledger::releaseLastServed); (2) the claims, in the order the terminal made them, get what
// their line still needs within free stock; (3) free stock left goes by the allocation rule.
Result<void> settle(ServerStore& store, std::string_view sku, const std::vector<Claim>& claims, std::string_view device,
                    Settlement& out)
{
    if (std::find(out.skus.begin(), out.skus.end(), sku) == out.skus.end()) out.skus.emplace_back(sku);
    auto lines = store.openLines(sku);
    if (!lines) return unexpected(lines.error());
    // No line open: nothing to allocate or release, and a claim is cut for want of a line
    // (free stock does not enter its message), so the stock is not summed (most receipts of a
    // product nobody waits for).
    Result<Qty> onHand = Qty{0};
    if (!lines->empty()) onHand = store.allocatableOnHand(sku);
    if (!onHand) return unexpected(onHand.error());
    Qty allocated = 0;
    for (const auto& l : *lines) allocated += l.allocated;
    Qty freeQty = *onHand - allocated;

    if (freeQty < 0) {
        std::vector<ledger::AllocatedLine> held;
        for (const auto& l : *lines) held.push_back({keyOf(l), l.allocated});
        for (const auto& r : ledger::releaseLastServed(-freeQty, held)) {
            auto& l = (*lines)[r.index];
            TRY(store.changeLine(l.orderId, l.line, -r.qty, 0));
            l.allocated -= r.qty;
            out.releases.push_back({{"order_id", l.orderId}, {"line", l.line}, {"qty", r.qty}});
        }
        freeQty = 0;
    }

    for (const auto& c : claims) {
        auto it = std::find_if(lines->begin(), lines->end(),
                               [&](const ledger::OrderLine& l) { return l.orderId == c.orderId && l.line == c.line; });
        const Qty need = it == lines->end() ? 0 : it->remaining();
        const Qty available = std::max<Qty>(freeQty, 0);
        const Qty grant = std::min({c.qty, need, available});
        // Cut only because the line was (partly) filled already: name the other device whose
        // op filled it last (issue 12 item 8), read before this grant fills it. Not when free
        // stock was short (the units went to other lines), nor for the server's own
        // allocation or this device's.
        std::optional<std::string> filledBy;
        if (it != lines->end() && need < c.qty && need <= available) {
            auto by = store.filledBy(c.orderId, c.line);
            if (!by) return unexpected(by.error());
            if (*by && **by != device) filledBy = **by;
        }
        if (grant > 0) {
            TRY(store.fillLine(it->orderId, it->line, grant, device));
            it->allocated += grant;
            freeQty -= grant;
            out.allocations.push_back({{"order_id", c.orderId}, {"line", c.line}, {"qty", grant}, {"claimed", true}});
        }
        if (grant < c.qty) {
            const std::string why = it == lines->end() ? "the line waits for nothing at the server"
                                    : need <= available
                                        ? (need == 0 ? "the line needed no more units" : "the line needed only " + std::to_string(need) + " more")
                                        : (available == 0 ? "the server had no free units left for it"
                                                          : "the server had only " + std::to_string(available) + " free units");
            const std::string line = c.orderId + " line " + std::to_string(c.line);
            const std::string head = filledBy ? line + (need == 0 ? " was filled by " : " was partly filled by ") + *filledBy : line;
            Json correction{{"order_id", c.orderId}, {"line", c.line}, {"sku", std::string(sku)}, {"old_qty", c.qty}, {"new_qty", grant}};
            if (filledBy) correction["filled_by"] = *filledBy;
            // Units the receiver carried to the order's lane beyond what the line keeps go
            // back from the lane; a cut of units allocated where they lay moves nothing.
            const Qty offLane = std::max<Qty>(c.staged - grant, 0);
            if (offLane > 0) {
                correction["stage"] = c.stage;
                correction["take_back"] = offLane;
            }
            correction["message"] = head + ": " + std::to_string(c.qty) + " units of " + std::string(sku) +
                                    " were allocated here, the server allocated " + std::to_string(grant) + " (" + why +
                                    "): take " + std::to_string(offLane > 0 ? offLane : c.qty - grant) + " units " +
                                    (offLane > 0 ? "from " + c.stage + " " : std::string()) + "back to stock";
            out.corrections.push_back(std::move(correction));
        }
    }

    if (freeQty > 0) {
        std::vector<ledger::WaitingLine> waiting;
        std::vector<size_t> index;
        for (size_t i = 0; i < lines->size(); ++i) {
            if ((*lines)[i].remaining() <= 0) continue;
            waiting.push_back(keyOf((*lines)[i]));
            index.push_back(i);
        }
        for (const auto& a : ledger::allocate(freeQty, waiting)) {
            auto& l = (*lines)[index[a.index]];
            TRY(store.fillLine(l.orderId, l.line, a.qty, device));
            l.allocated += a.qty;
            out.allocations.push_back({{"order_id", l.orderId}, {"line", l.line}, {"qty", a.qty}, {"claimed", false}});
        }
    }
    return {};
}

// Built key by key: nlohmann's initializer lists copy every value once more (json_ref), which
// was half of this function's time on every op.
Json identity(const OpContext& op)
{
    Json j = Json::object();
    j["op_id"] = op.opId;
    j["device"] = op.deviceId;
    j["device_seq"] = op.deviceSeq;
    return j;
}

Result<void> finishText(ServerStore& store, const OpContext& op, std::string_view kind, const std::string& payload,
                        const std::vector<Movement>& movements, const Json& exception, const Settlement& s, OpOutcome& out)
{
    auto seq = store.appendLog(kind, payload);
    if (!seq) return unexpected(seq.error());
    out.globalSeq = *seq;
    out.skus = s.skus;
    for (const auto& a : s.allocations)
        out.allocated.push_back({a["order_id"].get<std::string>(), a["line"].get<int64_t>(), a["qty"].get<Qty>()});
    // The entry's on-hand changes, by key, for counts to come (P6: server/Movements.h).
    TRY(store.addMovements({*seq, op.deviceId, op.epoch, op.deviceSeq}, movements));
    for (const auto& c : s.corrections) {
        Json j = identity(op);
        for (const auto& [k, v] : c.items()) j[k] = v;
        TRY(store.appendLog("correction", j.dump()));
    }
    if (s.allocations.empty() && s.releases.empty() && s.corrections.empty() && out.code.empty()) {
        out.result = R"({"allocations":[],"releases":[],"corrections":[]})"; // most ops: built and dumped, the same text
        return {};
    }
    Json result{{"allocations", s.allocations}, {"releases", s.releases}, {"corrections", s.corrections}};
    if (!out.code.empty()) result["exception"] = exception;
    out.result = result.dump();
    // A PushAck carries up to kMaxOpsPerPush results: a result past kResultBytes says how many
    // of each there were; the log holds them (the op's entry and its corrections).
    if (out.result.size() > kResultBytes) {
        Json summary{{"allocations", s.allocations.size()}, {"releases", s.releases.size()}, {"corrections", s.corrections.size()}};
        result = Json{{"in_log", summary}};
        if (!out.code.empty()) result["exception"] = exception;
        out.result = result.dump();
    }
    return {};
}

Result<void> finish(ServerStore& store, const OpContext& op, std::string_view kind, Json entry, const Settlement& s,
                    OpOutcome& out)
{
    entry["allocations"] = s.allocations;
    entry["releases"] = s.releases;
    return finishText(store, op, kind, entry.dump(), movementsOf(kind, entry), entry.value("exception", Json()), s, out);
}

Result<int64_t> exception(ServerStore& store, const OpContext& op, const std::string& code, const std::string& message)
{
    Json payload = identity(op);
    payload["message"] = message;
    return store.addException({0, code, op.opId, op.deviceId, payload.dump(), std::nullopt});
}

Result<std::optional<int64_t>> flagged(ServerStore& store, const OpContext& op, OpOutcome& out, const std::string& code,
                                       const std::string& message)
{
    auto id = exception(store, op, code, message);
    if (!id) return unexpected(id.error());
    if (!out.code.empty()) {
        out.message += "; " + message;
        return std::optional<int64_t>();
    }
    out.status = OpStatus::Flagged;
    out.code = code;
    out.message = message;
    return std::optional<int64_t>(*id);
}

Result<void> flag(ServerStore& store, const OpContext& op, OpOutcome& out, Json& entry, const std::string& code,
                  const std::string& message)
{
    auto id = flagged(store, op, out, code, message);
    if (!id) return unexpected(id.error());
    if (*id) entry["exception"] = **id;
    return {};
}

Result<bool> locationUsable(ServerStore& store, const OpContext& op, std::string_view code)
{
    if (op.memo)
        if (const auto it = op.memo->locations.find(code); it != op.memo->locations.end()) return it->second;
    auto kind = store.locationKind(code);
    if (!kind) return unexpected(kind.error());
    bool usable = kind->has_value();
    if (!usable) {
        auto any = store.hasLocations();
        if (!any) return unexpected(any.error());
        usable = !*any;
    }
    if (op.memo) op.memo->locations.emplace(std::string(code), usable);
    return usable;
}

} // namespace detail

namespace {

using namespace detail;

// takeStock removes `qty` of a lot at a location, flagging negative_stock when the server's
// book held less there (a fact is applied anyway: DESIGN.md 2, never absolute values).
Result<void> takeStock(ServerStore& store, const OpContext& op, OpOutcome& out, Json& entry, const std::string& sku,
                       const std::string& location, const std::string& lot, Qty qty)
{
    auto rows = store.stock(sku);
    if (!rows) return unexpected(rows.error());
    Qty here = 0;
    for (const auto& r : *rows)
        if (r.location == location && r.lot == lot) here = r.qty;
    if (here < qty)
        TRY(flag(store, op, out, entry, "negative_stock",
                 std::to_string(qty) + " units of " + sku + (lot.empty() ? "" : " lot " + lot) + " left " + location +
                     " where the server's book held " + std::to_string(here) + ": count the location"));
    return store.addStock(sku, location, lot, -qty);
}

// move: {"scan","from","to","sku","qty","lot","lots":[{"lot","qty"}],"released":[...],"claims":[...]}
// The terminal's `released` is compared with the server's releases (OpsReleases.cpp).
Result<OpOutcome> applyMove(ServerStore& store, const OpContext& op, const Json& p)
{
    std::optional<Bad> bad;
    const std::string from = text(p, "from", "", true, bad);
    const std::string to = text(p, "to", "", true, bad);
    const std::string sku = text(p, "sku", "", true, bad);
    const auto lots = lotsOf(p, bad);
    const auto claims = claimsOf(p, "", bad);
    const auto released = releasedOf(p, bad);
    if (bad) return rejected("bad_payload", "move: " + bad->message);
    auto product = store.hasProduct(sku);
    if (!product) return unexpected(product.error());
    if (!*product) return rejected("unknown_sku", "move: sku '" + sku + "' is not in the server's catalog");
    for (const auto& where : {from, to}) {
        auto usable = locationUsable(store, op, where);
        if (!usable) return unexpected(usable.error());
        if (!*usable) return rejected("unknown_location", "move: location '" + where + "' is not in the server's locations");
    }

    OpOutcome out;
    Json entry = identity(op);
    entry["sku"] = sku;
    entry["from"] = from;
    entry["to"] = to;
    Json lotsJson = Json::array();
    for (const auto& l : lots) {
        TRY(takeStock(store, op, out, entry, sku, from, l.lot, l.qty));
        TRY(store.addStock(sku, to, l.lot, l.qty));
        lotsJson.push_back({{"lot", l.lot}, {"qty", l.qty}});
    }
    entry["lots"] = lotsJson;
    // Into quarantine frees nothing and may leave allocations above what can be allocated;
    // out of it makes units allocatable: settle does both.
    Settlement settlement;
    TRY(settle(store, sku, claims, op.deviceId, settlement));
    if (released) TRY(compareReleases(store, "move", sku, *released, settlement));
    TRY(finish(store, op, "move", std::move(entry), settlement, out));
    return out;
}

// pick: {"order_id","line","qty","location","lot","lots":[{"lot","qty"}]}
Result<OpOutcome> applyPick(ServerStore& store, const OpContext& op, const Json& p)
{
    std::optional<Bad> bad;
    const std::string orderId = text(p, "order_id", "", true, bad);
    const int64_t lineNo = number(p, "line", "", 0, bad);
    const Qty qty = quantity(p, "qty", "", 1, bad);
    const std::string location = text(p, "location", "", true, bad);
    const auto lots = lotsOf(p, bad);
    Qty sum = 0;
    for (const auto& l : lots) sum += l.qty;
    if (!bad && sum != qty) bad = Bad{"lots: " + std::to_string(sum) + " units, the pick says qty " + std::to_string(qty)};
    if (bad) return rejected("bad_payload", "pick: " + bad->message);
    auto line = store.orderLine(orderId, lineNo);
    if (!line) return unexpected(line.error());
    if (!*line)
        return rejected("unknown_line", "pick: order " + orderId + " line " + std::to_string(lineNo) + " is not at the server");

    OpOutcome out;
    Json entry = identity(op);
    const std::string& sku = (*line)->sku;
    entry["order_id"] = orderId;
    entry["line"] = lineNo;
    entry["sku"] = sku;
    entry["qty"] = qty;
    entry["location"] = location;
    Json lotsJson = Json::array();
    for (const auto& l : lots) {
        TRY(takeStock(store, op, out, entry, sku, location, l.lot, l.qty));
        lotsJson.push_back({{"lot", l.lot}, {"qty", l.qty}});
    }
    entry["lots"] = lotsJson;
    // Picked units come out of the line's allocation first; beyond it they came from stock
    // that was free (or allocated to others: settle then releases, last served first).
    const Qty fromAllocated = std::min(qty, (*line)->allocated);
    TRY(store.changeLine(orderId, lineNo, -fromAllocated, qty));
    entry["deallocated"] = fromAllocated;
    if ((*line)->picked + qty > (*line)->qty)
        TRY(flag(store, op, out, entry, "over_pick",
                 orderId + " line " + std::to_string(lineNo) + " ordered " + std::to_string((*line)->qty) + " and now has " +
                     std::to_string((*line)->picked + qty) + " picked: return the extra units"));
    Settlement settlement;
    TRY(settle(store, sku, {}, op.deviceId, settlement));
    TRY(finish(store, op, "pick", std::move(entry), settlement, out));
    return out;
}

// short: {"order_id","line","location","sku","found","expected","missing","reason","held":[{"lot","qty"}],"claims":[...]}
// The missing units are put on hold where the picker looked (on hand, not allocatable, until
// a count there settles them) and leave the line, which waits again; then settle (the rule
// may hand the line free units elsewhere, the terminal's claims first).
Result<OpOutcome> applyShort(ServerStore& store, const OpContext& op, const Json& p)
{
    std::optional<Bad> bad;
    const std::string orderId = text(p, "order_id", "", true, bad);
    const int64_t lineNo = number(p, "line", "", 0, bad);
    const std::string location = text(p, "location", "", true, bad);
    const Qty missing = quantity(p, "missing", "", 1, bad);
    const std::string reason = text(p, "reason", "", true, bad);
    const std::vector<LotQty> held = lotsOf(p, bad, "held");
    const auto claims = claimsOf(p, "", bad);
    if (bad) return rejected("bad_payload", "short: " + bad->message);
    auto line = store.orderLine(orderId, lineNo);
    if (!line) return unexpected(line.error());
    if (!*line)
        return rejected("unknown_line", "short: order " + orderId + " line " + std::to_string(lineNo) + " is not at the server");
    const std::string& sku = (*line)->sku;

    OpOutcome out;
    Json entry = identity(op);
    entry["order_id"] = orderId;
    entry["line"] = lineNo;
    entry["sku"] = sku;
    entry["location"] = location;
    entry["missing"] = missing;
    entry["reason"] = reason;
    Json heldJson = Json::array();
    for (const auto& h : held) {
        TRY(store.addHeld(sku, location, h.lot, h.qty));
        heldJson.push_back({{"lot", h.lot}, {"qty", h.qty}});
    }
    entry["held"] = heldJson;
    const Qty deallocated = std::min(missing, (*line)->allocated);
    TRY(store.changeLine(orderId, lineNo, -deallocated, 0));
    entry["deallocated"] = deallocated;
    Settlement settlement;
    TRY(settle(store, sku, claims, op.deviceId, settlement));
    TRY(finish(store, op, "short", std::move(entry), settlement, out));
    return out;
}

// A count is applied at the basis its terminal knew (DESIGN.md P6; docs/sync.md, Counts):
// the book then was the book now minus the movements at the key the basis did not know, so
// the key ends at counted + those movements (never below 0), and its hold is settled (the
// count found what is there). A count that other devices' movements overtook is flagged
// stale_count for a person. A payload without a basis (an outbox older than the rule) puts
// the terminal's variance on top of the book now, as before.
Result<void> applyAtBasis(ServerStore& store, const OpContext& op, OpOutcome& out, Json& entry, const std::string& sku,
                          const std::string& location, const std::string& lot, Qty counted, Qty variance,
                          const std::optional<CountBasis>& basis)
{
    auto rows = store.stock(sku);
    if (!rows) return unexpected(rows.error());
    Qty now = 0, held = 0;
    for (const auto& r : *rows)
        if (r.location == location && r.lot == lot) {
            now = r.qty;
            held = r.held;
        }
    Qty wanted = variance;
    UnknownMovements unknown;
    if (basis) {
        auto u = store.movementsUnknownTo(sku, location, lot, *basis);
        if (!u) return unexpected(u.error());
        unknown = *u;
        const Qty bookAtBasis = now - unknown.net;
        wanted = counted - bookAtBasis;
        entry["basis_cursor"] = basis->cursor;
        entry["basis_epoch"] = basis->epoch;
        entry["basis_device_seq"] = basis->deviceSeq;
        entry["book_at_basis"] = bookAtBasis;
        entry["unknown"] = unknown.net;
    }
    // Never below 0: units cannot be on a shelf below nothing (a book already below 0 comes
    // up to what was counted).
    const Qty adjustment = std::max(wanted, -now);
    if (adjustment != 0) TRY(store.addStock(sku, location, lot, adjustment));
    if (held != 0) TRY(store.addHeld(sku, location, lot, -held));
    entry["adjusted"] = adjustment;
    entry["holds_cleared"] = held;
    if (basis && unknown.byOthers > 0) {
        const std::string where = sku + (lot.empty() ? "" : " lot " + lot) + " at " + location;
        const std::string net = (unknown.net >= 0 ? "+" : "") + std::to_string(unknown.net);
        TRY(flag(store, op, out, entry, "stale_count",
                 "the count of " + where + " (" + std::to_string(counted) + " counted) did not know " +
                     std::to_string(unknown.count) + " movements there since log seq " + std::to_string(basis->cursor) +
                     " (net " + net + "): applied as " + std::to_string(counted) + " " + net + " = " +
                     std::to_string(now + adjustment) + "; recount if goods moved while counting"));
    }
    return {};
}

// count / count_approve: {"count_id","state","sku","location","lot","counted","variance",
// "basis_cursor","basis_epoch","basis_device_seq",...,"claims"}. A count in state `applied`
// and every approval are applied at their basis (applyAtBasis); `recount` and `pending`
// counts change nothing.
Result<OpOutcome> applyCountLike(ServerStore& store, const OpContext& op, const Json& p, const char* kind, bool approval)
{
    std::optional<Bad> bad;
    const int64_t countId = number(p, "count_id", "", 1, bad);
    const std::string state = approval ? "applied" : text(p, "state", "", true, bad);
    const std::string sku = text(p, "sku", "", true, bad);
    const std::string location = text(p, "location", "", true, bad);
    const std::string lot = text(p, "lot", "", false, bad);
    const Qty counted = quantity(p, "counted", "", 0, bad);
    const Qty variance = quantity(p, "variance", "", -ledger::kMaxUnits, bad);
    const auto claims = claimsOf(p, "", bad);
    const auto released = releasedOf(p, bad);
    if (!bad && state != "applied" && state != "recount" && state != "pending")
        bad = Bad{"state: '" + state + "', must be applied, recount or pending"};
    // The basis: the server cursor the terminal had pulled and its own last op it knew.
    std::optional<CountBasis> basis;
    if (!bad && p.contains("basis_cursor") && !p["basis_cursor"].is_null()) {
        CountBasis b;
        b.deviceId = op.deviceId;
        b.cursor = number(p, "basis_cursor", "", 0, bad);
        b.epoch = number(p, "basis_epoch", "", 0, bad);
        b.deviceSeq = number(p, "basis_device_seq", "", 0, bad);
        if (!bad && (b.epoch > op.epoch || (b.epoch == op.epoch && b.deviceSeq >= op.deviceSeq)))
            bad = Bad{"basis_device_seq: epoch " + std::to_string(b.epoch) + " seq " + std::to_string(b.deviceSeq) +
                      " is not before this op (epoch " + std::to_string(op.epoch) + " seq " + std::to_string(op.deviceSeq) + ")"};
        basis = b;
    }
    if (bad) return rejected("bad_payload", std::string(kind) + ": " + bad->message);
    auto product = store.hasProduct(sku);
    if (!product) return unexpected(product.error());
    if (!*product) return rejected("unknown_sku", std::string(kind) + ": sku '" + sku + "' is not in the server's catalog");

    OpOutcome out;
    Json entry = identity(op);
    entry["count_id"] = countId;
    entry["state"] = state;
    entry["sku"] = sku;
    entry["location"] = location;
    entry["lot"] = lot;
    entry["counted"] = counted;
    entry["variance"] = variance;
    if (approval) {
        entry["count_op_id"] = p.value("count_op_id", std::string());
        entry["reason"] = p.contains("reason") && p["reason"].is_string() ? p["reason"].get<std::string>() : std::string();
    }
    Settlement settlement;
    if (state == "applied") {
        TRY(applyAtBasis(store, op, out, entry, sku, location, lot, counted, variance, basis));
        TRY(settle(store, sku, claims, op.deviceId, settlement));
        if (released) TRY(compareReleases(store, kind, sku, *released, settlement));
    }
    TRY(finish(store, op, kind, std::move(entry), settlement, out));
    return out;
}

Result<OpOutcome> applyCount(ServerStore& store, const OpContext& op, const Json& p)
{
    return applyCountLike(store, op, p, "count", false);
}

Result<OpOutcome> applyCountApprove(ServerStore& store, const OpContext& op, const Json& p)
{
    return applyCountLike(store, op, p, "count_approve", true);
}

// count_reject: {"count_id","count_op_id","note"}: the book stands; the entry tells the others.
Result<OpOutcome> applyCountReject(ServerStore& store, const OpContext& op, const Json& p)
{
    std::optional<Bad> bad;
    const int64_t countId = number(p, "count_id", "", 1, bad);
    const std::string countOp = text(p, "count_op_id", "", false, bad);
    const std::string note = text(p, "note", "", false, bad);
    if (bad) return rejected("bad_payload", "count_reject: " + bad->message);
    OpOutcome out;
    Json entry = identity(op);
    entry["count_id"] = countId;
    entry["count_op_id"] = countOp;
    entry["note"] = note;
    TRY(finish(store, op, "count_reject", std::move(entry), Settlement{}, out));
    return out;
}


// user_add / user_remove: the server is the master for users (docs/server.md, Users). An
// enrolled terminal refuses its own user admin, and enrolment refuses while ops written
// before it wait, so these arrive only from an outbox older than that rule; they are refused
// and recorded, so they never wedge the queue.
Result<OpOutcome> applyUserOp(ServerStore&, const OpContext&, const Json& p)
{
    const std::string name = p.value("name", std::string());
    return rejected("enrolled", "users are managed at the server (`backfilld user add|remove`): the terminal's change of user '" +
                                    name + "' was not applied");
}

} // namespace

namespace {

// OpKind is how one kind of op is applied. `refusesFirst`: every refusal (Rejected) its
// function can return comes before its first write (read so, function by function;
// refusesBeforeWriting, and Applier::push checks it as it goes).
struct OpKind {
    std::string_view kind;
    Result<OpOutcome> (*apply)(ServerStore&, const OpContext&, const Json&);
    bool refusesFirst = false;
};

constexpr OpKind kAppliers[] = {
    {"receive", &applyReceive, true},
    {"move", &applyMove, true},
    {"pick", &applyPick, true},
    {"short", &applyShort, true},
    {"count", &applyCount},
    {"count_approve", &applyCountApprove},
    {"count_reject", &applyCountReject},
    {"undo", &applyUndo},
    {"user_add", &applyUserOp},
    {"user_remove", &applyUserOp},
};

const OpKind* applierOf(std::string_view kind)
{
    const auto it = std::find_if(std::begin(kAppliers), std::end(kAppliers), [&](const OpKind& a) { return a.kind == kind; });
    return it == std::end(kAppliers) ? nullptr : it;
}

} // namespace

bool refusesBeforeWriting(std::string_view kind)
{
    const OpKind* a = applierOf(kind);
    return a && a->refusesFirst;
}

Json parsePayload(std::string_view payload) { return Json::parse(payload, nullptr, false); }

ReadAhead readAhead(std::string_view kind, const Json& payload)
{
    if (kind != "receive" || !payload.is_object()) return {};
    return std::make_shared<const ReceiveRead>(readReceive(payload));
}

Result<OpOutcome> applyOp(ServerStore& store, const OpContext& op, std::string_view kind, const Json& p, const ReadAhead& ahead)
{
    const OpKind* applier = applierOf(kind);
    if (!applier) {
        OpOutcome o = rejected("unknown_op", "this server does not apply '" + std::string(kind) +
                                                 "' ops yet: the op stays in the terminal's outbox; upgrade backfilld");
        o.record = false;
        return o;
    }
    if (p.is_discarded() || !p.is_object())
        return rejected("bad_payload", std::string(kind) + ": the payload is not a JSON object");
    if (ahead) return applyReceive(store, op, *ahead); // readAhead reads receipts only
    return applier->apply(store, op, p);
}

Result<void> settleProduct(ServerStore& store, std::string_view sku, std::string_view cause)
{
    Settlement s;
    TRY(settle(store, sku, {}, "", s));
    if (!s.changed()) return {};
    Json entry{{"sku", std::string(sku)}, {"cause", std::string(cause)}, {"allocations", s.allocations}, {"releases", s.releases}};
    auto seq = store.appendLog("allocation", entry.dump());
    if (!seq) return unexpected(seq.error());
    return {};
}

} // namespace backfill::server

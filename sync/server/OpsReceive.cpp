// The server's side of a receipt (docs/server.md, Apply rules): stock at the location and on
// to staging lanes, the inbound it was expected by, a pallet received once, claims settled,
// one lane per order, and its log entry (server/ReceiptEntry.h).

#include "server/ReceiptEntry.h"

#include "ledger/Date.h"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace backfill::server::detail {

using ledger::unexpected;
using protocol::OpStatus;

namespace {

// receive: {"scan","location","lines":[{"sku","qty","lot","sscc","claims":[{"order_id","line","qty"[,"stage","staged"]}]}]}
// A claim's `staged` units were carried from the location to the order's lane `stage`.

using PayloadLine = ReceiveRead::Line;

// keepOneLane keeps one staging lane per order (docs/server.md, One lane per order). The
// first receipt that carried an order's units to a lane gives the order that lane: the
// entry's `lanes` says so, and every terminal folds it, so their next allocations and pick
// lists use it. A later receipt that carried them to another lane (two terminals offline) is
// a fact: the units are where the receiver put them; what the order keeps of them gets a
// correction to take them to the order's lane.
Result<void> keepOneLane(ServerStore& store, const std::vector<PayloadLine>& lines, Json& entry, Settlement& settlement)
{
    Json lanes = Json::array();
    for (const auto& l : lines)
        for (const auto& c : l.claims) {
            if (c.staged <= 0) continue;
            auto kept = store.orderStage(c.orderId);
            if (!kept) return unexpected(kept.error());
            if (!*kept) {
                TRY(store.setOrderStage(c.orderId, c.stage));
                lanes.push_back({{"order_id", c.orderId}, {"stage", c.stage}});
                continue;
            }
            if (**kept == c.stage) continue;
            // The units the claim kept on the order, of those carried to the other lane (a cut
            // claim's surplus already has its own correction: back to stock).
            Qty granted = 0;
            for (const auto& a : settlement.allocations)
                if (a.value("claimed", false) && a["order_id"] == c.orderId && a["line"] == c.line) granted += a["qty"].get<Qty>();
            const Qty move = std::min(c.staged, granted);
            if (move <= 0) continue;
            settlement.corrections.push_back(
                {{"order_id", c.orderId},
                 {"line", c.line},
                 {"sku", l.sku},
                 {"old_qty", granted},
                 {"new_qty", granted},
                 {"stage", c.stage},
                 {"move_to", **kept},
                 {"message", c.orderId + " is staged at " + **kept + ": take the " + std::to_string(move) +
                                 (move == 1 ? " unit of " : " units of ") + l.sku + " carried to " + c.stage + " there"}});
        }
    if (!lanes.empty()) entry["lanes"] = std::move(lanes);
    return {};
}

} // namespace

ReceiveRead readReceive(const Json& p)
{
    ReceiveRead read;
    std::optional<Bad>& bad = read.bad;
    read.location = text(p, "location", "", true, bad);
    const std::string& location = read.location;
    std::vector<PayloadLine>& lines = read.lines;
    const Json& jl = array(p, "lines", "", true, bad);
    if (!bad && jl.empty()) bad = Bad{"lines: empty, a receipt has at least one line"};
    eachObject(jl, "lines", bad, [&](const Json& item, const std::string& w) {
        PayloadLine l;
        l.sku = text(item, "sku", w, true, bad);
        l.qty = quantity(item, "qty", w, 1, bad);
        l.lot = text(item, "lot", w, false, bad);
        if (const std::string expiry = text(item, "expiry", w, false, bad); !bad && !expiry.empty()) {
            l.expiry = ledger::parseDate(expiry);
            if (!l.expiry) bad = Bad{w + "expiry: '" + expiry + "' is not a date YYYY-MM-DD"};
            else if (l.lot.empty()) bad = Bad{w + "expiry: a line without a lot has no expiry"};
        }
        l.sscc = text(item, "sscc", w, false, bad);
        l.claims = claimsOf(item, w, bad);
        lines.push_back(std::move(l));
    });
    // A line's units carried on to staging lanes: at most the line's own units, never to
    // the receiving location itself.
    for (size_t i = 0; i < lines.size() && !bad; ++i) {
        Qty staged = 0;
        for (size_t k = 0; k < lines[i].claims.size() && !bad; ++k) {
            const auto& c = lines[i].claims[k];
            staged += c.staged;
            if (c.staged > 0 && c.stage == location)
                bad = Bad{"lines[" + std::to_string(i) + "].claims[" + std::to_string(k) + "].stage: '" + c.stage +
                          "' is the receiving location itself"};
        }
        if (!bad && staged > lines[i].qty)
            bad = Bad{"lines[" + std::to_string(i) + "]: " + std::to_string(staged) + " units staged, more than the line's " +
                      std::to_string(lines[i].qty)};
    }
    return read;
}

Result<OpOutcome> applyReceive(ServerStore& store, const OpContext& op, const Json& p) { return applyReceive(store, op, readReceive(p)); }

Result<OpOutcome> applyReceive(ServerStore& store, const OpContext& op, const ReceiveRead& read)
{
    if (read.bad) return rejected("bad_payload", "receive: " + read.bad->message);
    const std::string& location = read.location;
    const std::vector<PayloadLine>& lines = read.lines;

    for (const auto& l : lines) {
        auto product = store.hasProduct(l.sku);
        if (!product) return unexpected(product.error());
        if (!*product) return rejected("unknown_sku", "receive: sku '" + l.sku + "' is not in the server's catalog");
    }
    std::vector<std::string> places{location};
    for (const auto& l : lines)
        for (const auto& c : l.claims)
            if (c.staged > 0 && std::find(places.begin(), places.end(), c.stage) == places.end()) places.push_back(c.stage);
    for (const auto& place : places) {
        auto usable = locationUsable(store, op, place);
        if (!usable) return unexpected(usable.error());
        if (!*usable)
            return rejected("unknown_location", "receive: " + std::string(place == location ? "location" : "staging lane") + " '" +
                                                    place + "' is not in the server's locations");
    }

    OpOutcome out;
    Settlement settlement;

    // A pallet is received once (DESIGN.md 2): a second receipt of the same SSCC is applied
    // with no stock effect and becomes an exception; every claim it made is cut to 0.
    std::vector<std::string> ssccs;
    for (const auto& l : lines)
        if (!l.sscc.empty() && std::find(ssccs.begin(), ssccs.end(), l.sscc) == ssccs.end()) ssccs.push_back(l.sscc);
    for (const auto& sscc : ssccs) {
        auto seen = store.ssccReceived(sscc);
        if (!seen) return unexpected(seen.error());
        if (!*seen) continue;
        Json entry = identity(op);
        entry["location"] = location;
        TRY(flag(store, op, out, entry, "sscc_received",
                 "pallet SSCC " + sscc + " was already received: this receipt has no stock effect; put the pallet aside for a person"));
        entry["lines"] = Json::array();
        for (const auto& l : lines)
            for (const auto& c : l.claims)
                settlement.corrections.push_back(
                    {{"order_id", c.orderId},
                     {"line", c.line},
                     {"sku", l.sku},
                     {"old_qty", c.qty},
                     {"new_qty", 0},
                     {"message", c.orderId + " line " + std::to_string(c.line) + ": pallet SSCC " + sscc +
                                     " was already received, so its " + std::to_string(c.qty) + " units of " + l.sku +
                                     " do not count: take them back off the order"}});
        TRY(finish(store, op, "receive", std::move(entry), settlement, out));
        return out;
    }

    std::vector<ReceivedLine> received;
    std::optional<int64_t> exceptionId; // the op's first flag's
    std::vector<std::string> skus;
    for (const auto& l : lines) {
        // The units stay at the location but for those carried on to orders' lanes.
        ReceivedLine& r = received.emplace_back(ReceivedLine{l.sku, l.lot, l.sscc, l.qty, std::nullopt, 0, {}});
        Qty stagedQty = 0;
        for (const auto& c : l.claims) {
            if (c.staged <= 0) continue;
            stagedQty += c.staged;
            auto same = std::find_if(r.staged.begin(), r.staged.end(), [&](const auto& s) { return s.first == c.stage; });
            if (same != r.staged.end())
                same->second += c.staged;
            else
                r.staged.emplace_back(c.stage, c.staged);
        }
        // A lot's expiry is its first receipt's that named one (as on the terminal); the entry
        // carries the one kept, so every terminal learns it (FEFO, expired stock).
        // A receipt that names another expiry for a registered lot is applied (the units are
        // there) and flagged, so a person checks the labels: expiry_conflict.
        if (l.expiry) {
            auto kept = store.registerLotExpiry(l.sku, l.lot, *l.expiry);
            if (!kept) return unexpected(kept.error());
            r.expiry = *kept;
            if (*kept != *l.expiry) {
                auto id = flagged(store, op, out, "expiry_conflict",
                                  "lot " + l.lot + " of " + l.sku + ": this receipt names expiry " + ledger::formatDate(*l.expiry) +
                                      ", the lot was registered with " + ledger::formatDate(*kept) +
                                      " by its first receipt, which stays: check the labels");
                if (!id) return unexpected(id.error());
                if (*id) exceptionId = *id;
            }
        }
        if (l.qty > stagedQty) TRY(store.addStock(l.sku, location, l.lot, l.qty - stagedQty));
        for (const auto& [stage, qty] : r.staged) TRY(store.addStock(l.sku, stage, l.lot, qty));
        // The units reduce what the inbound still expects: the pallet's lines for an SSCC,
        // else the loose lines in (eta, inbound_id, file order); the rest is an over-receipt.
        auto open = store.openInbound(l.sku, l.sscc);
        if (!open) return unexpected(open.error());
        Qty left = l.qty;
        for (const auto& o : *open) {
            if (left == 0) break;
            const Qty n = std::min(left, o.open);
            TRY(store.addInboundReceived(o.id, n));
            left -= n;
        }
        r.overReceipt = left;
        if (std::find(skus.begin(), skus.end(), l.sku) == skus.end()) skus.push_back(l.sku);
    }
    // Claims are settled per product once all its units are on hand, in the order made.
    for (const auto& sku : skus) {
        std::vector<Claim> claims;
        for (const auto& l : lines)
            if (l.sku == sku) claims.insert(claims.end(), l.claims.begin(), l.claims.end());
        TRY(settle(store, sku, claims, op.deviceId, settlement));
    }
    // The entry: written as text when it can be (most receipts), else built as JSON. The text
    // covers no staged units, so keepOneLane (which acts on those only) has nothing to do there.
    if (auto text = receiptText(op, location, exceptionId, received, settlement.allocations, settlement.releases)) {
        TRY(finishText(store, op, "receive", *text, receiptMovements(location, received),
                       exceptionId ? Json(*exceptionId) : Json(), settlement, out));
    } else {
        Json entry = receiptEntry(op, location, exceptionId, received);
        TRY(keepOneLane(store, lines, entry, settlement));
        TRY(finish(store, op, "receive", std::move(entry), settlement, out));
    }
    for (const auto& sscc : ssccs) TRY(store.markSsccReceived(sscc, out.globalSeq));
    return out;
}

} // namespace backfill::server::detail

// The server's side of undo (docs/server.md, Undo): a terminal undid one of its receipts; the
// server reverses what IT applied for that receipt (its stock, its allocations, which may
// differ from the terminal's claims, the inbound progress and the pallet's SSCC record), by
// the terminal's rules (ledger/Undo.h), and refuses when its own state makes that impossible.

#include "server/OpSupport.h"

#include "ledger/Undo.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

namespace backfill::server::detail {

using ledger::unexpected;

namespace {

// ReceiptLine is one line of the receipt's log entry: what the server received.
struct ReceiptLine {
    std::string sku, lot, sscc;
    Qty qty = 0;
    Qty overReceipt = 0;
    Json staged = Json::array(); // [{"stage","qty"}]: carried on to orders' lanes
    Qty stagedQty = 0;
};

// placeChange maps a later log entry to the ledger event it stands for at `location` of
// `sku`, when it may have taken units from a place (ledger::takesUnitsFromPlace decides).
std::optional<ledger::EventKind> placeChange(const std::string& kind, const Json& e, std::string& location)
{
    if (kind == "pick") {
        location = e.value("location", "");
        return ledger::EventKind::Picked;
    }
    if (kind == "move") {
        location = e.value("from", "");
        return ledger::EventKind::Moved;
    }
    if (kind == "short") {
        if (!e.contains("held") || !e["held"].is_array() || e["held"].empty()) return std::nullopt;
        location = e.value("location", "");
        return ledger::EventKind::Held;
    }
    if (kind == "count" || kind == "count_approve") {
        location = e.value("location", "");
        return e.contains("adjusted") ? ledger::EventKind::Adjusted : ledger::EventKind::Counted;
    }
    return std::nullopt;
}

} // namespace

// undo: {"undoes","scan","lines":[{"sku","qty","lot","sscc","location"}],"released":[...],"claims":[...]}
// The terminal's `lines` and `released` say what it took back; the server reverses its own
// receipt entry instead (DESIGN.md 2: the server is the authority), and the `claims` (lines
// the terminal covered again from other free stock) are settled like any claims.
Result<OpOutcome> applyUndo(ServerStore& store, const OpContext& op, const Json& p)
{
    std::optional<Bad> bad;
    const std::string undoes = text(p, "undoes", "", true, bad);
    const auto claims = claimsOf(p, "", bad);
    if (bad) return rejected("bad_payload", "undo: " + bad->message);

    auto receipt = store.appliedOp(undoes);
    if (!receipt) return unexpected(receipt.error());
    if (!*receipt || (*receipt)->kind != "receive" || (*receipt)->deviceId != op.deviceId)
        return rejected("unknown_receipt", "undo: op " + undoes + " is not a receipt of device " + op.deviceId +
                                               " at this server: nothing to undo");
    if ((*receipt)->status == protocol::OpStatus::Rejected)
        return rejected("unknown_receipt", "undo: the receipt " + undoes + " was rejected here (" + (*receipt)->code +
                                               "): the server applied nothing to undo");
    const int64_t receiptSeq = (*receipt)->globalSeq;
    auto head = store.entriesAfter(receiptSeq - 1, 1);
    if (!head) return unexpected(head.error());
    if (head->empty() || head->front().kind != "receive")
        return rejected("unknown_receipt", "undo: the log has no receive entry at seq " + std::to_string(receiptSeq) + " for op " + undoes);
    const Json received = Json::parse(head->front().payload, nullptr, false);
    const std::string location = received.value("location", "");
    std::vector<ReceiptLine> lines;
    std::set<std::string> skus;
    for (const auto& l : received.value("lines", Json::array())) {
        lines.push_back({l.value("sku", ""), l.value("lot", ""), l.value("sscc", ""), l.value("qty", Qty{0}), l.value("over_receipt", Qty{0})});
        auto& line = lines.back();
        for (const auto& st : l.value("staged", Json::array())) {
            line.staged.push_back({{"stage", st.value("stage", "")}, {"qty", st.value("qty", Qty{0})}});
            line.stagedQty += st.value("qty", Qty{0});
        }
        skus.insert(line.sku);
    }
    auto describe = [&]() {
        Qty units = 0;
        for (const auto& l : lines) units += l.qty;
        return "the receipt of " + std::to_string(units) + " " + (lines.empty() ? std::string("units") : lines.front().sku) + " at " +
               location + " (op " + undoes + ")";
    };

    // What the receipt left where: (sku, lot, place) -> units; the places are its location
    // and the staging lanes it carried units on to.
    std::map<std::tuple<std::string, std::string, std::string>, Qty> takeBack;
    std::set<std::string> places{location};
    for (const auto& l : lines) {
        if (l.qty > l.stagedQty) takeBack[{l.sku, l.lot, location}] += l.qty - l.stagedQty;
        for (const auto& st : l.staged) {
            takeBack[{l.sku, l.lot, st["stage"].get<std::string>()}] += st["qty"].get<Qty>();
            places.insert(st["stage"].get<std::string>());
        }
    }

    // Already undone, or blocked by what happened since: the log after the receipt, read in
    // pages, at the places the receipt put units.
    for (int64_t cursor = receiptSeq;;) {
        auto page = store.entriesAfter(cursor, 1000);
        if (!page) return unexpected(page.error());
        for (const auto& entry : *page) {
            const Json e = Json::parse(entry.payload, nullptr, false);
            if (!e.is_object()) continue;
            if (entry.kind == "undo" && e.value("undoes", "") == undoes)
                return rejected("already_undone", "undo: " + describe() + " was undone already (log seq " + std::to_string(entry.seq) + ")");
            if (lines.empty()) continue;
            std::string where;
            const auto change = placeChange(entry.kind, e, where);
            if (!change || !ledger::takesUnitsFromPlace(*change) || !places.count(where) || !skus.count(e.value("sku", ""))) continue;
            return rejected("undo_blocked", "undo: cannot undo " + describe() + ": " + e.value("sku", "") + " was " +
                                                std::string(ledger::eventKindName(*change)) + " at " + where +
                                                " since at the server (log seq " + std::to_string(entry.seq) + ", device " +
                                                e.value("device", "") + "); correct it with a count");
        }
        if (page->size() < 1000) break;
        cursor = page->back().seq;
    }
    // What the receipt left must still be there, unheld.
    for (const auto& [key, n] : takeBack) {
        const auto& [sku, lot, place] = key;
        auto rows = store.stock(sku);
        if (!rows) return unexpected(rows.error());
        Qty unheld = 0;
        for (const auto& r : *rows)
            if (r.location == place && r.lot == lot) unheld = r.qty - r.held;
        if (!ledger::undoLeavesEnough(unheld, n))
            return rejected("undo_blocked", "undo: cannot undo " + describe() + ": " + place + " holds " + std::to_string(unheld) +
                                                " unheld " + sku + (lot.empty() ? "" : " lot " + lot) + " at the server, the receipt left " +
                                                std::to_string(n) + " there; correct it with a count");
    }

    OpOutcome out;
    Json entry = identity(op);
    entry["undoes"] = undoes;
    entry["location"] = location;

    // The server's own allocations of the receipt, as far as the lines still hold them.
    Json deallocated = Json::array();
    for (const auto& a : received.value("allocations", Json::array())) {
        const std::string orderId = a.value("order_id", "");
        const int64_t lineNo = a.value("line", int64_t{0});
        auto line = store.orderLine(orderId, lineNo);
        if (!line) return unexpected(line.error());
        if (!*line) continue;
        const Qty n = ledger::undoDeallocation(a.value("qty", Qty{0}), (*line)->allocated);
        if (n <= 0) continue;
        TRY(store.changeLine(orderId, lineNo, -n, 0));
        deallocated.push_back({{"order_id", orderId}, {"line", lineNo}, {"qty", n}});
    }

    // The units, the inbound progress they made (the lines filled last give back first), the
    // pallet's record.
    Json linesJson = Json::array();
    std::set<std::string> ssccs;
    for (const auto& [key, n] : takeBack) TRY(store.addStock(std::get<0>(key), std::get<2>(key), std::get<1>(key), -n));
    for (const auto& l : lines) {
        const Qty inbound = std::max<Qty>(l.qty - l.overReceipt, 0);
        if (inbound > 0) {
            auto filled = store.receivedInbound(l.sku, l.sscc);
            if (!filled) return unexpected(filled.error());
            std::vector<Qty> received;
            for (const auto& f : *filled) received.push_back(f.received);
            const auto back = ledger::giveBackInbound(inbound, received);
            for (size_t i = 0; i < back.size(); ++i)
                if (back[i] > 0) TRY(store.addInboundReceived((*filled)[i].id, -back[i]));
        }
        if (!l.sscc.empty()) ssccs.insert(l.sscc);
        linesJson.push_back({{"sku", l.sku}, {"qty", l.qty}, {"lot", l.lot}, {"sscc", l.sscc}, {"inbound", inbound}});
        if (!l.staged.empty()) linesJson.back()["staged"] = l.staged;
    }
    for (const auto& s : ssccs) TRY(store.unmarkSsccReceived(s));
    entry["lines"] = linesJson;
    entry["deallocated"] = deallocated;

    // Settle each product (by sku): what exceeds the allocatable stock gives way, then the
    // terminal's claims, then the rule. A claim on a line the server does not have is settled
    // with the receipt's first product, where it is cut (the line waits for nothing).
    std::map<std::string, std::vector<Claim>> claimsBySku;
    for (const auto& c : claims) {
        auto line = store.orderLine(c.orderId, c.line);
        if (!line) return unexpected(line.error());
        const std::string sku = *line ? (*line)->sku : (skus.empty() ? std::string() : *skus.begin());
        skus.insert(sku);
        claimsBySku[sku].push_back(c);
    }
    Settlement settlement;
    for (const auto& sku : skus) TRY(settle(store, sku, claimsBySku[sku], op.deviceId, settlement));
    TRY(finish(store, op, "undo", std::move(entry), settlement, out));
    return out;
}

} // namespace backfill::server::detail

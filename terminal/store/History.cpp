#include "store/History.h"

#include <nlohmann/json.hpp>

#include <map>

namespace backfill::store {

namespace {

// opKind names the op of a ledger event whose outbox row is gone.
std::string opKind(const std::string& eventKind) { return eventKind == "picked" ? "pick" : "receive"; }

} // namespace

Result<std::vector<HistoryEntry>> latestActions(Database& db, int64_t limit)
{
    std::vector<HistoryEntry> entries;
    // Walks the ledger backwards from its newest row and stops at `limit` matches; allocations
    // and moves (consequences of an action, not actions) are skipped.
    auto& events = db.prepare("SELECT e.id, e.kind, e.at, p.sku, e.qty, e.location, e.lot, e.expiry, e.sscc, l.order_id, "
                              "l.line, e.op_id, e.operator, e.device FROM events e JOIN products p ON p.id = e.product_id "
                              "LEFT JOIN order_lines l ON l.id = e.order_line_id "
                              "WHERE e.kind IN ('received', 'picked') ORDER BY e.id DESC LIMIT ?");
    events.bind(1, limit);
    while (events.step()) {
        HistoryEntry h;
        h.eventId = events.columnInt(0);
        h.kind = opKind(events.columnText(1));
        h.at = events.columnInt(2);
        h.sku = events.columnText(3);
        h.qty = events.columnInt(4);
        h.location = events.columnText(5);
        if (auto lot = events.columnText(6); !lot.empty()) h.lot = lot;
        if (auto d = events.columnOptionalInt(7)) h.expiry = ledger::Date{static_cast<int32_t>(*d)};
        if (auto sscc = events.columnText(8); !sscc.empty()) h.sscc = sscc;
        h.orderId = events.columnOptionalText(9);
        h.line = events.columnOptionalInt(10);
        h.opId = events.columnOptionalText(11).value_or("");
        h.operatorName = events.columnText(12);
        h.device = events.columnText(13);
        entries.push_back(std::move(h));
    }
    if (auto error = events.lastError()) return ledger::unexpected(*error);
    events.reset();

    // The scan is in the op's outbox payload. The outbox has no op_id index (it would cost a
    // page per commit), but its rows are in commit order like the events: walking it from the
    // newest row finds the ops of the newest events first and stops when all are found.
    std::map<std::string, std::vector<HistoryEntry*>> wanted;
    for (auto& h : entries)
        if (!h.opId.empty()) wanted[h.opId].push_back(&h);
    auto& outbox = db.prepare("SELECT op_id, kind, payload, device_seq FROM outbox ORDER BY device_seq DESC");
    while (!wanted.empty() && outbox.step()) {
        const auto found = wanted.find(outbox.columnText(0));
        if (found == wanted.end()) continue;
        const std::string kind = outbox.columnText(1);
        const auto payload = nlohmann::json::parse(outbox.columnText(2), nullptr, false);
        std::optional<std::string> scan;
        if (payload.is_object() && payload.contains("scan") && payload["scan"].is_string())
            scan = payload["scan"].get<std::string>();
        for (auto* h : found->second) {
            h->kind = kind;
            h->scan = scan;
            h->deviceSeq = outbox.columnInt(3);
        }
        wanted.erase(found);
    }
    std::optional<Error> error = outbox.lastError();
    outbox.reset(); // never left on a row: that would hold a read transaction open
    if (error) return ledger::unexpected(*error);
    return entries;
}

} // namespace backfill::store

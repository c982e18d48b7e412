#include "server/Exports.h"

#include "server/Reports.h"

#include <nlohmann/json.hpp>

namespace backfill::server {

using Json = nlohmann::ordered_json;
using ledger::unexpected;

std::optional<ExportKind> parseExportKind(std::string_view text)
{
    if (text == "receipts") return ExportKind::Receipts;
    if (text == "picks") return ExportKind::Picks;
    if (text == "adjustments") return ExportKind::Adjustments;
    return std::nullopt;
}

namespace {

Json field(const Json& p, const char* key) { return p.contains(key) ? p[key] : Json(); }

// record turns one log entry into its export record; null when the entry has none.
Json record(ExportKind kind, const TimedLogEntry& e)
{
    const Json p = Json::parse(e.payload, nullptr, false);
    if (!p.is_object()) return Json();
    Json r{{"cursor", e.seq}};
    const Json at = e.at ? Json(ledger::formatTimestamp(*e.at)) : Json();
    switch (kind) {
    case ExportKind::Receipts: {
        Json lines = Json::array();
        for (const auto& l : field(p, "lines"))
            if (l.is_object()) lines.push_back({{"sku", field(l, "sku")}, {"qty", field(l, "qty")}, {"lot", field(l, "lot")}, {"sscc", field(l, "sscc")}});
        if (lines.empty()) return Json();
        r.update({{"type", "receipt"}, {"at", at}, {"op_id", field(p, "op_id")}, {"device", field(p, "device")},
                  {"location", field(p, "location")}, {"lines", lines}});
        return r;
    }
    case ExportKind::Picks:
        r.update({{"type", "pick"}, {"at", at}, {"op_id", field(p, "op_id")}, {"device", field(p, "device")},
                  {"order_id", field(p, "order_id")}, {"line", field(p, "line")}, {"sku", field(p, "sku")}, {"qty", field(p, "qty")},
                  {"location", field(p, "location")}, {"lots", field(p, "lots")}});
        return r;
    case ExportKind::Adjustments: {
        const Json adjusted = field(p, "adjusted");
        if (!adjusted.is_number_integer() || adjusted.get<int64_t>() == 0) return Json();
        r.update({{"type", "adjustment"}, {"at", at}, {"op_id", field(p, "op_id")}, {"device", field(p, "device")},
                  {"count_id", field(p, "count_id")}, {"sku", field(p, "sku")}, {"location", field(p, "location")},
                  {"lot", field(p, "lot")}, {"qty", adjusted},
                  {"reason", e.kind == "count_approve" ? field(p, "reason") : Json("count")}});
        return r;
    }
    }
    return Json();
}

} // namespace

Result<ExportBatch> exportSince(ServerStore& store, ExportKind kind, int64_t cursor, size_t limit)
{
    static const std::vector<std::string> kReceipts{"receive"}, kPicks{"pick"}, kAdjustments{"count", "count_approve"};
    const auto& kinds = kind == ExportKind::Receipts ? kReceipts : kind == ExportKind::Picks ? kPicks : kAdjustments;
    ExportBatch batch;
    batch.nextCursor = cursor;
    auto done = forEachEntry(store, cursor, kinds, [&](const TimedLogEntry& e) -> Result<void> {
        if (limit > 0 && batch.records.size() == limit) return ledger::fail("full", "");
        batch.nextCursor = e.seq;
        const Json r = record(kind, e);
        if (!r.is_null()) batch.records.push_back(r.dump());
        return {};
    });
    if (!done && done.error().code != "full") return unexpected(done.error());
    return batch;
}

} // namespace backfill::server

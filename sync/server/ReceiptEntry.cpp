#include "server/ReceiptEntry.h"

#include "ledger/Date.h"
#include "store/JsonText.h"

#include <nlohmann/json.hpp>

namespace backfill::server::detail {

Json receiptEntry(const OpContext& op, std::string_view location, std::optional<int64_t> exceptionId,
                  const std::vector<ReceivedLine>& lines)
{
    Json entry = identity(op);
    entry["location"] = location;
    if (exceptionId) entry["exception"] = *exceptionId;
    Json all = Json::array();
    for (const auto& l : lines) {
        Json& line = all.emplace_back(Json::object());
        line["sku"] = l.sku;
        line["qty"] = l.qty;
        line["lot"] = l.lot;
        if (l.expiry) line["expiry"] = ledger::formatDate(*l.expiry);
        line["sscc"] = l.sscc;
        line["over_receipt"] = l.overReceipt;
        if (l.staged.empty()) continue;
        Json staged = Json::array();
        for (const auto& [stage, qty] : l.staged) {
            Json& s = staged.emplace_back(Json::object());
            s["stage"] = stage;
            s["qty"] = qty;
        }
        line["staged"] = std::move(staged);
    }
    entry["lines"] = std::move(all);
    return entry;
}

namespace {

// Text writes JSON as dump() does: members (key and value) and containers, a comma before
// every one but a container's first. `ok` turns false at the first text it cannot write so
// (not ASCII).
struct Text {
    std::string out;
    bool ok = true;
    bool first = true;

    void comma()
    {
        if (!first) out += ',';
        first = false;
    }
    void key(const char* k)
    {
        comma();
        out += '"';
        out += k;
        out += "\":";
    }
    void text(const char* k, std::string_view v)
    {
        key(k);
        ok = ok && store::appendJsonString(out, v);
    }
    void number(const char* k, int64_t v)
    {
        key(k);
        store::appendJsonInt(out, v);
    }
    // open starts a container: as member `k`, or as an array's element (k null).
    void open(const char* k, char bracket)
    {
        if (k) key(k);
        else comma();
        out += bracket;
        first = true;
    }
    void close(char bracket)
    {
        out += bracket;
        first = false;
    }
};

} // namespace

std::optional<std::string> receiptText(const OpContext& op, std::string_view location, std::optional<int64_t> exceptionId,
                                       const std::vector<ReceivedLine>& lines, const Json& allocations, const Json& releases)
{
    Text t;
    t.out.reserve(160 + 96 * lines.size());
    t.open(nullptr, '{');
    t.text("op_id", op.opId);
    t.text("device", op.deviceId);
    t.number("device_seq", op.deviceSeq);
    t.text("location", location);
    if (exceptionId) t.number("exception", *exceptionId);
    t.open("lines", '[');
    for (const auto& l : lines) {
        if (!l.staged.empty()) return std::nullopt;
        t.open(nullptr, '{');
        t.text("sku", l.sku);
        t.number("qty", l.qty);
        t.text("lot", l.lot);
        if (l.expiry) t.text("expiry", ledger::formatDate(*l.expiry));
        t.text("sscc", l.sscc);
        t.number("over_receipt", l.overReceipt);
        t.close('}');
        if (!t.ok) return std::nullopt;
    }
    t.close(']');
    // Most receipts allocate and release nothing: "[]" as dump() writes it, without a serializer.
    t.key("allocations");
    t.out += allocations.is_array() && allocations.empty() ? "[]" : allocations.dump();
    t.key("releases");
    t.out += releases.is_array() && releases.empty() ? "[]" : releases.dump();
    t.close('}');
    if (!t.ok) return std::nullopt;
    return std::move(t.out);
}

std::vector<Movement> receiptMovements(std::string_view location, const std::vector<ReceivedLine>& lines)
{
    std::vector<Movement> out;
    for (const auto& l : lines) {
        Qty staged = 0;
        for (const auto& s : l.staged) staged += s.second;
        if (l.qty - staged != 0) out.push_back({l.sku, std::string(location), l.lot, l.qty - staged});
        for (const auto& [stage, qty] : l.staged)
            if (qty != 0) out.push_back({l.sku, stage, l.lot, qty});
    }
    return out;
}

} // namespace backfill::server::detail

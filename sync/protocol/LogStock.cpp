#include "protocol/LogStock.h"

#include <nlohmann/json.hpp>

namespace backfill::protocol {

namespace {

using Json = nlohmann::json;
using ledger::Qty;

std::string textOf(const Json& j, const char* key)
{
    const auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Qty qtyOf(const Json& j, const char* key)
{
    const auto it = j.find(key);
    return it != j.end() && it->is_number_integer() ? it->get<Qty>() : 0;
}

const Json& listOf(const Json& j, const char* key)
{
    static const Json kEmpty = Json::array();
    const auto it = j.find(key);
    return it != j.end() && it->is_array() ? *it : kEmpty;
}

} // namespace

std::vector<StockDelta> stockDeltasOf(std::string_view kind, std::string_view payload)
{
    std::vector<StockDelta> out;
    if (kind != "receive" && kind != "undo" && kind != "move" && kind != "pick" && kind != "short" && kind != "count" &&
        kind != "count_approve")
        return out;
    const Json e = Json::parse(payload, nullptr, false);
    if (!e.is_object()) return out;
    auto add = [&](std::string sku, std::string location, std::string lot, Qty qty, Qty held) {
        if (qty != 0 || held != 0) out.push_back({std::move(sku), std::move(location), std::move(lot), qty, held});
    };
    if (kind == "receive" || kind == "undo") {
        // A receipt's line: the units not staged stay at the location; an undo takes the
        // same units back from the same places.
        const Qty sign = kind == "receive" ? 1 : -1;
        for (const auto& l : listOf(e, "lines")) {
            Qty staged = 0;
            for (const auto& s : listOf(l, "staged")) staged += qtyOf(s, "qty");
            add(textOf(l, "sku"), textOf(e, "location"), textOf(l, "lot"), sign * (qtyOf(l, "qty") - staged), 0);
            for (const auto& s : listOf(l, "staged")) add(textOf(l, "sku"), textOf(s, "stage"), textOf(l, "lot"), sign * qtyOf(s, "qty"), 0);
        }
    } else if (kind == "move") {
        for (const auto& l : listOf(e, "lots")) {
            add(textOf(e, "sku"), textOf(e, "from"), textOf(l, "lot"), -qtyOf(l, "qty"), 0);
            add(textOf(e, "sku"), textOf(e, "to"), textOf(l, "lot"), qtyOf(l, "qty"), 0);
        }
    } else if (kind == "pick") {
        for (const auto& l : listOf(e, "lots")) add(textOf(e, "sku"), textOf(e, "location"), textOf(l, "lot"), -qtyOf(l, "qty"), 0);
    } else if (kind == "short") {
        for (const auto& h : listOf(e, "held")) add(textOf(e, "sku"), textOf(e, "location"), textOf(h, "lot"), 0, qtyOf(h, "qty"));
    } else if (e.contains("adjusted")) { // count, count_approve
        add(textOf(e, "sku"), textOf(e, "location"), textOf(e, "lot"), qtyOf(e, "adjusted"), -qtyOf(e, "holds_cleared"));
    }
    return out;
}

} // namespace backfill::protocol

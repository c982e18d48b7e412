#include "server/Movements.h"

namespace backfill::server {

namespace {

using Json = nlohmann::ordered_json;

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

std::vector<Movement> movementsOf(std::string_view kind, const Json& e)
{
    std::vector<Movement> out;
    auto add = [&](std::string sku, std::string location, std::string lot, Qty qty) {
        if (qty != 0) out.push_back({std::move(sku), std::move(location), std::move(lot), qty});
    };
    if (kind == "receive") {
        for (const auto& l : listOf(e, "lines")) add(textOf(l, "sku"), textOf(e, "location"), textOf(l, "lot"), qtyOf(l, "qty"));
    } else if (kind == "move") {
        for (const auto& l : listOf(e, "lots")) {
            add(textOf(e, "sku"), textOf(e, "from"), textOf(l, "lot"), -qtyOf(l, "qty"));
            add(textOf(e, "sku"), textOf(e, "to"), textOf(l, "lot"), qtyOf(l, "qty"));
        }
    } else if (kind == "pick") {
        for (const auto& l : listOf(e, "lots")) add(textOf(e, "sku"), textOf(e, "location"), textOf(l, "lot"), -qtyOf(l, "qty"));
    } else if (kind == "undo") {
        for (const auto& l : listOf(e, "lines")) add(textOf(l, "sku"), textOf(e, "location"), textOf(l, "lot"), -qtyOf(l, "qty"));
    } else if (kind == "count" || kind == "count_approve") {
        add(textOf(e, "sku"), textOf(e, "location"), textOf(e, "lot"), qtyOf(e, "adjusted"));
    }
    return out;
}

} // namespace backfill::server

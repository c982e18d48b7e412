#include "protocol/LogStock.h"

#include <nlohmann/json.hpp>

namespace backfill::protocol {

bool logstock::movesStock(std::string_view kind)
{
    return kind == "receive" || kind == "undo" || kind == "move" || kind == "pick" || kind == "short" || kind == "count" ||
           kind == "count_approve";
}

std::vector<StockDelta> stockDeltasOf(std::string_view kind, std::string_view payload)
{
    if (!logstock::movesStock(kind)) return {};
    return stockDeltasOfEntry(kind, nlohmann::json::parse(payload, nullptr, false));
}

} // namespace backfill::protocol

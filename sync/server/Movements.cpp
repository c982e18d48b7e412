#include "server/Movements.h"

#include "protocol/LogStock.h"

#include <nlohmann/json.hpp>

namespace backfill::server {

std::vector<Movement> movementsOf(std::string_view kind, const nlohmann::ordered_json& entry)
{
    std::vector<Movement> out;
    for (auto& d : protocol::stockDeltasOfEntry(kind, entry))
        if (d.qty != 0) out.push_back({std::move(d.sku), std::move(d.location), std::move(d.lot), d.qty});
    return out;
}

} // namespace backfill::server

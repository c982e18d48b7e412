#include "server/Movements.h"

#include "protocol/LogStock.h"

namespace backfill::server {

std::vector<Movement> movementsOf(std::string_view kind, std::string_view payload)
{
    std::vector<Movement> out;
    for (auto& d : protocol::stockDeltasOf(kind, payload))
        if (d.qty != 0) out.push_back({std::move(d.sku), std::move(d.location), std::move(d.lot), d.qty});
    return out;
}

} // namespace backfill::server

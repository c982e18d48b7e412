#pragma once
// movementsOf: the on-hand changes an op's log entry records, per (sku, location, lot)
// (DESIGN.md P6; the table `movements`, server migration 5, holds them by log seq so a count
// can be applied at the basis its terminal knew). The same deltas the log replays to
// (docs/server.md, The log): a receipt's lines add at its location, a move's lots leave
// `from` and arrive at `to`, a pick's lots leave its location, an undo's lines leave the
// receipt's location, an applied count's `adjusted` changes its key. Holds are not on-hand
// changes. Zero changes are left out.

#include "server/ServerStore.h"

#include <nlohmann/json.hpp>

#include <string_view>
#include <vector>

namespace backfill::server {

std::vector<Movement> movementsOf(std::string_view kind, const nlohmann::ordered_json& entry);

} // namespace backfill::server

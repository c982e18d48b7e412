#pragma once
// movementsOf: the on-hand changes an op's log entry records, per (sku, location, lot)
// (DESIGN.md P6; the table `movements`, server migration 5, holds them by log seq so a count
// can be applied at the basis its terminal knew): the on-hand part of the deltas the log
// replays to (protocol/LogStock.h, the reading the terminal folds the log with). Holds are
// not on-hand changes.

#include "server/ServerStore.h"

#include <nlohmann/json_fwd.hpp>

#include <string_view>
#include <vector>

namespace backfill::server {

// `entry` is the log entry as the apply path built it (not its text parsed again).
std::vector<Movement> movementsOf(std::string_view kind, const nlohmann::ordered_json& entry);

} // namespace backfill::server

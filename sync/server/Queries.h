#pragma once
// What backfilld prints about its authoritative state, computed with the same ledger
// functions the terminal uses (ledger/Projection.h).

#include "server/ServerStore.h"

#include <optional>
#include <vector>

namespace backfill::server {

// BackorderRow is one order line with its state and, while it waits for goods, its projected
// ETA (DESIGN.md 1, Backorder vs out of stock).
struct BackorderRow {
    ledger::OrderLine line;
    ledger::LineState state = ledger::LineState::OutOfStock;
    std::optional<ledger::Date> eta;
};

// backorders returns every line by (order id, line): the open inbound of each product goes to
// the waiting remainders in allocation order (ledger::projectEtas); only a backordered or
// partially allocated line keeps its eta (as the terminal's `backfill backorders`).
Result<std::vector<BackorderRow>> backorders(ServerStore& store);

} // namespace backfill::server

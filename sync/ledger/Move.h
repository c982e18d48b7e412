#pragma once
// What a move asks for (issue 10 item 2): the contract between whoever reads the move (a
// scan through workflow/MoveScan.h, or --sku/--qty) and whoever records it (the terminal
// store now, the server's apply later).

#include "ledger/Types.h"

#include <optional>
#include <string>

namespace backfill::ledger {

// MoveRequest: `count` units of what `gtin` (GTIN-14: 1 for an each-level GTIN, case_qty
// for a case GTIN) or `sku` (1 unit) stands for, of lot `lot` (any lot when unset), from
// location `from` to location `to`. Exactly one of `gtin` and `sku` is set. `scan` is the
// scan as delivered (empty when the move was typed as --sku/--qty).
struct MoveRequest {
    std::string scan;
    std::optional<std::string> gtin;
    std::optional<std::string> sku;
    Qty count = 1;
    std::optional<std::string> lot;
    std::string from;
    std::string to;
};

} // namespace backfill::ledger

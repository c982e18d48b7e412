#pragma once
// Replaying the ledger: the stock and allocations that follow from the events alone
// (DESIGN.md 1, Ledger: "stock is derived from the ledger"). A store's derived rows must
// always equal this fold of its events; the property tests hold them to it, and the server
// rebuilds a terminal's view the same way.

#include "ledger/Types.h"

#include <map>
#include <span>
#include <string>
#include <tuple>
#include <utility>

namespace backfill::ledger {

// StockKey: one product at one location in one lot ("" = no lot).
using StockKey = std::tuple<std::string, std::string, std::string>; // sku, location, lot
// LineKey: one order line.
using LineKey = std::pair<std::string, int64_t>; // order id, line

struct StockCell {
    Qty qty = 0;  // on hand
    Qty held = 0; // of which on hold (a short pick's missing units)
    friend bool operator==(const StockCell&, const StockCell&) = default;
};

struct LineCell {
    Qty allocated = 0; // reserved, not yet picked
    Qty picked = 0;
    friend bool operator==(const LineCell&, const LineCell&) = default;
};

// LedgerState is the fold. Cells whose values are all zero are left out, so two states
// compare equal whenever their non-empty cells do.
struct LedgerState {
    std::map<StockKey, StockCell> stock;
    std::map<LineKey, LineCell> lines;
    friend bool operator==(const LedgerState&, const LedgerState&) = default;
};

// replay folds `events` in order:
//  received / adjusted: +qty at (location, lot) (negative: a reversal or a lower count);
//  moved: -qty at location, +qty at toLocation (same lot);
//  picked: -qty at location; the line's allocated -qty, picked +qty;
//  allocated / deallocated: the line's allocated +qty / -qty;
//  held: the hold at (location, lot) +qty (negative: lifted);
//  counted: no effect (the adjustment that may follow carries it).
LedgerState replay(std::span<const Event> events);

} // namespace backfill::ledger

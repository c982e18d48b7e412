#pragma once
// The allocation rule of DESIGN.md 1, as one pure function used by terminal and server alike.

#include "ledger/Date.h"
#include "ledger/Types.h"

#include <optional>
#include <span>
#include <string>
#include <vector>

namespace backfill::ledger {

// WaitingLine is what the rule needs to know of an order line that still needs units.
struct WaitingLine {
    std::string orderId;
    int64_t line = 0;
    int64_t priority = 0;
    std::optional<Timestamp> promisedAt;
    Timestamp orderedAt = 0;
    Qty remaining = 0; // qty - allocated - picked
};

// LineAllocation gives `qty` units to lines[index] of the span passed to allocate().
struct LineAllocation {
    size_t index = 0;
    Qty qty = 0;
};

// allocatesBefore is the allocation order: priority (higher first), promised date (earlier
// first; none last), order date (earlier first), order id (bytewise), line number.
bool allocatesBefore(const WaitingLine& a, const WaitingLine& b);

// allocate hands `freeQty` units to `lines` (any order) by that order. Partial fills are
// allowed; a line never gets more than its remaining; lines with remaining <= 0 get nothing;
// what is left stays free. Returns the non-zero allocations in allocation order. No I/O.
std::vector<LineAllocation> allocate(Qty freeQty, std::span<const WaitingLine> lines);

} // namespace backfill::ledger

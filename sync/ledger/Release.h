#pragma once
// The release rule (issue 10 item 2, and later short picks and negative adjustments): when a
// product's allocated units exceed what can still be allocated, the allocations of the lines
// served last give way first. One pure function, used by terminal and server alike.

#include "ledger/Allocation.h"

#include <span>
#include <vector>

namespace backfill::ledger {

// AllocatedLine is what the rule needs to know of an order line that holds allocated units:
// its allocation key (`remaining` is not used) and the units allocated to it, not yet picked.
struct AllocatedLine {
    WaitingLine key;
    Qty allocated = 0;
};

// LineRelease takes `qty` allocated units back from lines[index] of the span passed to
// releaseLastServed().
struct LineRelease {
    size_t index = 0;
    Qty qty = 0;
};

// releaseLastServed takes `excess` allocated units back from `lines` (any order) in reverse
// allocation order (allocatesBefore: the line the rule serves last gives way first). A line
// gives at most its `allocated`; lines with allocated <= 0 give nothing; when `excess` is
// more than all allocations, every allocation is released. Returns the non-zero releases in
// the order they were taken (last served first). No I/O.
std::vector<LineRelease> releaseLastServed(Qty excess, std::span<const AllocatedLine> lines);

} // namespace backfill::ledger

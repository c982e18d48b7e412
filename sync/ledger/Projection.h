#pragma once
// Per-line state and projected ETA (DESIGN.md 1, Backorder vs out of stock).

#include "ledger/Allocation.h"
#include "ledger/Date.h"
#include "ledger/Types.h"

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace backfill::ledger {

// InboundSupply is the open quantity of one inbound line of the product.
struct InboundSupply {
    Date eta;
    std::string inboundId;
    int64_t rowOrder = 0; // import order: the tie-break after eta and inbound_id
    Qty open = 0;
};

// projectEtas gives each of `lines` (the waiting lines of one product, any order) the eta of
// the inbound line that completes its remainder when the open inbound quantities, in (eta,
// inboundId, rowOrder) order, go to the remainders in allocation order; nullopt when the
// inbound does not cover the line (out of stock) or the line waits for nothing. The result
// is indexed like `lines`.
std::vector<std::optional<Date>> projectEtas(std::span<const WaitingLine> lines, std::span<const InboundSupply> supply);

// completingSupply is projectEtas naming the inbound line rather than its eta: the index into
// `supply` of the inbound line that completes each line's remainder, nullopt where
// projectEtas gives nullopt. Supply with open <= 0 is ignored.
std::vector<std::optional<size_t>> completingSupply(std::span<const WaitingLine> lines, std::span<const InboundSupply> supply);

enum class LineState { Cancelled, Picked, Allocated, PartiallyAllocated, Backordered, OutOfStock };

// lineState applies the first matching rule: cancelled; picked (picked = qty); allocated
// (allocated + picked = qty); partially_allocated (allocated + picked > 0); backordered
// (nothing yet, eta known); out_of_stock (nothing yet, no eta).
LineState lineState(const OrderLine& line, bool hasEta);

// lineStateName gives the JSON spelling: `cancelled`, `picked`, `allocated`,
// `partially_allocated`, `backordered`, `out_of_stock`.
std::string_view lineStateName(LineState state);

} // namespace backfill::ledger

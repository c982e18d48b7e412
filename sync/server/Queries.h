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

// ProductStock is one product as the terminal's `backfill stock` prints it: on hand (every
// location), allocated (its open lines), quarantined (at quarantine locations), held (outside
// quarantine), expired (outside quarantine, units of lots whose expiry is before the store's
// entry day: --today, else the clock's date; their holds are not counted again in held) and
// free; with one sku asked for, its rows by location and lot (with the lot's expiry) too.
struct ProductStock {
    std::string sku;
    ledger::Qty onHand = 0;
    ledger::Qty allocated = 0;
    ledger::Qty quarantined = 0;
    ledger::Qty held = 0;
    ledger::Qty expired = 0;
    std::vector<StockRow> locations; // only for one sku, by (location, lot)
    ledger::Qty free() const { return onHand - quarantined - expired - held - allocated; }
};

// productStock gives every product of the catalog by sku, or only `sku` (none when the
// catalog has no such product), with the terminal's sums (TerminalStore::stock).
Result<std::vector<ProductStock>> productStock(ServerStore& store, const std::optional<std::string>& sku);

} // namespace backfill::server

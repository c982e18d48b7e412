#pragma once
// Replenishment (issue 13 items 1-2; DESIGN.md 1, Replenishment; docs/backoffice.md): the best
// supplier of a product, the promotion uplift active on a day, and the reorder point and
// suggested quantity of one product. Pure functions over plain values: the server gathers
// the inputs (backfilld replenish), these decide.

#include "ledger/Date.h"
#include "ledger/Decimal.h"
#include "ledger/Types.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace backfill::ledger {

// Supplier is one supplier of one product (`backfilld import suppliers`): days from order to
// arrival, the smallest quantity it takes per order, and its price per unit.
struct Supplier {
    std::string sku;
    std::string supplier;
    int32_t leadTimeDays = 0;
    Qty minOrderQty = 1;
    Decimal unitCost;
};

// bestSupplier picks among the suppliers of one product: shortest lead time, then lowest unit
// cost, then supplier name (bytewise). nullptr when there is none.
const Supplier* bestSupplier(std::span<const Supplier> suppliers);

// Promotion raises a product's demand by `factor` (> 0) up to and including `until`.
struct Promotion {
    int64_t id = 0;
    std::string sku;
    Decimal factor;
    Date until;
};

// promotionActive: a promotion counts on every day up to and including `until`; one whose
// date has passed is kept, inactive.
bool promotionActive(const Promotion& promotion, Date today);

// upliftOn gives the largest factor among the promotions active on `today` (of one product),
// else 1.
Decimal upliftOn(std::span<const Promotion> promotions, Date today);

// ReplenishmentPolicy: demand is averaged over `windowDays` days before today; a suggestion
// covers `reviewDays` days of demand above the reorder point.
struct ReplenishmentPolicy {
    int32_t windowDays = 28;
    int32_t reviewDays = 7;
};

// ProductPosition is what the server knows of one product on a day T. `onHand` counts the
// units that can be sold (outside quarantine, net of holds); `inbound` the open inbound
// units; `allocated` the units allocated and not yet picked; `waiting` the units the open
// order lines still wait for; `demandUnits` the quantity of the order lines ordered in
// [T - windowDays, T).
struct ProductPosition {
    std::string sku;
    Qty safetyStock = 0;
    int32_t catalogLeadTimeDays = 0;
    Qty onHand = 0;
    Qty inbound = 0;
    Qty allocated = 0;
    Qty waiting = 0;
    Qty demandUnits = 0;
};

// Replenishment is the decision for one product.
struct Replenishment {
    std::string sku;
    Qty onHand = 0, inbound = 0, allocated = 0, waiting = 0;
    Qty projected = 0;         // P = on hand + inbound - allocated - waiting
    Qty demandUnits = 0;
    int32_t windowDays = 28;
    Decimal uplift{kDecimalScale};
    Qty reorderPoint = 0;      // ROP = ceil(safety stock + D x U x L)
    bool reorder = false;      // P <= ROP
    Qty suggestedQty = 0;      // max(min order qty, ROP + ceil(D x U x review days) - P); 0 when !reorder
    std::optional<std::string> supplier; // the best supplier; none: the catalog's lead time
    int32_t leadTimeDays = 0;
    Qty minOrderQty = 0;       // the best supplier's; 0 without a supplier
    Decimal unitCost;          // the best supplier's; 0 without a supplier
};

// replenish decides for one product with D = demandUnits / windowDays, U = `uplift`, L = the
// best supplier's lead time (the catalog's without a supplier). Every product of D x U x L is
// computed exactly (128-bit fractions) and only then rounded up. Quantities beyond 64 bits
// saturate. `suppliers` are the product's (any order).
Replenishment replenish(const ProductPosition& position, std::span<const Supplier> suppliers, Decimal uplift,
                        const ReplenishmentPolicy& policy);

// formatDailyDemand writes demandUnits / windowDays with 2 decimals, half rounded up
// (42 units over 28 days: "1.50"; 10 over 28: "0.36").
std::string formatDailyDemand(Qty demandUnits, int32_t windowDays);

// formatRatio writes num / den (both >= 0, den > 0) with 2 decimals, half rounded up; "0.00"
// when den <= 0.
std::string formatRatio(Qty num, Qty den);

} // namespace backfill::ledger

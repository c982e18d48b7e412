#include "ledger/Replenishment.h"

#include <algorithm>
#include <limits>

namespace backfill::ledger {

namespace {

using Wide = __int128;

Qty saturate(Wide v)
{
    if (v > std::numeric_limits<Qty>::max()) return std::numeric_limits<Qty>::max();
    if (v < std::numeric_limits<Qty>::min()) return std::numeric_limits<Qty>::min();
    return static_cast<Qty>(v);
}

// demandOver is ceil(D x U x days) with D = units / window and U = uplift / kDecimalScale:
// one fraction, rounded up once.
Wide demandOver(Qty units, int32_t window, Decimal uplift, int32_t days)
{
    const Wide num = Wide{std::max<Qty>(units, 0)} * Wide{std::max<int64_t>(uplift.scaled, 0)} * Wide{std::max(days, 0)};
    const Wide den = Wide{std::max(window, 1)} * Wide{kDecimalScale};
    return (num + den - 1) / den;
}

} // namespace

const Supplier* bestSupplier(std::span<const Supplier> suppliers)
{
    const Supplier* best = nullptr;
    for (const auto& s : suppliers) {
        if (!best || s.leadTimeDays < best->leadTimeDays ||
            (s.leadTimeDays == best->leadTimeDays &&
             (s.unitCost < best->unitCost || (s.unitCost == best->unitCost && s.supplier < best->supplier))))
            best = &s;
    }
    return best;
}

bool promotionActive(const Promotion& promotion, Date today) { return today <= promotion.until; }

Decimal upliftOn(std::span<const Promotion> promotions, Date today)
{
    std::optional<Decimal> best;
    for (const auto& p : promotions)
        if (promotionActive(p, today) && (!best || p.factor > *best)) best = p.factor;
    return best.value_or(Decimal{kDecimalScale});
}

Replenishment replenish(const ProductPosition& position, std::span<const Supplier> suppliers, Decimal uplift,
                        const ReplenishmentPolicy& policy)
{
    Replenishment r;
    r.sku = position.sku;
    r.onHand = position.onHand;
    r.inbound = position.inbound;
    r.allocated = position.allocated;
    r.waiting = position.waiting;
    r.projected = saturate(Wide{position.onHand} + position.inbound - position.allocated - position.waiting);
    r.demandUnits = position.demandUnits;
    r.windowDays = policy.windowDays;
    r.uplift = uplift;
    r.leadTimeDays = position.catalogLeadTimeDays;
    if (const Supplier* best = bestSupplier(suppliers)) {
        r.supplier = best->supplier;
        r.leadTimeDays = best->leadTimeDays;
        r.minOrderQty = best->minOrderQty;
        r.unitCost = best->unitCost;
    }
    // ceil(ss + x) = ss + ceil(x) for a whole safety stock.
    const Wide rop = Wide{position.safetyStock} + demandOver(position.demandUnits, policy.windowDays, uplift, r.leadTimeDays);
    r.reorderPoint = saturate(rop);
    r.reorder = Wide{r.projected} <= rop;
    if (r.reorder) {
        const Wide cover = demandOver(position.demandUnits, policy.windowDays, uplift, policy.reviewDays);
        r.suggestedQty = saturate(std::max<Wide>(r.minOrderQty, rop + cover - r.projected));
    }
    return r;
}

std::string formatDailyDemand(Qty demandUnits, int32_t windowDays) { return formatRatio(demandUnits, std::max(windowDays, 1)); }

std::string formatRatio(Qty num, Qty den)
{
    if (den <= 0) return "0.00";
    // Hundredths, half up: floor((200 x num + den) / (2 x den)).
    const Wide cents = (Wide{200} * std::max<Qty>(num, 0) + den) / (Wide{2} * den);
    return formatDecimal(Decimal{saturate(cents * 100)}, 2);
}

} // namespace backfill::ledger

#include "ledger/Reports.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

namespace backfill::ledger {

size_t agingBucket(int64_t ageDays)
{
    if (ageDays <= 7) return 0;
    if (ageDays <= 14) return 1;
    if (ageDays <= 30) return 2;
    return 3;
}

BackorderAging backorderAging(std::span<const OrderLine> lines, Date today)
{
    std::map<std::string, AgingRow> customers, products;
    for (const auto& l : lines) {
        const Qty left = l.remaining();
        if (left <= 0) continue;
        const size_t b = agingBucket(int64_t{today.days} - dateOf(l.orderedAt).days);
        for (auto* row : {&customers[l.customer], &products[l.sku]}) {
            row->lines[b] += 1;
            row->units[b] += left;
        }
    }
    BackorderAging out;
    for (auto& [key, row] : customers) {
        row.key = key;
        out.byCustomer.push_back(std::move(row));
    }
    for (auto& [key, row] : products) {
        row.key = key;
        out.byProduct.push_back(std::move(row));
    }
    return out;
}

std::vector<FillRateDay> fillRate(std::span<const AllocationFact> facts, Date from, Date to)
{
    std::map<Date, FillRateDay> days;
    std::set<std::tuple<int32_t, bool, std::string, int64_t>> seen;
    for (const auto& f : facts) {
        if (f.qty <= 0 || f.day < from || !(f.day < to)) continue;
        auto& d = days[f.day];
        d.day = f.day;
        const bool fresh = seen.emplace(f.day.days, f.fromInbound, f.orderId, f.line).second;
        if (f.fromInbound) {
            d.unitsFromInbound += f.qty;
            d.linesFromInbound += fresh ? 1 : 0;
        } else {
            d.unitsFromStock += f.qty;
            d.linesFromStock += fresh ? 1 : 0;
        }
    }
    std::vector<FillRateDay> out;
    for (auto& [day, d] : days) out.push_back(d);
    return out;
}

std::vector<VelocityRow> velocity(std::span<const PickFact> picks, Date from, Date to)
{
    std::map<std::string, VelocityRow> bySku;
    for (const auto& p : picks) {
        if (p.day < from || !(p.day < to)) continue;
        auto& row = bySku[p.sku];
        row.sku = p.sku;
        row.units += p.qty;
        row.picks += 1;
    }
    std::vector<VelocityRow> out;
    for (auto& [sku, row] : bySku) out.push_back(std::move(row));
    std::stable_sort(out.begin(), out.end(), [](const VelocityRow& a, const VelocityRow& b) { return a.units > b.units; });
    for (size_t i = 0; i < out.size(); ++i) out[i].rank = static_cast<int64_t>(i) + 1;
    return out;
}

} // namespace backfill::ledger

#pragma once
// The back office's reports (issue 13 item 4; docs/backoffice.md) as pure aggregations over
// plain facts the server reads from its tables and log: backorder aging, fill rate by day,
// velocity. No I/O.

#include "ledger/Date.h"
#include "ledger/Types.h"

#include <array>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace backfill::ledger {

// kAgingBuckets names the age buckets of a waiting line, in days since its order date:
// 0-7, 8-14, 15-30, more than 30.
inline constexpr std::array<std::string_view, 4> kAgingBuckets{"0-7", "8-14", "15-30", ">30"};

// agingBucket gives the bucket index of an age in days (a negative age, an order dated after
// today, counts as 0).
size_t agingBucket(int64_t ageDays);

// AgingRow counts the waiting lines of one customer or product, and the units they still
// wait for, by bucket.
struct AgingRow {
    std::string key;
    std::array<int64_t, 4> lines{};
    std::array<Qty, 4> units{};
};

struct BackorderAging {
    std::vector<AgingRow> byCustomer; // by customer name
    std::vector<AgingRow> byProduct;  // by sku
};

// backorderAging counts every line that still waits (remaining() > 0: backordered, out of
// stock or partly allocated) with age = today - the UTC date of ordered_at.
BackorderAging backorderAging(std::span<const OrderLine> lines, Date today);

// AllocationFact is units given to an order line on a day: from the dock (a receipt's
// allocation: `fromInbound`) or from stock already in the warehouse (any other allocation).
struct AllocationFact {
    Date day;
    bool fromInbound = false;
    std::string orderId;
    int64_t line = 0;
    Qty qty = 0;
};

// FillRateDay: the units allocated on a day from stock and from inbound, and the distinct
// lines that got units from each.
struct FillRateDay {
    Date day;
    int64_t linesFromStock = 0;
    int64_t linesFromInbound = 0;
    Qty unitsFromStock = 0;
    Qty unitsFromInbound = 0;
};

// fillRate groups the facts with day in [from, to) by day, ascending; days without one are
// left out. Facts with qty <= 0 are ignored.
std::vector<FillRateDay> fillRate(std::span<const AllocationFact> facts, Date from, Date to);

// PickFact is units of a product picked on a day.
struct PickFact {
    Date day;
    std::string sku;
    Qty qty = 0;
};

struct VelocityRow {
    int64_t rank = 0; // 1 = the fastest mover
    std::string sku;
    Qty units = 0;
    int64_t picks = 0;
};

// velocity sums the picks with day in [from, to) per product and ranks them: most units
// first, then sku (bytewise); rank is the 1-based position.
std::vector<VelocityRow> velocity(std::span<const PickFact> picks, Date from, Date to);

} // namespace backfill::ledger

// ledger/Replenishment.h, Decimal.h, Reports.h and the suppliers CSV (issue 13): every figure
// below is computed by hand in the comment beside it.

#include "ledger/Decimal.h"
#include "ledger/MasterDataCsv.h"
#include "ledger/Replenishment.h"
#include "ledger/Reports.h"

#include <doctest/doctest.h>

#include <limits>
#include <string>
#include <vector>

using namespace backfill::ledger;

namespace {

Date day(const char* ymd) { return *parseDate(ymd); }
Decimal dec(const char* text) { return *parseDecimal(text); }

ProductPosition position(Qty safety, int32_t catalogLead, Qty onHand, Qty inbound, Qty allocated, Qty waiting, Qty demand)
{
    return {"SKU-1", safety, catalogLead, onHand, inbound, allocated, waiting, demand};
}

Supplier supplier(const char* name, int32_t lead, Qty moq, const char* cost) { return {"SKU-1", name, lead, moq, dec(cost)}; }

} // namespace

TEST_CASE("decimals: parsed exactly, refused with bad_number, written with at least 2 decimals")
{
    CHECK(dec("12.50").scaled == 125000);
    CHECK(dec("1.5").scaled == 15000);
    CHECK(dec("0.0125").scaled == 125);
    CHECK(dec("12").scaled == 120000);
    CHECK(dec("0").scaled == 0);
    for (const char* bad : {"", "-1", "1.", ".5", "1.23456", "1e3", "1,5", " 1", "1.2.3", "abc", "1000000000001"}) {
        CAPTURE(bad);
        const auto r = parseDecimal(bad);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == "bad_number");
    }
    CHECK(parseDecimal("1.23456").error().message == "has more than 4 decimals");
    CHECK(formatDecimal({15000}) == "1.50");
    CHECK(formatDecimal({125}) == "0.0125");
    CHECK(formatDecimal({20000}) == "2.00");
    CHECK(formatDecimal({0}) == "0.00");
    CHECK(formatDecimal({123456}) == "12.3456");
    CHECK(formatDecimal({-15000}) == "-1.50");
}

TEST_CASE("daily demand and ratios: 2 decimals, half up")
{
    CHECK(formatDailyDemand(42, 28) == "1.50");  // 1.5
    CHECK(formatDailyDemand(10, 28) == "0.36");  // 0.357...
    CHECK(formatDailyDemand(1, 8) == "0.13");    // 0.125, half up
    CHECK(formatDailyDemand(0, 28) == "0.00");
    CHECK(formatDailyDemand(28, 28) == "1.00");
    CHECK(formatDailyDemand(100, 3) == "33.33"); // 33.333...
    CHECK(formatDailyDemand(2, 3) == "0.67");    // 0.666...
    CHECK(formatRatio(3, 5) == "0.60");
    CHECK(formatRatio(0, 0) == "0.00");
}

TEST_CASE("best supplier: shortest lead time, then lowest unit cost, then name")
{
    CHECK(bestSupplier(std::vector<Supplier>{}) == nullptr);
    const std::vector<Supplier> s{supplier("Zeta", 5, 1, "9.00"), supplier("Acme", 7, 1, "1.00"), supplier("Beta", 5, 1, "8.50"),
                                  supplier("Alfa", 5, 1, "8.50")};
    // Zeta, Beta and Alfa take 5 days; Beta and Alfa cost 8.50; Alfa < Beta by name.
    REQUIRE(bestSupplier(s) != nullptr);
    CHECK(bestSupplier(s)->supplier == "Alfa");
    const std::vector<Supplier> t{supplier("Zeta", 5, 1, "9.00"), supplier("Beta", 5, 1, "8.5001")};
    CHECK(bestSupplier(t)->supplier == "Beta"); // 8.5001 < 9.00
    const std::vector<Supplier> u{supplier("Slow", 6, 1, "0.01"), supplier("Fast", 2, 1, "99")};
    CHECK(bestSupplier(u)->supplier == "Fast");
}

TEST_CASE("promotions: until inclusive, expired ones inactive, the largest active factor")
{
    const std::vector<Promotion> none;
    CHECK(upliftOn(none, day("2026-12-01")).scaled == kDecimalScale);
    const std::vector<Promotion> p{{1, "SKU-1", dec("1.5"), day("2026-12-10")}, {2, "SKU-1", dec("2"), day("2026-12-05")},
                                   {3, "SKU-1", dec("3"), day("2026-11-30")}};
    CHECK(upliftOn(p, day("2026-12-01")) == dec("2"));    // 1.5 and 2 active; 3 expired on 11-30
    CHECK(upliftOn(p, day("2026-12-05")) == dec("2"));    // until is inclusive
    CHECK(upliftOn(p, day("2026-12-06")) == dec("1.5"));  // 2 expired
    CHECK(upliftOn(p, day("2026-12-10")) == dec("1.5"));
    CHECK(upliftOn(p, day("2026-12-11")).scaled == kDecimalScale);
    CHECK(upliftOn(p, day("2026-11-30")) == dec("3"));
    CHECK_FALSE(promotionActive(p[2], day("2026-12-01")));
}

TEST_CASE("replenish: the issue's formulas, by hand")
{
    const ReplenishmentPolicy policy; // window 28, review 7
    const Decimal one{kDecimalScale};
    const std::vector<Supplier> suppliers{supplier("Slow", 14, 5, "1.00"), supplier("Acme", 10, 12, "2.50")};

    SUBCASE("without uplift")
    {
        // D = 42/28 = 1.5; L = 10 (Acme); ROP = ceil(5 + 1.5 x 10) = 20;
        // P = 8 + 6 - 3 - 2 = 9 <= 20; suggested = max(12, 20 + ceil(1.5 x 7 = 10.5) - 9) = 22.
        const auto r = replenish(position(5, 30, 8, 6, 3, 2, 42), suppliers, one, policy);
        CHECK(r.projected == 9);
        CHECK(r.reorderPoint == 20);
        CHECK(r.reorder);
        CHECK(r.suggestedQty == 22);
        CHECK(r.supplier == "Acme");
        CHECK(r.leadTimeDays == 10);
        CHECK(r.minOrderQty == 12);
        CHECK(formatDecimal(r.unitCost) == "2.50");
        CHECK(formatDailyDemand(r.demandUnits, r.windowDays) == "1.50");
    }
    SUBCASE("with uplift 1.5")
    {
        // D x U x L = 1.5 x 1.5 x 10 = 22.5 -> ROP = 5 + 23 = 28; cover = ceil(15.75) = 16;
        // suggested = max(12, 28 + 16 - 9) = 35.
        const auto r = replenish(position(5, 30, 8, 6, 3, 2, 42), suppliers, dec("1.5"), policy);
        CHECK(r.reorderPoint == 28);
        CHECK(r.suggestedQty == 35);
    }
    SUBCASE("the minimum order quantity wins when larger")
    {
        // As without uplift, but Acme takes at least 30: max(30, 22) = 30.
        const std::vector<Supplier> big{supplier("Acme", 10, 30, "2.50")};
        CHECK(replenish(position(5, 30, 8, 6, 3, 2, 42), big, one, policy).suggestedQty == 30);
    }
    SUBCASE("no supplier: the catalog's lead time, no minimum")
    {
        // L = 4: ROP = ceil(0 + 1.5 x 4) = 6; P = 2 <= 6; suggested = max(0, 6 + 11 - 2) = 15.
        const auto r = replenish(position(0, 4, 2, 0, 0, 0, 42), {}, one, policy);
        CHECK_FALSE(r.supplier);
        CHECK(r.leadTimeDays == 4);
        CHECK(r.minOrderQty == 0);
        CHECK(r.reorderPoint == 6);
        CHECK(r.suggestedQty == 15);
    }
    SUBCASE("ceil edges: an exact product is not rounded up; the smallest excess is")
    {
        // 28 units / 28 days x 3 days = 3 exactly: ROP = 2 + 3 = 5.
        CHECK(replenish(position(2, 3, 0, 0, 0, 0, 28), {}, one, policy).reorderPoint == 5);
        // 29 / 28 x 3 = 3.107: ROP = 2 + 4 = 6.
        CHECK(replenish(position(2, 3, 0, 0, 0, 0, 29), {}, one, policy).reorderPoint == 6);
        // 1 / 28 x 27 = 0.964 -> 1; 1 / 28 x 28 = 1 -> 1; 1 / 28 x 29 = 1.04 -> 2.
        CHECK(replenish(position(0, 27, 0, 0, 0, 0, 1), {}, one, policy).reorderPoint == 1);
        CHECK(replenish(position(0, 28, 0, 0, 0, 0, 1), {}, one, policy).reorderPoint == 1);
        CHECK(replenish(position(0, 29, 0, 0, 0, 0, 1), {}, one, policy).reorderPoint == 2);
        // 28 units, factor 1.0001, 1 day: 1.0001 -> 2.
        CHECK(replenish(position(0, 1, 0, 0, 0, 0, 28), {}, dec("1.0001"), policy).reorderPoint == 2);
        // no demand: ROP = safety stock.
        CHECK(replenish(position(7, 9, 0, 0, 0, 0, 0), {}, dec("3"), policy).reorderPoint == 7);
    }
    SUBCASE("at the reorder point reorders; one above does not")
    {
        // D = 1.5, L = 10, ss 5: ROP 20. P = 20: suggested = max(12, 20 + 11 - 20) = 12.
        const auto at = replenish(position(5, 0, 20, 0, 0, 0, 42), suppliers, one, policy);
        CHECK(at.reorder);
        CHECK(at.suggestedQty == 12);
        const auto above = replenish(position(5, 0, 21, 0, 0, 0, 42), suppliers, one, policy);
        CHECK_FALSE(above.reorder);
        CHECK(above.suggestedQty == 0);
    }
    SUBCASE("dead product without supplier sits at its reorder point 0 with nothing to order")
    {
        const auto r = replenish(position(0, 0, 0, 0, 0, 0, 0), {}, one, policy);
        CHECK(r.reorder);
        CHECK(r.suggestedQty == 0);
    }
    SUBCASE("negative projection: waiting demand beyond stock and inbound")
    {
        // P = 0 + 0 - 0 - 10 = -10; ROP = 2; suggested = max(5, 2 + 0 - (-10)) = 12.
        const std::vector<Supplier> s{supplier("Only", 3, 5, "1")};
        const auto r = replenish(position(2, 0, 0, 0, 0, 10, 0), s, one, policy);
        CHECK(r.projected == -10);
        CHECK(r.suggestedQty == 12);
    }
    SUBCASE("window and review days")
    {
        // window 7, review 14: D = 21/7 = 3; L 2: ROP = 6; P = 0; suggested = 6 + 42 = 48.
        const auto r = replenish(position(0, 2, 0, 0, 0, 0, 21), {}, one, {7, 14});
        CHECK(r.reorderPoint == 6);
        CHECK(r.suggestedQty == 48);
        CHECK(formatDailyDemand(21, 7) == "3.00");
    }
    SUBCASE("huge figures saturate instead of wrapping")
    {
        const Qty big = std::numeric_limits<Qty>::max();
        const auto r = replenish(position(big, std::numeric_limits<int32_t>::max(), 0, 0, 0, 0, big), {}, dec("1000"), policy);
        CHECK(r.reorderPoint == big);
        CHECK(r.suggestedQty == big);
    }
}

TEST_CASE("suppliers CSV: several per product; a bad row is named by line and field")
{
    const auto ok = parseSuppliersCsv("sku,supplier,lead_time_days,min_order_qty,unit_cost\n"
                                      "SKU-1,Acme,10,12,2.50\n"
                                      "SKU-1,Slow,14,,1\n"
                                      "SKU-2,Acme,3,1,0.0125\n");
    REQUIRE(ok.ok());
    REQUIRE(ok.rows.size() == 3);
    CHECK(ok.rows[0].supplier == "Acme");
    CHECK(ok.rows[0].leadTimeDays == 10);
    CHECK(ok.rows[0].minOrderQty == 12);
    CHECK(ok.rows[0].unitCost.scaled == 25000);
    CHECK(ok.rows[1].minOrderQty == 1); // empty = 1
    CHECK(ok.rows[2].unitCost.scaled == 125);
    CHECK(ok.lines == std::vector<int64_t>{2, 3, 4});

    const auto bad = parseSuppliersCsv("sku,supplier,lead_time_days,min_order_qty,unit_cost\n"
                                       "SKU-1,Acme,10,12,2.505555\n"
                                       "SKU-1,Acme,3,1,1\n"
                                       "SKU-2,Beta,-1,0,\n"
                                       "SKU-3,Gamma,x,1,1\n");
    REQUIRE(bad.errors.size() == 6);
    CHECK(bad.errors[0].format("s.csv") == "s.csv:2: column unit_cost: \"2.505555\" has more than 4 decimals");
    CHECK(bad.errors[0].code == "bad_number");
    CHECK(bad.errors[1].format("s.csv") ==
          "s.csv:3: column supplier: sku \"SKU-1\" supplier \"Acme\" is already on line 2; each (sku, supplier) may appear once");
    CHECK(bad.errors[1].code == "duplicate_key");
    CHECK(bad.errors[2].format("s.csv") == "s.csv:4: column lead_time_days: \"-1\" is negative; use 0 or more");
    CHECK(bad.errors[3].format("s.csv") == "s.csv:4: column min_order_qty: \"0\" must be at least 1");
    CHECK(bad.errors[4].code == "required");
    CHECK(bad.errors[4].format("s.csv") == "s.csv:4: column unit_cost: a value is required");
    CHECK(bad.errors[5].format("s.csv") ==
          "s.csv:5: column lead_time_days: \"x\" is not a whole number; write digits only, like 12");
    CHECK(bad.rows.empty());

    const auto missing = parseSuppliersCsv("sku,supplier,unit_cost\nSKU-1,Acme,1\n");
    REQUIRE(missing.errors.size() == 1);
    CHECK(missing.errors[0].code == "missing_column");
    CHECK(missing.errors[0].column == "lead_time_days");
}

TEST_CASE("reports: aging buckets, fill rate by day, velocity ranked")
{
    CHECK(agingBucket(-3) == 0);
    CHECK(agingBucket(0) == 0);
    CHECK(agingBucket(7) == 0);
    CHECK(agingBucket(8) == 1);
    CHECK(agingBucket(14) == 1);
    CHECK(agingBucket(15) == 2);
    CHECK(agingBucket(30) == 2);
    CHECK(agingBucket(31) == 3);

    auto line = [](const char* order, const char* customer, const char* sku, Qty qty, Qty allocated, const char* ordered) {
        OrderLine l;
        l.orderId = order;
        l.line = 1;
        l.customer = customer;
        l.sku = sku;
        l.qty = qty;
        l.allocated = allocated;
        l.orderedAt = *parseTimestamp(ordered);
        return l;
    };
    // today 2026-12-01: ages 0 (11-30T23:59 is day 11-30: 1 day), 8, 15, 31, and a filled line.
    const std::vector<OrderLine> lines{line("SO-1", "Ann", "A", 5, 2, "2026-11-30T23:59Z"), line("SO-2", "Ann", "B", 4, 0, "2026-11-23"),
                                       line("SO-3", "Bob", "A", 3, 0, "2026-11-16"), line("SO-4", "Bob", "A", 1, 0, "2026-10-31"),
                                       line("SO-5", "Cy", "A", 2, 2, "2026-10-01")};
    const auto aging = backorderAging(lines, day("2026-12-01"));
    REQUIRE(aging.byCustomer.size() == 2); // Cy's line waits for nothing
    CHECK(aging.byCustomer[0].key == "Ann");
    CHECK(aging.byCustomer[0].lines == std::array<int64_t, 4>{1, 1, 0, 0});
    CHECK(aging.byCustomer[0].units == std::array<Qty, 4>{3, 4, 0, 0});
    CHECK(aging.byCustomer[1].key == "Bob");
    CHECK(aging.byCustomer[1].lines == std::array<int64_t, 4>{0, 0, 1, 1});
    REQUIRE(aging.byProduct.size() == 2);
    CHECK(aging.byProduct[0].key == "A");
    CHECK(aging.byProduct[0].units == std::array<Qty, 4>{3, 0, 3, 1});
    CHECK(aging.byProduct[1].units == std::array<Qty, 4>{0, 4, 0, 0});

    const std::vector<AllocationFact> facts{{day("2026-11-29"), false, "SO-1", 1, 2}, {day("2026-11-29"), false, "SO-1", 1, 1},
                                            {day("2026-11-29"), true, "SO-1", 1, 4},  {day("2026-11-29"), true, "SO-2", 1, 3},
                                            {day("2026-11-30"), false, "SO-3", 1, 5}, {day("2026-12-01"), true, "SO-4", 1, 9},
                                            {day("2026-11-03"), true, "SO-9", 1, 9},  {day("2026-11-30"), true, "SO-5", 1, 0}};
    const auto fill = fillRate(facts, day("2026-11-04"), day("2026-12-01"));
    REQUIRE(fill.size() == 2); // 11-03 before the window, 12-01 not before today
    CHECK(fill[0].day == day("2026-11-29"));
    CHECK(fill[0].linesFromStock == 1);
    CHECK(fill[0].unitsFromStock == 3);
    CHECK(fill[0].linesFromInbound == 2);
    CHECK(fill[0].unitsFromInbound == 7);
    CHECK(fill[1].linesFromStock == 1);
    CHECK(fill[1].unitsFromStock == 5);
    CHECK(fill[1].unitsFromInbound == 0);

    const std::vector<PickFact> picks{{day("2026-11-20"), "B", 4}, {day("2026-11-21"), "A", 3}, {day("2026-11-22"), "A", 1},
                                      {day("2026-11-22"), "C", 4}, {day("2026-12-01"), "D", 50}, {day("2026-11-02"), "E", 50}};
    const auto v = velocity(picks, day("2026-11-03"), day("2026-12-01"));
    REQUIRE(v.size() == 3);
    CHECK((v[0].rank == 1 && v[0].sku == "A" && v[0].units == 4 && v[0].picks == 2));
    CHECK((v[1].rank == 2 && v[1].sku == "B" && v[1].units == 4 && v[1].picks == 1));
    CHECK((v[2].rank == 3 && v[2].sku == "C" && v[2].units == 4));
}

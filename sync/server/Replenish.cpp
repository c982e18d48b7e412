#include "server/Replenish.h"

#include <nlohmann/json.hpp>

#include <map>

namespace backfill::server {

using Json = nlohmann::ordered_json;
using ledger::unexpected;

#define TRY(expr)                                                                                                      \
    do {                                                                                                               \
        if (auto r_ = (expr); !r_) return ::backfill::ledger::unexpected(r_.error());                                  \
    } while (0)

Result<ImportReport> importSuppliers(ServerStore& store, const ledger::ParsedRows<ledger::Supplier>& rows)
{
    ImportReport report;
    auto done = store.transact("importing suppliers", [&]() -> Result<void> {
        for (size_t i = 0; i < rows.rows.size(); ++i) {
            auto p = store.product(rows.rows[i].sku);
            if (!p) return unexpected(p.error());
            if (!*p && report.errors.size() < ledger::kMaxImportErrors)
                report.errors.push_back({rows.lines[i], "sku", "unknown_sku", "unknown sku '" + rows.rows[i].sku + "'"});
        }
        if (!report.errors.empty()) return {};
        std::vector<std::string> order; // products in the order the file first names them
        std::map<std::string, std::vector<ledger::Supplier>> bySku;
        for (const auto& s : rows.rows) {
            auto& list = bySku[s.sku];
            if (list.empty()) order.push_back(s.sku);
            list.push_back(s);
        }
        for (const auto& sku : order) {
            const auto& list = bySku[sku];
            TRY(store.replaceSuppliers(sku, list));
            Json suppliers = Json::array();
            for (const auto& s : list)
                suppliers.push_back({{"supplier", s.supplier}, {"lead_time_days", s.leadTimeDays}, {"min_order_qty", s.minOrderQty},
                                     {"unit_cost", ledger::formatDecimal(s.unitCost)}});
            TRY(store.appendLog("suppliers", Json{{"sku", sku}, {"suppliers", suppliers}}.dump()));
        }
        return {};
    });
    if (!done) return unexpected(done.error());
    if (report.errors.empty()) report.imported = static_cast<int64_t>(rows.rows.size());
    return report;
}

Result<ledger::Promotion> addPromotion(ServerStore& store, std::string_view sku, std::string_view factor, ledger::Date until)
{
    auto f = ledger::parseDecimal(factor);
    if (!f) return ledger::fail("bad_factor", "--factor '" + std::string(factor) + "' " + f.error().message);
    if (f->scaled <= 0) return ledger::fail("bad_factor", "--factor '" + std::string(factor) + "': a factor must be more than 0");
    ledger::Promotion promotion{0, std::string(sku), *f, until};
    std::optional<ledger::Error> refused;
    auto done = store.transact("adding a promotion", [&]() -> Result<void> {
        auto p = store.product(sku);
        if (!p) return unexpected(p.error());
        if (!*p) {
            refused = ledger::Error{"unknown_sku", "sku '" + std::string(sku) + "' is not in the server's catalog"};
            return {};
        }
        auto id = store.addPromotion(promotion);
        if (!id) return unexpected(id.error());
        promotion.id = *id;
        const Json entry{{"id", promotion.id}, {"sku", promotion.sku}, {"factor", ledger::formatDecimal(promotion.factor)},
                         {"until", ledger::formatDate(until)}};
        TRY(store.appendLog("promotion", entry.dump()));
        return {};
    });
    if (!done) return unexpected(done.error());
    if (refused) return unexpected(*refused);
    return promotion;
}

Result<std::vector<ledger::Replenishment>> replenishment(ServerStore& store, ledger::Date today, const ledger::ReplenishmentPolicy& policy)
{
    const ledger::Timestamp to = ledger::startOf(today);
    const ledger::Timestamp from = ledger::startOf(ledger::Date{today.days - policy.windowDays});
    // One read transaction, so every aggregate sees the same state.
    std::vector<ledger::ProductPosition> positions;
    std::map<std::string, std::vector<ledger::Supplier>> suppliers;
    std::map<std::string, std::vector<ledger::Promotion>> promotions;
    auto done = store.snapshot("computing replenishment", [&]() -> Result<void> {
        auto p = store.productPositions(from, to);
        if (!p) return unexpected(p.error());
        positions = std::move(*p);
        auto s = store.suppliers();
        if (!s) return unexpected(s.error());
        for (auto& row : *s) suppliers[row.sku].push_back(std::move(row));
        auto pr = store.promotions();
        if (!pr) return unexpected(pr.error());
        for (auto& row : *pr) promotions[row.sku].push_back(std::move(row));
        return {};
    });
    if (!done) return unexpected(done.error());
    std::vector<ledger::Replenishment> out;
    out.reserve(positions.size());
    static const std::vector<ledger::Supplier> kNoSuppliers;
    static const std::vector<ledger::Promotion> kNoPromotions;
    for (const auto& position : positions) {
        const auto s = suppliers.find(position.sku);
        const auto pr = promotions.find(position.sku);
        const auto uplift = ledger::upliftOn(pr == promotions.end() ? kNoPromotions : pr->second, today);
        out.push_back(ledger::replenish(position, s == suppliers.end() ? kNoSuppliers : s->second, uplift, policy));
    }
    return out;
}

} // namespace backfill::server

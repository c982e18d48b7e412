#pragma once
// The back office's master data and replenishment at the server (issue 13 items 1-3;
// docs/backoffice.md): supplier imports, promotions, and the replenishment decision of every
// product. The rules are ledger/Replenishment.h's; these only gather and store.

#include "ledger/MasterDataCsv.h"
#include "ledger/Replenishment.h"
#include "server/Imports.h"
#include "server/ServerStore.h"

#include <string_view>
#include <vector>

namespace backfill::server {

// importSuppliers checks every row (unknown_sku, by line, as the other imports) and then, in
// one transaction, makes the file's rows the whole supplier list of each product it names
// (products it does not name keep theirs). One `suppliers` log entry per product:
// {"sku","suppliers":[{"supplier","lead_time_days","min_order_qty","unit_cost":"12.50"}]}.
Result<ImportReport> importSuppliers(ServerStore& store, const ledger::ParsedRows<ledger::Supplier>& rows);

// addPromotion stores a promotion of `sku` raising its demand by `factor` up to and
// including `until`, and writes a `promotion` log entry {"id","sku","factor","until"}.
// Fails with unknown_sku, or bad_factor (not a decimal > 0 with at most 4 decimals).
Result<ledger::Promotion> addPromotion(ServerStore& store, std::string_view sku, std::string_view factor, ledger::Date until);

// replenishment decides for every product of the catalog, by sku, on day `today` (demand
// over [today - windowDays, today) in UTC; the uplift of the promotions active on today).
Result<std::vector<ledger::Replenishment>> replenishment(ServerStore& store, ledger::Date today,
                                                         const ledger::ReplenishmentPolicy& policy);

} // namespace backfill::server

#pragma once
// Master data imports into the server (`backfilld import ...`): the terminal's CSV formats,
// parsed by the same ledger/MasterDataCsv.h functions, checked against what the server holds,
// and applied in one transaction (nothing is imported when any row is refused). The server is
// the master for this data: every imported row becomes a log entry terminals pull (`product`,
// `location`, `reason`, `order_line`, `inbound_line`, payload = the row as JSON), and the
// allocations and releases an import causes are `allocation` entries (server/Ops.h
// settleProduct).
//
// Refusals beside the parser's (ImportIssue codes): duplicate_gtin (a GTIN of another product
// at the server), unknown_sku (an order or inbound line for a product not in the catalog),
// sscc_conflict (a pallet SSCC that belongs to another inbound at the server), duplicate_gln
// (a GS1 location label another location holds and does not give up in the file: the
// terminal's rule, ledger/LocationLabels.h checkStoredGlns). A `location` entry carries the
// location as stored after its row: its label's gln and gln_extension when it has them (a row
// without a gln keeps the stored label, and the entry carries it).

#include "ledger/MasterDataCsv.h"
#include "server/ServerStore.h"

namespace backfill::server {

struct ImportReport {
    int64_t imported = 0;
    std::vector<ledger::ImportIssue> errors;
};

Result<ImportReport> importCatalog(ServerStore& store, const ledger::ParsedRows<ledger::Product>& rows);
Result<ImportReport> importBackorders(ServerStore& store, const ledger::ParsedRows<ledger::OrderLine>& rows);
Result<ImportReport> importInbound(ServerStore& store, const ledger::ParsedRows<ledger::InboundLine>& rows);
Result<ImportReport> importLocations(ServerStore& store, const ledger::ParsedRows<ledger::Location>& rows);
Result<ImportReport> importReasons(ServerStore& store, const ledger::ParsedRows<ledger::Reason>& rows);

} // namespace backfill::server

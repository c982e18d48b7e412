#pragma once
// From an interpreted scan to what the receipt asks for (DESIGN.md 1, Quantity of a receipt
// scan). Pure: no database; the GTIN's units are resolved by whoever records the receipt.

#include "ledger/Receipt.h"
#include "ledger/Result.h"
#include "scan/Gs1Parser.h"

#include <string>

namespace backfill::workflow {

// receiptFromScan decides what a receipt scan asks for:
// - any (00) is a pallet receipt: `sscc` is set, every other AI is ignored;
// - (01) is a product: count 1, or (30) "variable count of items" when present;
// - (02) + (37) is a product by its contained-items GTIN with (37) as the count;
// - (10) gives the lot, (17) the expiry.
// Fails with missing_count ((02) without (37)), bad_count (a zero count) or not_receivable
// (no (00), (01) or (02)).
ledger::Result<ledger::ReceiptRequest> receiptFromScan(const scan::Gs1Scan& scan, const std::string& location);

// parseReceiptScan is scan::parseScan for receiving. A pallet label's scan that starts with a
// valid (00) is a pallet receipt whatever else it carries, so when the whole scan does not
// parse (a bad (17) date, say) but its leading (00) does, the result holds that (00) alone:
// the other AIs would be ignored anyway. Otherwise it fails as parseScan does.
ledger::Result<scan::Gs1Scan> parseReceiptScan(std::string_view text, const scan::ParseOptions& options);

} // namespace backfill::workflow

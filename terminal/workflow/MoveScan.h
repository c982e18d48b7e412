#pragma once
// From a scan to what a move asks for: a scan means what it means when receiving
// (ReceiptScan.h), so the units a label stands for are counted the same way. Pure.

#include "ledger/Move.h"
#include "ledger/Result.h"
#include "scan/Gs1Parser.h"

#include <string>

namespace backfill::workflow {

// moveFromScan decides what a move scan asks for, through receiptFromScan: (01) is 1 of what
// the GTIN stands for, or (30) of them; (02) + (37) counts the contained GTIN; (10) is the
// lot ((17) is not needed: the lot names the stock). A pallet (00) is refused as not_movable
// (move its products by their own labels or --sku); otherwise fails as receiptFromScan does
// (missing_count, bad_count, not_receivable).
ledger::Result<ledger::MoveRequest> moveFromScan(const scan::Gs1Scan& scan, const std::string& from, const std::string& to);

} // namespace backfill::workflow

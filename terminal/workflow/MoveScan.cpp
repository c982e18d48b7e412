#include "workflow/MoveScan.h"

#include "workflow/ReceiptScan.h"

namespace backfill::workflow {

ledger::Result<ledger::MoveRequest> moveFromScan(const scan::Gs1Scan& scan, const std::string& from, const std::string& to)
{
    auto receipt = receiptFromScan(scan, from);
    if (!receipt) return ledger::unexpected(receipt.error());
    if (receipt->sscc)
        return ledger::fail("not_movable", "a pallet SSCC (00) cannot be moved as a whole: move its products by their "
                                           "own labels or with --sku and --qty");
    ledger::MoveRequest m;
    m.scan = receipt->scan;
    m.gtin = receipt->gtin;
    m.count = receipt->count;
    m.lot = receipt->lot;
    m.from = from;
    m.to = to;
    return m;
}

} // namespace backfill::workflow

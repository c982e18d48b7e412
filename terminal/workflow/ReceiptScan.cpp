#include "workflow/ReceiptScan.h"

namespace backfill::workflow {

namespace {

// The count AIs are N..8 digits (GS1 GS 3.2: (30) variable count, (37) count of trade items);
// the parser has checked the digits already.
ledger::Result<ledger::Qty> countOf(const scan::Element& e)
{
    ledger::Qty n = 0;
    for (char c : e.value) n = n * 10 + (c - '0');
    if (n <= 0) return ledger::fail("bad_count", "(" + e.ai + "): a count of " + e.value + " cannot be received");
    return n;
}

} // namespace

ledger::Result<ledger::ReceiptRequest> receiptFromScan(const scan::Gs1Scan& scan, const std::string& location)
{
    ledger::ReceiptRequest r;
    r.scan = scan.scan;
    r.location = location;
    if (const auto* sscc = scan.find("00")) {
        r.sscc = sscc->value;
        return r;
    }
    if (const auto* gtin = scan.find("01")) {
        r.gtin = gtin->value;
        if (const auto* count = scan.find("30")) {
            auto n = countOf(*count);
            if (!n) return ledger::unexpected(n.error());
            r.count = *n;
        }
    } else if (const auto* contained = scan.find("02")) {
        const auto* count = scan.find("37");
        if (!count)
            return ledger::fail("missing_count", "(02) names the contained GTIN but the label has no (37) count: "
                                                 "scan the count label or the items");
        auto n = countOf(*count);
        if (!n) return ledger::unexpected(n.error());
        r.gtin = contained->value;
        r.count = *n;
    } else {
        return ledger::fail("not_receivable", "the scan names neither a pallet (00) nor a product (01) or (02)");
    }
    if (const auto* lot = scan.find("10")) r.lot = lot->value;
    if (const auto* expiry = scan.find("17"); expiry && expiry->date) r.expiry = ledger::parseDate(*expiry->date);
    return r;
}

} // namespace backfill::workflow

#include "workflow/ReceiptScan.h"

#include <optional>
#include <string_view>

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

// leadingSscc gives "(00)" + 18 digits when the scan starts with that element (after an optional
// symbology identifier ]Xm), as an element string or in brackets.
std::optional<std::string> leadingSscc(std::string_view s)
{
    if (s.size() >= 3 && s[0] == ']') s.remove_prefix(3);
    if (s.starts_with("(00)"))
        s.remove_prefix(4);
    else if (s.starts_with("00"))
        s.remove_prefix(2);
    else
        return std::nullopt;
    if (s.size() < 18) return std::nullopt;
    for (size_t i = 0; i < 18; ++i)
        if (s[i] < '0' || s[i] > '9') return std::nullopt;
    return "(00)" + std::string(s.substr(0, 18));
}

} // namespace

ledger::Result<scan::Gs1Scan> parseReceiptScan(std::string_view text, const scan::ParseOptions& options)
{
    auto parsed = scan::parseScan(text, options);
    if (parsed) return parsed;
    const auto sscc = leadingSscc(text);
    if (!sscc) return parsed;
    auto pallet = scan::parseScan(*sscc, options);
    if (!pallet) return parsed; // the (00) itself is bad: report the scan's own error
    pallet->scan = std::string(text);
    return pallet;
}

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

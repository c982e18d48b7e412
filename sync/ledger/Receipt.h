#pragma once
// What a receipt scan asks for, once interpreted: the contract between the scan workflow
// (terminal) and whoever records it (terminal store now, the server's apply later).

#include "ledger/Date.h"
#include "ledger/Types.h"

#include <optional>
#include <string>

namespace backfill::ledger {

// ReceiptRequest: either `sscc` (a pallet announced by an ASN) or `gtin` (GTIN-14) with
// `count` (how many of what that GTIN stands for: 1 for a plain scan, (30) or (37) when the
// label carries a count) is set. `location` is where the goods are received.
struct ReceiptRequest {
    std::string scan;
    std::optional<std::string> sscc;
    std::optional<std::string> gtin;
    Qty count = 1;
    std::optional<std::string> lot;
    std::optional<Date> expiry;
    std::string location;
};

} // namespace backfill::ledger

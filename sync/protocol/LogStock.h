#pragma once
// stockDeltasOf: the changes a server log entry makes to stock cells (sku, location, lot), as
// on-hand units and held units (docs/server.md, The log). One reading of the log for
// everyone who folds it: the server's movements (P6), the terminal's copy of the server's
// state (server_stock), so a new op kind or field is read the same way at both ends.
//
//   receive  each line adds `qty` at the entry's `location`, and its `staged` parts
//            ([{"stage","qty"}]) are carried on from there to the order's staging lane
//   undo     each line takes its `qty` back from the same places: `location` and `staged`
//   move     each of `lots` leaves `from` and arrives at `to`
//   pick     each of `lots` leaves `location`
//   short    each of `held` is held at `location` (held units, on hand unchanged)
//   count, count_approve  `adjusted` at the entry's key, and `holds_cleared` released there
//
// Other kinds change no stock. A payload that is not a JSON object changes nothing here
// (its reader refuses it: bad_log_entry). Zero changes are left out.

#include "ledger/Types.h"

#include <string>
#include <string_view>
#include <vector>

namespace backfill::protocol {

struct StockDelta {
    std::string sku, location, lot;
    ledger::Qty qty = 0;  // on-hand units
    ledger::Qty held = 0; // held units
};

std::vector<StockDelta> stockDeltasOf(std::string_view kind, std::string_view payload);

} // namespace backfill::protocol

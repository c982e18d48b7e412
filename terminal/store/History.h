#pragma once
// History: the terminal's latest actions, newest first, as the operator did them. After a
// crash between a commit and the printing of its result, the operator checks here whether a
// scan was recorded before scanning it again (a second scan of loose units receives them
// twice; docs/receiving.md, "After a crash").

#include "ledger/Date.h"
#include "ledger/Result.h"
#include "ledger/Types.h"
#include "store/Database.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace backfill::store {

// HistoryEntry is one product line of one action: a receipt scan gives one entry per product
// it received (a pallet of three products gives three, with the same scan and op_id), a pick
// one entry per lot it took from.
struct HistoryEntry {
    int64_t eventId = 0;            // the ledger event (events.id): received or picked
    ledger::Timestamp at = 0;       // when the action was done (UTC seconds)
    std::string kind;               // the op: "receive" or "pick"
    std::optional<std::string> scan; // receive: the scan exactly as delivered
    std::string sku;
    ledger::Qty qty = 0;
    std::string location;           // receive: where it was received; pick: where taken from
    std::optional<std::string> lot;
    std::optional<ledger::Date> expiry;
    std::optional<std::string> sscc;
    std::optional<std::string> orderId; // pick: the order line picked for
    std::optional<int64_t> line;
    std::string opId;                   // the action's op (outbox.op_id)
    std::optional<int64_t> deviceSeq;   // its outbox.device_seq, while the outbox holds it
    std::string operatorName;
    std::string device;
};

// latestActions gives the newest `limit` entries (limit >= 1), newest first (by event id,
// which is the order of the commits). Reads only; errors are db_* codes.
Result<std::vector<HistoryEntry>> latestActions(Database& db, int64_t limit);

} // namespace backfill::store

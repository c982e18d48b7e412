#pragma once
// A receipt's log entry (docs/server.md, Log entries: receive), from what applyReceive did
// (server/OpsReceive.cpp): as JSON, or written directly as the same text. Writing it directly
// skips building and dumping an nlohmann tree, about a tenth of a receipt's time on the
// server (bench/README.md, Sync, "2026-12-07 late night"); the tree stays for the receipts the text does
// not cover (non-ASCII text, units carried on to staging lanes). Internal to backfill_server.

#include "server/OpSupport.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace backfill::server::detail {

// ReceivedLine is one line of the receipt as applied: its units, the expiry the lot keeps,
// the units beyond what the inbound expected, and those carried on to lanes, by lane.
struct ReceivedLine {
    std::string sku, lot, sscc;
    Qty qty = 0;
    std::optional<ledger::Date> expiry;
    Qty overReceipt = 0;
    std::vector<std::pair<std::string, Qty>> staged;
};

// receiptEntry is the entry without its settlement: {"op_id","device","device_seq",
// "location",["exception",]"lines":[{"sku","qty","lot",["expiry",]"sscc","over_receipt",
// ["staged":[{"stage","qty"}]]}]} (finish adds "allocations" and "releases").
Json receiptEntry(const OpContext& op, std::string_view location, std::optional<int64_t> exceptionId,
                  const std::vector<ReceivedLine>& lines);

// receiptText is receiptEntry with `allocations` and `releases` added, dumped: the same bytes,
// written directly. nullopt when it cannot be written so: a text of the op that is not ASCII
// (dump() checks UTF-8), or a line with staged units.
std::optional<std::string> receiptText(const OpContext& op, std::string_view location, std::optional<int64_t> exceptionId,
                                       const std::vector<ReceivedLine>& lines, const Json& allocations, const Json& releases);

// receiptMovements are the on-hand changes the entry records: movementsOf("receive", entry).
std::vector<Movement> receiptMovements(std::string_view location, const std::vector<ReceivedLine>& lines);

} // namespace backfill::server::detail

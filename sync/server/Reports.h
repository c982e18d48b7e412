#pragma once
// backfilld's reports (issue 13 item 4; docs/backoffice.md), gathered from the server's
// tables and its timed log and aggregated by ledger/Reports.h. A log entry's day is the UTC
// date of its `at` (an op's: when the device did it).

#include "ledger/Reports.h"
#include "server/ServerStore.h"

#include <optional>
#include <string>
#include <vector>

namespace backfill::server {

// backorderAgingReport: the waiting lines by customer and by product, aged on `today`.
Result<ledger::BackorderAging> backorderAgingReport(ServerStore& store, ledger::Date today);

// fillRateReport: the units allocated per day in [from, to): from inbound (the allocations
// of `receive` entries: goods that went from the dock to a waiting line) or from stock (the
// allocations of every other entry: imports, moves, picks, shorts, counts). Releases are not
// subtracted: the report counts what was handed out.
Result<std::vector<ledger::FillRateDay>> fillRateReport(ServerStore& store, ledger::Date from, ledger::Date to);

// velocityReport: the units of `pick` entries per product with day in [from, to), ranked.
Result<std::vector<ledger::VelocityRow>> velocityReport(ServerStore& store, ledger::Date from, ledger::Date to);

// CountRecord is one count decision of the log: a count (`state` applied, recount or
// pending), an approval (`count_approve`, with its reason) or a rejection (`count_reject`,
// with its note).
struct CountRecord {
    int64_t seq = 0;
    std::optional<ledger::Timestamp> at;
    std::string kind;
    int64_t countId = 0;
    std::string state;
    std::string device;
    std::string sku, location, lot;
    std::optional<ledger::Qty> counted, variance, adjusted;
    std::string reason;
    std::string note;
};

// countsReport: every count entry in log order.
Result<std::vector<CountRecord>> countsReport(ServerStore& store);

// forEachEntry calls `visit` for every log entry of `kinds` after `cursor`, in seq order, in
// batches of `batch`; stops at the first error `visit` returns.
Result<void> forEachEntry(ServerStore& store, int64_t cursor, std::span<const std::string> kinds,
                          const std::function<Result<void>(const TimedLogEntry&)>& visit, size_t batch = 1000);

} // namespace backfill::server

#pragma once
// The outbox: ops for the server, one per action, written in the action's own transaction.

#include "ledger/Date.h"
#include "ledger/Result.h"
#include "store/Database.h"

#include <string>
#include <string_view>

namespace backfill::store {

// appendOutboxOp writes one op with the next device_seq (last + 1, read inside the caller's
// transaction, so the sequence has no gap and the row rolls back with the action), under the
// server-issued epoch from settings (0 before enrolment), stamped `at`. Call it only inside
// an open transaction. `payloadJson` is the op's intent for the server. Fails with db_* codes,
// or bad_setting when the stored epoch is not a number.
Result<void> appendOutboxOp(Database& db, const std::string& opId, std::string_view kind, std::string_view payloadJson,
                            ledger::Timestamp at);

// appendOutboxOp as above with a new device-made op_id (UUIDv7, store/Uuid.h), which it
// returns.
Result<std::string> appendOutboxOp(Database& db, std::string_view kind, std::string_view payloadJson,
                                   ledger::Timestamp at);

} // namespace backfill::store

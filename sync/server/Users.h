#pragma once
// Operators at the server (`backfilld user add|list|remove`; docs/server.md, Users). The
// server is the master for users: each change is one log entry that terminals pull, with the
// PIN's hash, so an enrolled terminal signs its operators in offline. The rules are the
// terminal's (ledger/Roles.h: names, PINs, the first user a supervisor, never the last
// supervisor while others remain), and so is the hash (pin/PinHash.h, Argon2id).
//
// Log entries: `user` {"name","role","pin_hash"} and `user_removed` {"name"}.

#include "server/ServerStore.h"

namespace backfill::server {

// addUser hashes `pin` and adds the user with a `user` log entry, in one transaction.
// Refused with nothing written: bad_user_name, bad_pin_format, duplicate_user,
// supervisor_required; hash_failed when the hash cannot be made.
ledger::Result<void> addUser(ServerStore& store, std::string_view name, ledger::Role role, std::string_view pin);

// removeUser removes the user with a `user_removed` log entry. Refused: unknown_user,
// last_supervisor.
ledger::Result<void> removeUser(ServerStore& store, std::string_view name);

} // namespace backfill::server

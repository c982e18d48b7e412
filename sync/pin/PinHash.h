#pragma once
// PIN hashing for operators (docs/operations.md, PINs and the hash), shared by the terminal's
// users table (terminal/store/Users.cpp) and the server's (`backfilld user add`), which hashes
// the PIN once and hands the hash to terminals by its log, so they sign operators in offline.
//
// A PIN is kept only as libsodium's crypto_pwhash_str: Argon2id with a random salt per user,
// 2 passes over 19 MiB, p = 1; the limits travel inside the hash string
// (`$argon2id$v=19$m=19456,t=2,p=1$...`), so a later change still verifies old hashes.

#include "ledger/Result.h"

#include <string>

namespace backfill::pin {

// hashPin hashes `pin` (the caller checked its format). Fails with hash_failed when libsodium
// cannot start or cannot allocate its 19 MiB.
ledger::Result<std::string> hashPin(const std::string& pin);

// pinMatches says whether `pin` verifies against `hash` (false for a malformed hash).
bool pinMatches(const std::string& hash, const std::string& pin);

} // namespace backfill::pin

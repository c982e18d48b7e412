#include "pin/PinHash.h"

#include <sodium.h>

namespace backfill::pin {

namespace {

// Argon2id with 2 passes over 19 MiB, p = 1: the OWASP Password Storage Cheat Sheet's
// recommended minimum, chosen over libsodium's INTERACTIVE (2 passes over 64 MiB) because a
// handheld's ARM cores run libsodium's portable Argon2 code (its SIMD versions are x86 only):
// INTERACTIVE costs about 0.2 s on a PC here and an estimated 0.4-1 s on a handheld, this
// about 0.03 s and 0.1-0.3 s (docs/operations.md). The PIN's real guard is the lockout. The
// limits travel inside each hash string, so a later change still verifies old hashes.
constexpr unsigned long long kOpsLimit = crypto_pwhash_OPSLIMIT_INTERACTIVE; // 2
constexpr size_t kMemLimit = size_t{19} << 20;

bool startSodium()
{
    // sodium_init is idempotent and thread-safe: 0 = started now, 1 = already started.
    return sodium_init() >= 0;
}

} // namespace

ledger::Result<std::string> hashPin(const std::string& pin)
{
    if (!startSodium()) return ledger::fail("hash_failed", "libsodium could not start (no random source?)");
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(out, pin.data(), pin.size(), kOpsLimit, kMemLimit) != 0)
        return ledger::fail("hash_failed", "cannot hash the PIN: not enough memory (" + std::to_string(kMemLimit >> 20) +
                                               " MiB needed); close other programs and try again");
    return std::string(out);
}

bool pinMatches(const std::string& hash, const std::string& pin)
{
    if (!startSodium()) return false;
    return crypto_pwhash_str_verify(hash.c_str(), pin.data(), pin.size()) == 0;
}

} // namespace backfill::pin

#pragma once
// Secrets the server hands out (enrolment tokens, session ids) and how it stores them.
//
// Tokens are 32 random bytes from libsodium (randombytes_buf) written as 64 lowercase hex
// characters, printable ASCII as the protocol's token and session id fields require. The
// server keeps only a keyed BLAKE2b hash of each (crypto_generichash): a token has 256 bits of
// entropy, so a slow password hash (Argon2id, as for operator PINs) would add no protection
// and would cost a fraction of a second on every Push that carries credentials.

#include <string>
#include <string_view>

namespace backfill::server {

// newToken returns a fresh random token (64 hex characters). Throws std::runtime_error when
// libsodium cannot initialise ("cannot start").
std::string newToken();

// tokenHash is the hex hash stored for `token` (64 hex characters).
std::string tokenHash(std::string_view token);

// sameHash compares two stored hashes in constant time.
bool sameHash(std::string_view a, std::string_view b);

} // namespace backfill::server

#pragma once
// Device-made identifiers for outbox ops.

#include <string>

namespace backfill::store {

// newUuid returns a time-ordered UUID (version 7, RFC 9562 5.7: 48-bit Unix milliseconds,
// then 74 random bits) in its 36-character text form. Time order keeps the outbox's op_id
// index appending at its end instead of touching a random page on every scan.
std::string newUuid();

} // namespace backfill::store

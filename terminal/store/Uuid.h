#pragma once
// Device-made identifiers for outbox ops.

#include <string>

namespace backfill::store {

// newUuid returns a random (version 4, RFC 4122 4.4) UUID in its 36-character text form.
std::string newUuid();

} // namespace backfill::store

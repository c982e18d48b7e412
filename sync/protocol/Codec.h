#pragma once
// Bytes <-> messages for the sync protocol (wire format: protocol/wire.proto, protobuf lite,
// inside an Envelope with a version). Callers never see protobuf.

#include <string>
#include <string_view>

#include "ledger/Result.h"
#include "protocol/Messages.h"

namespace backfill::protocol {

// encode writes `m` in an Envelope of version kProtocolVersion. It does not check `m`: a sender
// uses encodeChecked, or validate first.
std::string encode(const Message& m);

// encodeChecked validates `m` (as validate) and encodes it, and fails with `too_large` when the
// encoding passes kMaxMessageBytes. What it returns, decode accepts.
ledger::Result<std::string> encodeChecked(const Message& m);

// decode reads one Envelope and returns its message, validated. Fails with (in this order):
//   too_large            the input is over kMaxMessageBytes (nothing parsed);
//   bad_field            the bytes hold more ops, results or entries than kMaxOpsPerPush or
//                        kMaxEntriesPerChanges (counted on the raw bytes, nothing parsed);
//   bad_message          the bytes are not an Envelope (garbage, truncated);
//   unsupported_version  the Envelope's version is outside kMinProtocolVersion..kProtocolVersion
//                        (an Error body is read at any version >= 1);
//   unknown_message      the Envelope holds no body this version knows (a newer peer's);
//   bad_field            a field breaks a rule of validate; the message names the field
//                        (`push.ops[2].device_seq`), its value or size, and the limit.
// Fields this version does not know are ignored (schema evolution).
ledger::Result<Message> decode(std::string_view bytes);

// validate checks every field rule of docs/sync.md "Limits" and fails with `bad_field`:
// lengths and character sets (device id, token, session id, op_id as a lowercase UUID,
// codes, UTF-8 text), kinds (Op.kind in kOpKinds), counts (ops, results, entries), payload
// sizes, ranges (device_seq >= 1, epoch >= 1, cursors and seqs >= 0, created_at), order
// (ops and entries by increasing seq, each op_id once in a Push) and presence (a Flagged or
// Rejected result has a code; `more` needs entries). It does not check the encoded size.
ledger::Result<void> validate(const Message& m);

} // namespace backfill::protocol

#pragma once
// The wire protocol's version and limits. Both ends build against the same values; a change to
// any of them is a protocol change (docs/sync.md "Wire format"). Every message is checked
// against them after decoding (protocol/Codec.h), and a sender checks before sending.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace backfill::protocol {

// kProtocolVersion is the version this build encodes. A decoder accepts versions
// kMinProtocolVersion..kProtocolVersion and refuses others with `unsupported_version`
// (an Error body is accepted at any version >= 1: it is frozen, so a refusal is always readable).
inline constexpr uint32_t kProtocolVersion = 1;
inline constexpr uint32_t kMinProtocolVersion = 1;

// kMaxMessageBytes bounds one encoded envelope. The transport sets NNG_OPT_RECVMAXSZ from it
// (nng 1.5.2 otherwise allocates whatever size a peer claims); a decoder refuses a larger
// input with `too_large` before parsing it. A server filling Changes stops adding entries
// before the encoded reply would pass it (and sets `more`).
inline constexpr size_t kMaxMessageBytes = 4 * 1024 * 1024;

// kMaxPayloadBytes bounds one op's JSON payload, one stored op result and one log entry's
// payload. The largest op today is a count or a receipt naming the lines it allocated to
// (about 80 bytes a line): 64 KiB is ~800 lines.
inline constexpr size_t kMaxPayloadBytes = 64 * 1024;

// kMaxEntryBytes bounds one log entry's payload and one op's payload: what fits alone in a
// Changes reply or a Push (a terminal's push takes ops while they fit: link/Link.cpp). A
// terminal's receipt names every line it allocated to, and so does its entry: 3,000 waiting
// lines made a 119 KB op, which no push could carry (the outbox stopped there for good). An entry
// is written by the server and names every line its op allocated to: a receipt of 3,000 units
// for 3,000 waiting lines is ~170 KB. Bounded at kMaxPayloadBytes, such an entry could not be
// sent: every terminal's Pull failed at it for good.
inline constexpr size_t kMaxEntryBytes = kMaxMessageBytes - 128 * 1024;

// kMaxOpsPerPush bounds a Push (and the results of its PushAck): a terminal back from a long
// offline shift sends its outbox in batches of at most this many ops.
inline constexpr size_t kMaxOpsPerPush = 500;

// kMaxEntriesPerChanges bounds a Changes reply, and so Pull.max_entries.
inline constexpr size_t kMaxEntriesPerChanges = 1000;

// kMaxWaitMs bounds Pull.wait_ms, how long a server may hold a long-poll Pull open for new
// entries; it stays below the transport's request timeout.
inline constexpr uint32_t kMaxWaitMs = 30'000;

// kMaxDeviceIdBytes bounds a device name (`backfilld device add NAME`): 1..64 characters of
// A-Z a-z 0-9 . _ -
inline constexpr size_t kMaxDeviceIdBytes = 64;

// kMaxTokenBytes bounds an enrolment token or device secret, and kMaxSessionIdBytes a
// server-issued session id: 1..N printable ASCII characters (0x21..0x7e).
inline constexpr size_t kMaxTokenBytes = 256;
inline constexpr size_t kMaxSessionIdBytes = 128;

// kUuidTextBytes is an op_id: the 36-character lowercase text form of a UUID
// (RFC 9562 section 4: 8-4-4-4-12 hex digits), as store/Uuid.h writes it.
inline constexpr size_t kUuidTextBytes = 36;

// kMaxCodeBytes bounds an error code, a result code and a log entry kind: 1..64 characters,
// a lowercase letter then lowercase letters, digits or '_'.
inline constexpr size_t kMaxCodeBytes = 64;

// kMaxTextBytes bounds a message for a person (Error.message, OpResult.message): UTF-8.
inline constexpr size_t kMaxTextBytes = 4096;

// kMaxTimestamp is 9999-12-31T23:59:59Z: created_at is seconds since 1970 (ledger::Timestamp)
// in 0..kMaxTimestamp.
inline constexpr int64_t kMaxTimestamp = 253'402'300'799;

// kOpKinds are the op kinds a terminal's outbox writes (terminal/store, `outbox.kind`) and a
// server applies. Adding one is a protocol change: it bumps kProtocolVersion, so an older
// server refuses the newer terminal at Hello instead of refusing its ops one by one.
inline constexpr std::array<std::string_view, 10> kOpKinds{
    "receive", "move", "pick", "short", "count", "count_approve", "count_reject", "undo", "user_add", "user_remove",
};

// isOpKind tells whether `kind` is one of kOpKinds.
bool isOpKind(std::string_view kind);

} // namespace backfill::protocol

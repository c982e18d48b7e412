#pragma once
// The sync protocol's messages as plain values (DESIGN.md 2; docs/sync.md "Wire format").
// protocol/Codec.h turns them into bytes and back; nothing here knows about protobuf.
//
// The exchanges, each one REQ -> REP over sync/transport:
//   Hello -> HelloAck | Error      sign in (or enrol, epoch 0); gets a session id
//   Push  -> PushAck  | Error      ops in device_seq order; one result per op handled
//   Pull  -> Changes  | Error      log entries after a cursor
// REQ/REP has no sessions, so a Push or Pull carries its Auth: the device's credentials or a
// session id a HelloAck issued. A request whose Auth the server refuses gets an Error and
// nothing it carries is applied.

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "protocol/Limits.h"

namespace backfill::protocol {

// Credentials identify an enrolled device: its name, the epoch the server issued at its
// (re-)enrolment (>= 1) and its secret token.
struct Credentials {
    std::string deviceId;
    int64_t epoch = 0;
    std::string token;
    bool operator==(const Credentials&) const = default;
};

// Session is a session id issued by HelloAck, bound by the server to one device and epoch.
struct Session {
    std::string id;
    bool operator==(const Session&) const = default;
};

// Auth is what a Push or Pull carries to say who sends it.
using Auth = std::variant<Credentials, Session>;

// Hello opens a session. `protocolVersion` is the highest version the device speaks (the
// server answers with the version both will use). `epoch` 0 asks to enrol with the one-time
// enrolment `token` (the server issues an epoch); an epoch >= 1 signs in with the device token.
struct Hello {
    uint32_t protocolVersion = kProtocolVersion;
    std::string deviceId;
    int64_t epoch = 0;
    std::string token;
    bool operator==(const Hello&) const = default;
};

// HelloAck accepts a Hello: the version in use, the session id, the device's epoch (the new
// one after enrolment) and the server log's last seq, so the device knows whether to pull.
struct HelloAck {
    uint32_t protocolVersion = kProtocolVersion;
    std::string sessionId;
    int64_t epoch = 0;
    int64_t headCursor = 0;
    bool operator==(const HelloAck&) const = default;
};

// Op is one outbox row (terminal/store/Outbox.h): a device-made UUID, its gap-free sequence
// under an epoch, one of kOpKinds, the JSON intent and when the device wrote it (seconds since
// 1970, informational: the server orders by device_seq, never by clocks).
struct Op {
    std::string opId;
    int64_t deviceSeq = 0;
    int64_t epoch = 0;
    std::string kind;
    std::string payload;
    int64_t createdAt = 0;
    bool operator==(const Op&) const = default;
};

// Push sends ops, strictly increasing in device_seq, each op_id once.
struct Push {
    Auth auth;
    std::vector<Op> ops;
    bool operator==(const Push&) const = default;
};

// OpStatus is what the server did with one op: Applied; Duplicate (the op_id was applied
// before: the stored result is returned and nothing changes); Flagged (applied, and an
// exception for a person, e.g. a second receipt of one SSCC); Rejected (not applied, e.g.
// `expected_seq`).
enum class OpStatus { Applied, Duplicate, Flagged, Rejected };

// OpResult is the result of one op. `code` is empty for Applied and Duplicate when there is
// nothing to say, and required for Flagged and Rejected; `globalSeq` is the op's place in the
// server log (0 when Rejected); `result` is the stored JSON result, returned again verbatim
// for a Duplicate.
struct OpResult {
    std::string opId;
    int64_t deviceSeq = 0;
    OpStatus status = OpStatus::Applied;
    std::string code;
    std::string message;
    int64_t globalSeq = 0;
    std::string result;
    bool operator==(const OpResult&) const = default;
};

// PushAck answers a Push: one result per op handled, in order. The server stops at a gap:
// `expectedSeq` is then the device_seq it expects next (0 = no gap). `headCursor` is the
// server log's last seq.
struct PushAck {
    std::vector<OpResult> results;
    int64_t expectedSeq = 0;
    int64_t headCursor = 0;
    bool operator==(const PushAck&) const = default;
};

// Pull asks for the log entries after `cursor` (0 = from the start), at most `maxEntries`
// (1..kMaxEntriesPerChanges). `waitMs` > 0 lets the server hold the request that long when
// nothing is waiting (long poll).
struct Pull {
    Auth auth;
    int64_t cursor = 0;
    uint32_t maxEntries = kMaxEntriesPerChanges;
    uint32_t waitMs = 0;
    bool operator==(const Pull&) const = default;
};

// LogEntry is one entry of the server log: its global seq, its kind and JSON payload.
struct LogEntry {
    int64_t seq = 0;
    std::string kind;
    std::string payload;
    bool operator==(const LogEntry&) const = default;
};

// Changes answers a Pull: entries in increasing seq, the cursor to pull from next (>= the last
// entry's seq) and whether more entries are waiting beyond them.
struct Changes {
    std::vector<LogEntry> entries;
    int64_t nextCursor = 0;
    bool more = false;
    bool operator==(const Changes&) const = default;
};

// Error refuses a request: a stable code (e.g. `bad_message`, `unsupported_version`,
// `bad_credentials`) and a message for a person.
struct Error {
    std::string code;
    std::string message;
    bool operator==(const Error&) const = default;
};

// Message is any one message on the wire.
using Message = std::variant<Hello, HelloAck, Push, PushAck, Pull, Changes, Error>;

// messageName is the wire name of the message's body: "hello", "hello_ack", "push",
// "push_ack", "pull", "changes" or "error".
const char* messageName(const Message& m);

// opStatusName is "applied", "duplicate", "flagged" or "rejected".
const char* opStatusName(OpStatus s);

} // namespace backfill::protocol

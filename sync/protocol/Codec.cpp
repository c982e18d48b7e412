// encode/decode (protocol/Codec.h): protobuf lite stays inside this file. Decoding checks the
// size and the bounded counts before parsing, the version and body after, then validates the
// plain message.

#include "protocol/Codec.h"

#include "wire.pb.h"

namespace backfill::protocol {

namespace {

using ledger::Result;

template <class Wire>
void authToWire(const Auth& auth, Wire& w)
{
    if (const auto* c = std::get_if<Credentials>(&auth)) {
        auto* wc = w.mutable_credentials();
        wc->set_device_id(c->deviceId);
        wc->set_epoch(c->epoch);
        wc->set_token(c->token);
    } else {
        w.set_session_id(std::get<Session>(auth).id);
    }
}

template <class Wire>
Result<Auth> authFromWire(const Wire& w, const char* msg)
{
    if (w.has_credentials()) {
        const auto& c = w.credentials();
        return Auth{Credentials{c.device_id(), c.epoch(), c.token()}};
    }
    if (w.has_session_id()) return Auth{Session{w.session_id()}};
    return ledger::fail("bad_field", std::string(msg) + ".auth: neither credentials nor session_id, one is required");
}

// Protobuf allocates one object per element of a repeated message field as it parses: 4 MiB
// of two-byte empty ops would be two million objects (about 190 MB and seconds of CPU for one
// request). So the repeated fields that limits bound are counted on the raw bytes first, by
// walking the wire format (protobuf encoding: tag = field << 3 | wire type) two levels deep.

// readVarint reads a base-128 varint; false when the input ends or it runs past 10 bytes.
bool readVarint(std::string_view& in, uint64_t& v)
{
    v = 0;
    for (int shift = 0; shift < 70 && !in.empty(); shift += 7) {
        const auto byte = static_cast<unsigned char>(in.front());
        in.remove_prefix(1);
        v |= static_cast<uint64_t>(byte & 0x7f) << shift;
        if (!(byte & 0x80)) return true;
    }
    return false;
}

// forEachField calls f(field, wire type, bytes of a length-delimited value) for each field of
// one message level. False when it cannot walk the bytes (groups, a bad tag, truncation): the
// parser then says what is wrong.
template <class F>
bool forEachField(std::string_view in, F&& f)
{
    while (!in.empty()) {
        uint64_t tag = 0, n = 0;
        if (!readVarint(in, tag)) return false;
        const uint64_t field = tag >> 3;
        switch (tag & 7) {
        case 0:
            if (!readVarint(in, n)) return false;
            break;
        case 1:
            if (in.size() < 8) return false;
            in.remove_prefix(8);
            break;
        case 2:
            if (!readVarint(in, n) || n > in.size()) return false;
            f(field, in.substr(0, n));
            in.remove_prefix(n);
            break;
        case 5:
            if (in.size() < 4) return false;
            in.remove_prefix(4);
            break;
        default: return false;
        }
    }
    return true;
}

// countBounded fails with bad_field when the Envelope's bytes hold more ops, results or
// entries than their limits, counted over every occurrence of the body (protobuf merges them).
Result<void> countBounded(std::string_view bytes)
{
    struct Bound {
        uint64_t body;
        uint64_t field;
        size_t max;
        const char* name;
        size_t min;
        size_t n = 0;
    };
    Bound bounds[] = {{wire::Envelope::kPushFieldNumber, wire::Push::kOpsFieldNumber, kMaxOpsPerPush, "push.ops", 1},
                      {wire::Envelope::kPushAckFieldNumber, wire::PushAck::kResultsFieldNumber, kMaxOpsPerPush,
                       "push_ack.results", 0},
                      {wire::Envelope::kChangesFieldNumber, wire::Changes::kEntriesFieldNumber, kMaxEntriesPerChanges,
                       "changes.entries", 0}};
    forEachField(bytes, [&](uint64_t field, std::string_view body) {
        for (Bound& b : bounds)
            if (field == b.body) forEachField(body, [&](uint64_t inner, std::string_view) { b.n += inner == b.field; });
    });
    for (const Bound& b : bounds)
        if (b.n > b.max)
            return ledger::fail("bad_field", std::string(b.name) + ": " + std::to_string(b.n) + " items, must be " +
                                                 std::to_string(b.min) + ".." + std::to_string(b.max));
    return {};
}

wire::OpResult::Status statusToWire(OpStatus s)
{
    switch (s) {
    case OpStatus::Applied: return wire::OpResult::APPLIED;
    case OpStatus::Duplicate: return wire::OpResult::DUPLICATE;
    case OpStatus::Flagged: return wire::OpResult::FLAGGED;
    case OpStatus::Rejected: return wire::OpResult::REJECTED;
    }
    return wire::OpResult::STATUS_UNSPECIFIED;
}

void toWire(const Hello& m, wire::Envelope& e)
{
    auto* w = e.mutable_hello();
    w->set_protocol_version(m.protocolVersion);
    w->set_device_id(m.deviceId);
    w->set_epoch(m.epoch);
    w->set_token(m.token);
}

void toWire(const HelloAck& m, wire::Envelope& e)
{
    auto* w = e.mutable_hello_ack();
    w->set_protocol_version(m.protocolVersion);
    w->set_session_id(m.sessionId);
    w->set_epoch(m.epoch);
    w->set_head_cursor(m.headCursor);
}

void toWire(const Push& m, wire::Envelope& e)
{
    auto* w = e.mutable_push();
    authToWire(m.auth, *w);
    w->mutable_ops()->Reserve(static_cast<int>(m.ops.size()));
    for (const Op& op : m.ops) {
        auto* o = w->add_ops();
        o->set_op_id(op.opId);
        o->set_device_seq(op.deviceSeq);
        o->set_epoch(op.epoch);
        o->set_kind(op.kind);
        o->set_payload(op.payload);
        o->set_created_at(op.createdAt);
    }
}

void toWire(const PushAck& m, wire::Envelope& e)
{
    auto* w = e.mutable_push_ack();
    w->mutable_results()->Reserve(static_cast<int>(m.results.size()));
    for (const OpResult& r : m.results) {
        auto* o = w->add_results();
        o->set_op_id(r.opId);
        o->set_device_seq(r.deviceSeq);
        o->set_status(statusToWire(r.status));
        o->set_code(r.code);
        o->set_message(r.message);
        o->set_global_seq(r.globalSeq);
        o->set_result(r.result);
    }
    w->set_expected_seq(m.expectedSeq);
    w->set_head_cursor(m.headCursor);
}

void toWire(const Pull& m, wire::Envelope& e)
{
    auto* w = e.mutable_pull();
    authToWire(m.auth, *w);
    w->set_cursor(m.cursor);
    w->set_max_entries(m.maxEntries);
    w->set_wait_ms(m.waitMs);
}

void toWire(const Changes& m, wire::Envelope& e)
{
    auto* w = e.mutable_changes();
    w->mutable_entries()->Reserve(static_cast<int>(m.entries.size()));
    for (const LogEntry& le : m.entries) {
        auto* o = w->add_entries();
        o->set_seq(le.seq);
        o->set_kind(le.kind);
        o->set_payload(le.payload);
    }
    w->set_next_cursor(m.nextCursor);
    w->set_more(m.more);
}

void toWire(const Error& m, wire::Envelope& e)
{
    auto* w = e.mutable_error();
    w->set_code(m.code);
    w->set_message(m.message);
}

wire::Envelope envelopeOf(const Message& m)
{
    wire::Envelope e;
    e.set_version(kProtocolVersion);
    std::visit([&](const auto& body) { toWire(body, e); }, m);
    return e;
}

Result<Message> fromWire(const wire::Envelope& e)
{
    switch (e.body_case()) {
    case wire::Envelope::kHello: {
        const auto& w = e.hello();
        return Message{Hello{w.protocol_version(), w.device_id(), w.epoch(), w.token()}};
    }
    case wire::Envelope::kHelloAck: {
        const auto& w = e.hello_ack();
        return Message{HelloAck{w.protocol_version(), w.session_id(), w.epoch(), w.head_cursor()}};
    }
    case wire::Envelope::kPush: {
        const auto& w = e.push();
        auto auth = authFromWire(w, "push");
        if (!auth) return ledger::unexpected(auth.error());
        Push p{std::move(*auth), {}};
        p.ops.reserve(static_cast<size_t>(w.ops_size()));
        for (const auto& o : w.ops())
            p.ops.push_back(Op{o.op_id(), o.device_seq(), o.epoch(), o.kind(), o.payload(), o.created_at()});
        return Message{std::move(p)};
    }
    case wire::Envelope::kPushAck: {
        const auto& w = e.push_ack();
        PushAck a{{}, w.expected_seq(), w.head_cursor()};
        a.results.reserve(static_cast<size_t>(w.results_size()));
        for (int i = 0; i < w.results_size(); ++i) {
            const auto& r = w.results(i);
            OpStatus status;
            switch (r.status()) {
            case wire::OpResult::APPLIED: status = OpStatus::Applied; break;
            case wire::OpResult::DUPLICATE: status = OpStatus::Duplicate; break;
            case wire::OpResult::FLAGGED: status = OpStatus::Flagged; break;
            case wire::OpResult::REJECTED: status = OpStatus::Rejected; break;
            default:
                return ledger::fail("bad_field", "push_ack.results[" + std::to_string(i) + "].status: " +
                                                     std::to_string(static_cast<int>(r.status())) +
                                                     ", must be applied (1), duplicate (2), flagged (3) or rejected (4)");
            }
            a.results.push_back(
                OpResult{r.op_id(), r.device_seq(), status, r.code(), r.message(), r.global_seq(), r.result()});
        }
        return Message{std::move(a)};
    }
    case wire::Envelope::kPull: {
        const auto& w = e.pull();
        auto auth = authFromWire(w, "pull");
        if (!auth) return ledger::unexpected(auth.error());
        return Message{Pull{std::move(*auth), w.cursor(), w.max_entries(), w.wait_ms()}};
    }
    case wire::Envelope::kChanges: {
        const auto& w = e.changes();
        Changes c{{}, w.next_cursor(), w.more()};
        c.entries.reserve(static_cast<size_t>(w.entries_size()));
        for (const auto& le : w.entries()) c.entries.push_back(LogEntry{le.seq(), le.kind(), le.payload()});
        return Message{std::move(c)};
    }
    case wire::Envelope::kError: return Message{Error{e.error().code(), e.error().message()}};
    case wire::Envelope::BODY_NOT_SET: break;
    }
    return ledger::fail("unknown_message", "the envelope (version " + std::to_string(e.version()) +
                                               ") holds no message this end knows: upgrade it to the peer's version");
}

} // namespace

const char* messageName(const Message& m)
{
    static constexpr const char* kNames[] = {"hello", "hello_ack", "push", "push_ack", "pull", "changes", "error"};
    static_assert(std::size(kNames) == std::variant_size_v<Message>);
    return kNames[m.index()];
}

const char* opStatusName(OpStatus s)
{
    switch (s) {
    case OpStatus::Applied: return "applied";
    case OpStatus::Duplicate: return "duplicate";
    case OpStatus::Flagged: return "flagged";
    case OpStatus::Rejected: return "rejected";
    }
    return "?";
}

std::string encode(const Message& m)
{
    return envelopeOf(m).SerializeAsString();
}

ledger::Result<std::string> encodeChecked(const Message& m)
{
    if (auto v = validate(m); !v) return ledger::unexpected(v.error());
    std::string bytes = encode(m);
    if (bytes.size() > kMaxMessageBytes)
        return ledger::fail("too_large", std::string(messageName(m)) + ": " + std::to_string(bytes.size()) +
                                             " bytes encoded, at most " + std::to_string(kMaxMessageBytes) +
                                             ": send fewer ops or entries");
    return bytes;
}

ledger::Result<Message> decode(std::string_view bytes)
{
    if (bytes.size() > kMaxMessageBytes)
        return ledger::fail("too_large", "message of " + std::to_string(bytes.size()) + " bytes, at most " +
                                             std::to_string(kMaxMessageBytes));
    if (auto counted = countBounded(bytes); !counted) return ledger::unexpected(counted.error());
    wire::Envelope e;
    if (!e.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
        return ledger::fail("bad_message", "message of " + std::to_string(bytes.size()) +
                                               " bytes is not a sync protocol envelope (garbage or truncated)");
    // Error is frozen and readable at any version, so a refusal always gets through.
    const bool frozen = e.body_case() == wire::Envelope::kError;
    if (e.version() < 1 || (!frozen && (e.version() < kMinProtocolVersion || e.version() > kProtocolVersion)))
        return ledger::fail("unsupported_version", "the peer speaks protocol version " + std::to_string(e.version()) +
                                                       ", this end " + std::to_string(kMinProtocolVersion) + ".." +
                                                       std::to_string(kProtocolVersion) +
                                                       ": upgrade the older of the two");
    auto m = fromWire(e);
    if (!m) return m;
    if (auto v = validate(*m); !v) return ledger::unexpected(v.error());
    return m;
}

} // namespace backfill::protocol

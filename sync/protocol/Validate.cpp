// validate (protocol/Codec.h): the field rules of docs/sync.md "Limits", applied to every
// decoded message and by senders before sending. Each refusal is `bad_field` with a message
// naming the field as docs/sync.md spells it, the value or size found and the rule.

#include "protocol/Codec.h"

#include <algorithm>
#include <set>
#include <string>

namespace backfill::protocol {

namespace {

using ledger::Result;

Result<void> bad(const std::string& field, const std::string& what)
{
    return ledger::fail("bad_field", field + ": " + what);
}

#define RETURN_IF_BAD(expr)                                                                                            \
    do {                                                                                                               \
        if (auto r_ = (expr); !r_) return r_;                                                                          \
    } while (0)

// quoted is `v` in quotes for a message to a person, or its size when it holds bytes a
// terminal or a log should not print (controls, non-ASCII) or is long.
std::string quoted(const std::string& v)
{
    // Appended piece by piece: GCC 12 at -O3 warns on "'" + v + "'" (-Wrestrict, a known false
    // positive), as in the Release build the packages are made from.
    const bool printable = v.size() <= kMaxCodeBytes && std::all_of(v.begin(), v.end(), [](char c) { return c >= 0x20 && c <= 0x7e; });
    std::string out(1, printable ? '\'' : '(');
    out += printable ? v : std::to_string(v.size());
    out += printable ? "'" : " bytes, not printable)";
    return out;
}

bool isUtf8(std::string_view s)
{
    // RFC 3629 section 4: shortest forms only, no surrogates, nothing above U+10FFFF.
    size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        size_t n = 0;
        uint32_t cp = 0;
        if (c < 0x80) {
            ++i;
            continue;
        } else if (c >= 0xc2 && c <= 0xdf) {
            n = 1;
            cp = c & 0x1f;
        } else if (c >= 0xe0 && c <= 0xef) {
            n = 2;
            cp = c & 0x0f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            n = 3;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (s.size() - i <= n) return false;
        for (size_t k = 1; k <= n; ++k) {
            const auto cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xc0) != 0x80) return false;
            cp = (cp << 6) | (cc & 0x3f);
        }
        if ((n == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) || (n == 3 && (cp < 0x10000 || cp > 0x10ffff)))
            return false;
        i += n + 1;
    }
    return true;
}

Result<void> checkText(const std::string& field, const std::string& v, size_t max, bool required)
{
    if (required && v.empty()) return bad(field, "empty, required");
    if (v.size() > max) return bad(field, std::to_string(v.size()) + " bytes, at most " + std::to_string(max));
    if (!isUtf8(v)) return bad(field, "not valid UTF-8");
    return {};
}

Result<void> checkDeviceId(const std::string& field, const std::string& v)
{
    if (v.empty() || v.size() > kMaxDeviceIdBytes)
        return bad(field, std::to_string(v.size()) + " bytes, must be 1.." + std::to_string(kMaxDeviceIdBytes));
    const bool ok = std::all_of(v.begin(), v.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
               c == '-';
    });
    if (!ok) return bad(field, "only A-Z a-z 0-9 . _ - are allowed");
    return {};
}

Result<void> checkPrintable(const std::string& field, const std::string& v, size_t max)
{
    if (v.empty() || v.size() > max)
        return bad(field, std::to_string(v.size()) + " bytes, must be 1.." + std::to_string(max));
    if (!std::all_of(v.begin(), v.end(), [](char c) { return c >= 0x21 && c <= 0x7e; }))
        return bad(field, "only printable ASCII (0x21..0x7e) is allowed");
    return {};
}

Result<void> checkCode(const std::string& field, const std::string& v, bool required)
{
    if (v.empty()) return required ? bad(field, "empty, required") : Result<void>{};
    if (v.size() > kMaxCodeBytes)
        return bad(field, std::to_string(v.size()) + " bytes, at most " + std::to_string(kMaxCodeBytes));
    const bool ok = v[0] >= 'a' && v[0] <= 'z' && std::all_of(v.begin(), v.end(), [](char c) {
                        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
                    });
    if (!ok) return bad(field, quoted(v) + " is not a code (a-z first, then a-z 0-9 _)");
    return {};
}

Result<void> checkUuid(const std::string& field, const std::string& v)
{
    bool ok = v.size() == kUuidTextBytes;
    for (size_t i = 0; ok && i < v.size(); ++i) {
        const char c = v[i];
        ok = (i == 8 || i == 13 || i == 18 || i == 23) ? c == '-' : ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
    }
    if (!ok) return bad(field, "not a UUID in lowercase 8-4-4-4-12 text form (36 characters)");
    return {};
}

Result<void> checkAtLeast(const std::string& field, int64_t v, int64_t min)
{
    if (v < min) return bad(field, std::to_string(v) + ", must be >= " + std::to_string(min));
    return {};
}

Result<void> checkCount(const std::string& field, size_t n, size_t min, size_t max)
{
    if (n < min || n > max)
        return bad(field, std::to_string(n) + " items, must be " + std::to_string(min) + ".." + std::to_string(max));
    return {};
}

Result<void> checkAuth(const std::string& msg, const Auth& auth)
{
    if (const auto* c = std::get_if<Credentials>(&auth)) {
        RETURN_IF_BAD(checkDeviceId(msg + ".credentials.device_id", c->deviceId));
        RETURN_IF_BAD(checkAtLeast(msg + ".credentials.epoch", c->epoch, 1));
        return checkPrintable(msg + ".credentials.token", c->token, kMaxTokenBytes);
    }
    return checkPrintable(msg + ".session_id", std::get<Session>(auth).id, kMaxSessionIdBytes);
}

Result<void> check(const Hello& m)
{
    if (m.protocolVersion < 1) return bad("hello.protocol_version", "0, must be >= 1");
    RETURN_IF_BAD(checkDeviceId("hello.device_id", m.deviceId));
    RETURN_IF_BAD(checkAtLeast("hello.epoch", m.epoch, 0));
    return checkPrintable("hello.token", m.token, kMaxTokenBytes);
}

Result<void> check(const HelloAck& m)
{
    if (m.protocolVersion < 1) return bad("hello_ack.protocol_version", "0, must be >= 1");
    RETURN_IF_BAD(checkPrintable("hello_ack.session_id", m.sessionId, kMaxSessionIdBytes));
    RETURN_IF_BAD(checkAtLeast("hello_ack.epoch", m.epoch, 1));
    return checkAtLeast("hello_ack.head_cursor", m.headCursor, 0);
}

Result<void> check(const Push& m)
{
    RETURN_IF_BAD(checkAuth("push", m.auth));
    RETURN_IF_BAD(checkCount("push.ops", m.ops.size(), 1, kMaxOpsPerPush));
    std::set<std::string_view> ids;
    for (size_t i = 0; i < m.ops.size(); ++i) {
        const Op& op = m.ops[i];
        const std::string f = "push.ops[" + std::to_string(i) + "]";
        RETURN_IF_BAD(checkUuid(f + ".op_id", op.opId));
        if (!ids.insert(op.opId).second) return bad(f + ".op_id", op.opId + " appears twice in one push");
        RETURN_IF_BAD(checkAtLeast(f + ".device_seq", op.deviceSeq, 1));
        if (i > 0 && op.deviceSeq <= m.ops[i - 1].deviceSeq)
            return bad(f + ".device_seq", std::to_string(op.deviceSeq) + ", must be > the previous op's " +
                                              std::to_string(m.ops[i - 1].deviceSeq) + " (ops in device_seq order)");
        RETURN_IF_BAD(checkAtLeast(f + ".epoch", op.epoch, 1));
        if (!isOpKind(op.kind))
            return bad(f + ".kind", quoted(op.kind) + " is not an op kind of protocol version " +
                                        std::to_string(kProtocolVersion));
        RETURN_IF_BAD(checkText(f + ".payload", op.payload, kMaxEntryBytes, true));
        if (op.createdAt < 0 || op.createdAt > kMaxTimestamp)
            return bad(f + ".created_at",
                       std::to_string(op.createdAt) + ", must be 0.." + std::to_string(kMaxTimestamp) + " (seconds since 1970)");
    }
    return {};
}

Result<void> check(const PushAck& m)
{
    RETURN_IF_BAD(checkCount("push_ack.results", m.results.size(), 0, kMaxOpsPerPush));
    for (size_t i = 0; i < m.results.size(); ++i) {
        const OpResult& r = m.results[i];
        const std::string f = "push_ack.results[" + std::to_string(i) + "]";
        RETURN_IF_BAD(checkUuid(f + ".op_id", r.opId));
        RETURN_IF_BAD(checkAtLeast(f + ".device_seq", r.deviceSeq, 1));
        const bool needsCode = r.status == OpStatus::Flagged || r.status == OpStatus::Rejected;
        RETURN_IF_BAD(checkCode(f + ".code", r.code, needsCode));
        RETURN_IF_BAD(checkText(f + ".message", r.message, kMaxTextBytes, false));
        RETURN_IF_BAD(checkAtLeast(f + ".global_seq", r.globalSeq, 0));
        RETURN_IF_BAD(checkText(f + ".result", r.result, kMaxPayloadBytes, false));
    }
    RETURN_IF_BAD(checkAtLeast("push_ack.expected_seq", m.expectedSeq, 0));
    return checkAtLeast("push_ack.head_cursor", m.headCursor, 0);
}

Result<void> check(const Pull& m)
{
    RETURN_IF_BAD(checkAuth("pull", m.auth));
    RETURN_IF_BAD(checkAtLeast("pull.cursor", m.cursor, 0));
    if (m.maxEntries < 1 || m.maxEntries > kMaxEntriesPerChanges)
        return bad("pull.max_entries",
                   std::to_string(m.maxEntries) + ", must be 1.." + std::to_string(kMaxEntriesPerChanges));
    if (m.waitMs > kMaxWaitMs)
        return bad("pull.wait_ms", std::to_string(m.waitMs) + ", must be 0.." + std::to_string(kMaxWaitMs));
    return {};
}

Result<void> check(const Changes& m)
{
    RETURN_IF_BAD(checkCount("changes.entries", m.entries.size(), 0, kMaxEntriesPerChanges));
    for (size_t i = 0; i < m.entries.size(); ++i) {
        const LogEntry& e = m.entries[i];
        const std::string f = "changes.entries[" + std::to_string(i) + "]";
        RETURN_IF_BAD(checkAtLeast(f + ".seq", e.seq, 1));
        if (i > 0 && e.seq <= m.entries[i - 1].seq)
            return bad(f + ".seq", std::to_string(e.seq) + ", must be > the previous entry's " +
                                       std::to_string(m.entries[i - 1].seq));
        RETURN_IF_BAD(checkCode(f + ".kind", e.kind, true));
        RETURN_IF_BAD(checkText(f + ".payload", e.payload, kMaxEntryBytes, true));
    }
    RETURN_IF_BAD(checkAtLeast("changes.next_cursor", m.nextCursor, 0));
    if (!m.entries.empty() && m.nextCursor < m.entries.back().seq)
        return bad("changes.next_cursor", std::to_string(m.nextCursor) + ", must be >= the last entry's seq " +
                                              std::to_string(m.entries.back().seq));
    // `more` with nothing in this reply would have a device pull the same cursor forever.
    if (m.more && m.entries.empty()) return bad("changes.more", "set with no entries");
    return {};
}

Result<void> check(const Error& m)
{
    RETURN_IF_BAD(checkCode("error.code", m.code, true));
    return checkText("error.message", m.message, kMaxTextBytes, false);
}

} // namespace

bool isOpKind(std::string_view kind)
{
    return std::find(kOpKinds.begin(), kOpKinds.end(), kind) != kOpKinds.end();
}

ledger::Result<void> validate(const Message& m)
{
    return std::visit([](const auto& body) { return check(body); }, m);
}

} // namespace backfill::protocol

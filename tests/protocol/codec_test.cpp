// sync/protocol: every message round-trips with exact values; every validation rule refuses
// with its exact code and names its field; garbage, truncated and oversized input is refused;
// a later version's unknown fields are ignored and its unknown bodies and versions refused.

#include "protocol/Codec.h"
#include "protocol/samples.h"
#include "protocol/wire_future.pb.h" // generated into the build directory

#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <set>
#include <string>

using namespace backfill::protocol;
namespace fw = backfill::wire_future;

namespace {

Message roundTrip(const Message& m)
{
    auto bytes = encodeChecked(m);
    REQUIRE_MESSAGE(bytes.has_value(), bytes.error().code << ": " << bytes.error().message);
    auto back = decode(*bytes);
    REQUIRE_MESSAGE(back.has_value(), back.error().code << ": " << back.error().message);
    return *back;
}

// refusal decodes `m` as encoded without checks and returns the error (or fails the test).
backfill::ledger::Error refusal(const Message& m)
{
    auto back = decode(encode(m));
    REQUIRE_FALSE(back.has_value());
    return back.error();
}

std::string str(const google::protobuf::MessageLite& m) { return m.SerializeAsString(); }

} // namespace

TEST_CASE("every message round-trips with its exact field values")
{
    SUBCASE("hello")
    {
        const Message back = roundTrip(samples::hello());
        const auto& h = std::get<Hello>(back);
        CHECK(h.protocolVersion == 1);
        CHECK(h.deviceId == "HH-03");
        CHECK(h.epoch == 2);
        CHECK(h.token == "tok_4f1c9a7e2b");
        CHECK(std::get<Hello>(roundTrip(samples::enrolHello())).epoch == 0);
    }
    SUBCASE("hello_ack")
    {
        const auto a = std::get<HelloAck>(roundTrip(samples::helloAck()));
        CHECK(a.protocolVersion == 1);
        CHECK(a.sessionId == "s-9d1e4b");
        CHECK(a.epoch == 2);
        CHECK(a.headCursor == 1234);
    }
    SUBCASE("push with credentials")
    {
        const auto p = std::get<Push>(roundTrip(samples::push()));
        REQUIRE(std::holds_alternative<Credentials>(p.auth));
        CHECK(std::get<Credentials>(p.auth).deviceId == "HH-03");
        CHECK(std::get<Credentials>(p.auth).epoch == 2);
        CHECK(std::get<Credentials>(p.auth).token == "tok_4f1c9a7e2b");
        REQUIRE(p.ops.size() == 2);
        CHECK(p.ops[0].opId == "01890a5d-ac96-774b-bcce-b302099a8057");
        CHECK(p.ops[0].deviceSeq == 17);
        CHECK(p.ops[0].epoch == 2);
        CHECK(p.ops[0].kind == "receive");
        CHECK(p.ops[0].payload ==
              R"({"gtin":"09506000134352","qty":12,"location":"RCV-1","lot":"L1","sscc":"106141411234567897"})");
        CHECK(p.ops[0].createdAt == 1780000000);
        CHECK(p.ops[1] == samples::countOp());
    }
    SUBCASE("push with a session")
    {
        const auto p = std::get<Push>(roundTrip(samples::sessionPush()));
        REQUIRE(std::holds_alternative<Session>(p.auth));
        CHECK(std::get<Session>(p.auth).id == "s-9d1e4b");
        CHECK(p == samples::sessionPush());
    }
    SUBCASE("push_ack")
    {
        const auto a = std::get<PushAck>(roundTrip(samples::pushAck()));
        REQUIRE(a.results.size() == 4);
        CHECK(a.results[0].status == OpStatus::Applied);
        CHECK(a.results[0].globalSeq == 1301);
        CHECK(a.results[0].result == R"({"allocated":[{"order_id":"SO-1042","line":1,"qty":5}]})");
        CHECK(a.results[1].status == OpStatus::Flagged);
        CHECK(a.results[1].code == "stale_basis");
        CHECK(a.results[1].message == "count of A-01-1 based on cursor 120, 14 movements since: recount");
        CHECK(a.results[2].status == OpStatus::Duplicate);
        CHECK(a.results[2].deviceSeq == 19);
        CHECK(a.results[3].status == OpStatus::Rejected);
        CHECK(a.results[3].code == "expected_seq");
        CHECK(a.results[3].globalSeq == 0);
        CHECK(a.expectedSeq == 20);
        CHECK(a.headCursor == 1302);
        CHECK(a == samples::pushAck());
    }
    SUBCASE("pull")
    {
        const auto p = std::get<Pull>(roundTrip(samples::pull()));
        CHECK(std::get<Credentials>(p.auth) == samples::credentials());
        CHECK(p.cursor == 1200);
        CHECK(p.maxEntries == 500);
        CHECK(p.waitMs == 0);
        const auto s = std::get<Pull>(roundTrip(samples::sessionPull()));
        CHECK(std::get<Session>(s.auth).id == "s-9d1e4b");
        CHECK(s.cursor == 0);
        CHECK(s.maxEntries == 1);
        CHECK(s.waitMs == 30000);
    }
    SUBCASE("changes")
    {
        const auto c = std::get<Changes>(roundTrip(samples::changes()));
        REQUIRE(c.entries.size() == 2);
        CHECK(c.entries[0].seq == 1201);
        CHECK(c.entries[0].kind == "received");
        CHECK(c.entries[0].payload == R"({"sku":"SKU-1","qty":12,"device":"HH-01"})");
        CHECK(c.entries[1].seq == 1205);
        CHECK(c.entries[1].kind == "alloc_changed");
        CHECK(c.nextCursor == 1205);
        CHECK(c.more);
        const auto e = std::get<Changes>(roundTrip(samples::emptyChanges()));
        CHECK(e.entries.empty());
        CHECK(e.nextCursor == 1302);
        CHECK_FALSE(e.more);
    }
    SUBCASE("error")
    {
        const auto e = std::get<Error>(roundTrip(samples::error()));
        CHECK(e.code == "bad_credentials");
        CHECK(e.message == "device HH-03 epoch 1 is revoked: enrol it again");
    }
    SUBCASE("every sample, as a whole")
    {
        for (const auto& [name, m] : samples::all()) {
            INFO(name);
            CHECK(roundTrip(m) == m);
            CHECK(messageName(roundTrip(m)) == std::string(messageName(m)));
        }
    }
}

TEST_CASE("names of messages and statuses")
{
    CHECK(std::string(messageName(samples::helloAck())) == "hello_ack");
    CHECK(std::string(messageName(samples::pushAck())) == "push_ack");
    CHECK(std::string(opStatusName(OpStatus::Flagged)) == "flagged");
    CHECK(std::string(opStatusName(OpStatus::Duplicate)) == "duplicate");
    for (const auto k : kOpKinds) CHECK(isOpKind(k));
    CHECK_FALSE(isOpKind("Receive"));
    CHECK_FALSE(isOpKind(""));
    CHECK_FALSE(isOpKind("claim"));
}

// One case per rule: the sample it breaks, and the exact message the refusal must carry.
struct Rule {
    std::string what;
    std::function<Message()> make;
    std::string message;
};

TEST_CASE("every validation rule refuses with bad_field, naming the field and the limit")
{
    const std::string bigPayload(kMaxPayloadBytes + 1, 'x');
    const std::vector<Rule> rules{
        {"hello protocol 0", [] { auto m = samples::hello(); m.protocolVersion = 0; return Message{m}; },
         "hello.protocol_version: 0, must be >= 1"},
        {"hello empty device", [] { auto m = samples::hello(); m.deviceId = ""; return Message{m}; },
         "hello.device_id: 0 bytes, must be 1..64"},
        {"hello long device", [] { auto m = samples::hello(); m.deviceId = std::string(65, 'a'); return Message{m}; },
         "hello.device_id: 65 bytes, must be 1..64"},
        {"hello device with a space", [] { auto m = samples::hello(); m.deviceId = "HH 03"; return Message{m}; },
         "hello.device_id: only A-Z a-z 0-9 . _ - are allowed"},
        {"hello negative epoch", [] { auto m = samples::hello(); m.epoch = -1; return Message{m}; },
         "hello.epoch: -1, must be >= 0"},
        {"hello empty token", [] { auto m = samples::hello(); m.token = ""; return Message{m}; },
         "hello.token: 0 bytes, must be 1..256"},
        {"hello long token", [] { auto m = samples::hello(); m.token = std::string(257, 't'); return Message{m}; },
         "hello.token: 257 bytes, must be 1..256"},
        {"hello token with a newline", [] { auto m = samples::hello(); m.token = "abc\n"; return Message{m}; },
         "hello.token: only printable ASCII (0x21..0x7e) is allowed"},
        {"hello_ack epoch 0", [] { auto m = samples::helloAck(); m.epoch = 0; return Message{m}; },
         "hello_ack.epoch: 0, must be >= 1"},
        {"hello_ack no session", [] { auto m = samples::helloAck(); m.sessionId = ""; return Message{m}; },
         "hello_ack.session_id: 0 bytes, must be 1..128"},
        {"hello_ack negative head", [] { auto m = samples::helloAck(); m.headCursor = -5; return Message{m}; },
         "hello_ack.head_cursor: -5, must be >= 0"},
        {"push credentials epoch 0",
         [] { auto m = samples::push(); std::get<Credentials>(m.auth).epoch = 0; return Message{m}; },
         "push.credentials.epoch: 0, must be >= 1"},
        {"push credentials device",
         [] { auto m = samples::push(); std::get<Credentials>(m.auth).deviceId = "HH/03"; return Message{m}; },
         "push.credentials.device_id: only A-Z a-z 0-9 . _ - are allowed"},
        {"push long session",
         [] { auto m = samples::sessionPush(); m.auth = Session{std::string(129, 's')}; return Message{m}; },
         "push.session_id: 129 bytes, must be 1..128"},
        {"push empty session", [] { auto m = samples::sessionPush(); m.auth = Session{""}; return Message{m}; },
         "push.session_id: 0 bytes, must be 1..128"},
        {"push no ops", [] { auto m = samples::push(); m.ops.clear(); return Message{m}; },
         "push.ops: 0 items, must be 1..500"},
        {"push op_id uppercase",
         [] { auto m = samples::push(); m.ops[1].opId = "01890A5D-AC97-7000-8000-00000000002A"; return Message{m}; },
         "push.ops[1].op_id: not a UUID in lowercase 8-4-4-4-12 text form (36 characters)"},
        {"push op_id short", [] { auto m = samples::push(); m.ops[0].opId = "01890a5d"; return Message{m}; },
         "push.ops[0].op_id: not a UUID in lowercase 8-4-4-4-12 text form (36 characters)"},
        {"push op_id dash misplaced",
         [] { auto m = samples::push(); m.ops[0].opId = "01890a5dac96-774b-bcce-b302099a8057-"; return Message{m}; },
         "push.ops[0].op_id: not a UUID in lowercase 8-4-4-4-12 text form (36 characters)"},
        {"push op_id twice",
         [] { auto m = samples::push(); m.ops[1].opId = m.ops[0].opId; return Message{m}; },
         "push.ops[1].op_id: 01890a5d-ac96-774b-bcce-b302099a8057 appears twice in one push"},
        {"push device_seq 0", [] { auto m = samples::push(); m.ops[0].deviceSeq = 0; return Message{m}; },
         "push.ops[0].device_seq: 0, must be >= 1"},
        {"push device_seq out of order", [] { auto m = samples::push(); m.ops[1].deviceSeq = 17; return Message{m}; },
         "push.ops[1].device_seq: 17, must be > the previous op's 17 (ops in device_seq order)"},
        {"push op epoch 0", [] { auto m = samples::push(); m.ops[0].epoch = 0; return Message{m}; },
         "push.ops[0].epoch: 0, must be >= 1"},
        {"push unknown kind", [] { auto m = samples::push(); m.ops[0].kind = "claim"; return Message{m}; },
         "push.ops[0].kind: 'claim' is not an op kind of protocol version 1"},
        {"push kind with a control byte", [] { auto m = samples::push(); m.ops[0].kind = "rec\x1b[2Jeive"; return Message{m}; },
         "push.ops[0].kind: (11 bytes, not printable) is not an op kind of protocol version 1"},
        {"error code not printable", [] { auto m = samples::error(); m.code = "bad\xff"; return Message{m}; },
         "error.code: (4 bytes, not printable) is not a code (a-z first, then a-z 0-9 _)"},
        {"push empty payload", [] { auto m = samples::push(); m.ops[0].payload = ""; return Message{m}; },
         "push.ops[0].payload: empty, required"},
        {"push payload too big",
         [&] { auto m = samples::push(); m.ops[1].payload = std::string(kMaxEntryBytes + 1, 'x'); return Message{m}; },
         "push.ops[1].payload: 4063233 bytes, at most 4063232"},
        {"push payload not UTF-8",
         [] { auto m = samples::push(); m.ops[0].payload = "{\"sku\":\"\xc3\x28\"}"; return Message{m}; },
         "push.ops[0].payload: not valid UTF-8"},
        {"push payload with a surrogate",
         [] { auto m = samples::push(); m.ops[0].payload = "\xed\xa0\x80"; return Message{m}; },
         "push.ops[0].payload: not valid UTF-8"},
        {"push payload overlong",
         [] { auto m = samples::push(); m.ops[0].payload = "\xc0\xaf"; return Message{m}; },
         "push.ops[0].payload: not valid UTF-8"},
        {"push created_at negative", [] { auto m = samples::push(); m.ops[0].createdAt = -1; return Message{m}; },
         "push.ops[0].created_at: -1, must be 0..253402300799 (seconds since 1970)"},
        {"push created_at past 9999",
         [] { auto m = samples::push(); m.ops[0].createdAt = kMaxTimestamp + 1; return Message{m}; },
         "push.ops[0].created_at: 253402300800, must be 0..253402300799 (seconds since 1970)"},
        {"push_ack rejected without a code",
         [] { auto m = samples::pushAck(); m.results[3].code = ""; return Message{m}; },
         "push_ack.results[3].code: empty, required"},
        {"push_ack flagged without a code",
         [] { auto m = samples::pushAck(); m.results[1].code = ""; return Message{m}; },
         "push_ack.results[1].code: empty, required"},
        {"push_ack code not a code",
         [] { auto m = samples::pushAck(); m.results[0].code = "Bad Code"; return Message{m}; },
         "push_ack.results[0].code: 'Bad Code' is not a code (a-z first, then a-z 0-9 _)"},
        {"push_ack code starting with a digit",
         [] { auto m = samples::pushAck(); m.results[0].code = "1x"; return Message{m}; },
         "push_ack.results[0].code: '1x' is not a code (a-z first, then a-z 0-9 _)"},
        {"push_ack long code",
         [] { auto m = samples::pushAck(); m.results[1].code = std::string(65, 'c'); return Message{m}; },
         "push_ack.results[1].code: 65 bytes, at most 64"},
        {"push_ack long message",
         [] { auto m = samples::pushAck(); m.results[1].message = std::string(4097, 'm'); return Message{m}; },
         "push_ack.results[1].message: 4097 bytes, at most 4096"},
        {"push_ack bad op_id", [] { auto m = samples::pushAck(); m.results[2].opId = "x"; return Message{m}; },
         "push_ack.results[2].op_id: not a UUID in lowercase 8-4-4-4-12 text form (36 characters)"},
        {"push_ack device_seq 0", [] { auto m = samples::pushAck(); m.results[0].deviceSeq = 0; return Message{m}; },
         "push_ack.results[0].device_seq: 0, must be >= 1"},
        {"push_ack negative global_seq",
         [] { auto m = samples::pushAck(); m.results[0].globalSeq = -1; return Message{m}; },
         "push_ack.results[0].global_seq: -1, must be >= 0"},
        {"push_ack result too big",
         [&] { auto m = samples::pushAck(); m.results[0].result = bigPayload; return Message{m}; },
         "push_ack.results[0].result: 65537 bytes, at most 65536"},
        {"push_ack negative expected_seq", [] { auto m = samples::pushAck(); m.expectedSeq = -1; return Message{m}; },
         "push_ack.expected_seq: -1, must be >= 0"},
        {"push_ack negative head", [] { auto m = samples::pushAck(); m.headCursor = -1; return Message{m}; },
         "push_ack.head_cursor: -1, must be >= 0"},
        {"pull negative cursor", [] { auto m = samples::pull(); m.cursor = -1; return Message{m}; },
         "pull.cursor: -1, must be >= 0"},
        {"pull max 0", [] { auto m = samples::pull(); m.maxEntries = 0; return Message{m}; },
         "pull.max_entries: 0, must be 1..1000"},
        {"pull max 1001", [] { auto m = samples::pull(); m.maxEntries = 1001; return Message{m}; },
         "pull.max_entries: 1001, must be 1..1000"},
        {"pull wait too long", [] { auto m = samples::pull(); m.waitMs = 30001; return Message{m}; },
         "pull.wait_ms: 30001, must be 0..30000"},
        {"pull credentials token", [] { auto m = samples::pull(); std::get<Credentials>(m.auth).token = "a b"; return Message{m}; },
         "pull.credentials.token: only printable ASCII (0x21..0x7e) is allowed"},
        {"changes seq 0", [] { auto m = samples::changes(); m.entries[0].seq = 0; return Message{m}; },
         "changes.entries[0].seq: 0, must be >= 1"},
        {"changes seq not increasing", [] { auto m = samples::changes(); m.entries[1].seq = 1201; return Message{m}; },
         "changes.entries[1].seq: 1201, must be > the previous entry's 1201"},
        {"changes kind empty", [] { auto m = samples::changes(); m.entries[1].kind = ""; return Message{m}; },
         "changes.entries[1].kind: empty, required"},
        {"changes kind uppercase", [] { auto m = samples::changes(); m.entries[0].kind = "Received"; return Message{m}; },
         "changes.entries[0].kind: 'Received' is not a code (a-z first, then a-z 0-9 _)"},
        {"changes payload empty", [] { auto m = samples::changes(); m.entries[0].payload = ""; return Message{m}; },
         "changes.entries[0].payload: empty, required"},
        {"changes payload too big",
         [&] { auto m = samples::changes(); m.entries[0].payload = std::string(kMaxEntryBytes + 1, 'x'); return Message{m}; },
         "changes.entries[0].payload: 4063233 bytes, at most 4063232"},
        {"changes next_cursor behind", [] { auto m = samples::changes(); m.nextCursor = 1204; return Message{m}; },
         "changes.next_cursor: 1204, must be >= the last entry's seq 1205"},
        {"changes next_cursor negative", [] { auto m = samples::emptyChanges(); m.nextCursor = -1; return Message{m}; },
         "changes.next_cursor: -1, must be >= 0"},
        {"changes more with nothing", [] { auto m = samples::emptyChanges(); m.more = true; return Message{m}; },
         "changes.more: set with no entries"},
        {"error empty code", [] { auto m = samples::error(); m.code = ""; return Message{m}; },
         "error.code: empty, required"},
        {"error code with a dash", [] { auto m = samples::error(); m.code = "bad-credentials"; return Message{m}; },
         "error.code: 'bad-credentials' is not a code (a-z first, then a-z 0-9 _)"},
        {"error message not UTF-8", [] { auto m = samples::error(); m.message = "\xff"; return Message{m}; },
         "error.message: not valid UTF-8"},
        {"error message too long", [] { auto m = samples::error(); m.message = std::string(4097, 'm'); return Message{m}; },
         "error.message: 4097 bytes, at most 4096"},
    };
    for (const auto& rule : rules) {
        INFO(rule.what);
        const Message m = rule.make();
        const auto e = refusal(m);
        CHECK(e.code == "bad_field");
        CHECK(e.message == rule.message);
        // The sender's checks are the receiver's: the same refusal before anything is sent.
        const auto v = validate(m);
        REQUIRE_FALSE(v.has_value());
        CHECK(v.error().message == rule.message);
        const auto sent = encodeChecked(m);
        REQUIRE_FALSE(sent.has_value());
        CHECK(sent.error().code == "bad_field");
    }
}

TEST_CASE("limits are inclusive: the largest allowed values pass")
{
    auto p = samples::push();
    p.ops[0].payload = std::string(kMaxPayloadBytes, 'x');
    p.ops[0].createdAt = kMaxTimestamp;
    p.ops[1].createdAt = 0;
    std::get<Credentials>(p.auth).deviceId = std::string(kMaxDeviceIdBytes, 'D');
    std::get<Credentials>(p.auth).token = std::string(kMaxTokenBytes, '~');
    CHECK(roundTrip(p) == Message{p});

    Push full{samples::credentials(), {}};
    for (size_t i = 0; i < kMaxOpsPerPush; ++i) {
        Op op = samples::receiveOp();
        char tail[13];
        std::snprintf(tail, sizeof tail, "%012zx", i);
        op.opId = op.opId.substr(0, 24) + tail;
        op.deviceSeq = static_cast<int64_t>(i) + 1;
        full.ops.push_back(op);
    }
    CHECK(std::get<Push>(roundTrip(full)).ops.size() == kMaxOpsPerPush);

    Changes c{{}, 0, true};
    for (size_t i = 0; i < kMaxEntriesPerChanges; ++i)
        c.entries.push_back(LogEntry{static_cast<int64_t>(i) + 1, "received", "{}"});
    c.nextCursor = static_cast<int64_t>(kMaxEntriesPerChanges);
    CHECK(std::get<Changes>(roundTrip(c)).entries.size() == kMaxEntriesPerChanges);

    PushAck a{{}, 0, 0};
    a.results.assign(kMaxOpsPerPush, samples::pushAck().results[0]);
    CHECK(std::get<PushAck>(roundTrip(a)).results.size() == kMaxOpsPerPush);

    auto h = samples::helloAck();
    h.sessionId = std::string(kMaxSessionIdBytes, '!');
    CHECK(roundTrip(h) == Message{h});

    auto pl = samples::pull();
    pl.maxEntries = kMaxEntriesPerChanges;
    pl.waitMs = kMaxWaitMs;
    CHECK(roundTrip(pl) == Message{pl});

    auto e = samples::error();
    e.code = std::string(kMaxCodeBytes, 'z');
    e.message = "\xe2\x82\xac \xf0\x9f\x93\xa6 " + std::string(kMaxTextBytes - 9, '.'); // euro sign, package emoji
    CHECK(e.message.size() == kMaxTextBytes);
    CHECK(roundTrip(e) == Message{e});
}

TEST_CASE("counts over the limit are refused before the items are copied")
{
    SUBCASE("ops")
    {
        Push p{samples::credentials(), {}};
        p.ops.assign(kMaxOpsPerPush + 1, samples::receiveOp());
        const auto e = refusal(p);
        CHECK(e.code == "bad_field");
        CHECK(e.message == "push.ops: 501 items, must be 1..500");
        CHECK(validate(p).error().message == "push.ops: 501 items, must be 1..500");
    }
    SUBCASE("results")
    {
        PushAck a{{}, 0, 0};
        a.results.assign(kMaxOpsPerPush + 1, samples::pushAck().results[0]);
        CHECK(refusal(a).message == "push_ack.results: 501 items, must be 0..500");
    }
    SUBCASE("entries")
    {
        Changes c{{}, 5000, false};
        c.entries.assign(kMaxEntriesPerChanges + 1, samples::changes().entries[0]);
        const auto e = refusal(c);
        CHECK(e.code == "bad_field");
        CHECK(e.message == "changes.entries: 1001 items, must be 0..1000");
    }
}

TEST_CASE("oversized messages: too_large on both ends")
{
    // The receiver refuses without parsing: these bytes are not even an envelope.
    const std::string huge(kMaxMessageBytes + 1, '\0');
    auto r = decode(huge);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == "too_large");
    CHECK(r.error().message == "message of 4194305 bytes, at most 4194304");

    // A sender whose every field is within its limit can still exceed the whole-message limit.
    Push p{samples::credentials(), {}};
    for (size_t i = 0; i < 70; ++i) {
        Op op = samples::receiveOp();
        char tail[13];
        std::snprintf(tail, sizeof tail, "%012zx", i);
        op.opId = op.opId.substr(0, 24) + tail;
        op.deviceSeq = static_cast<int64_t>(i) + 1;
        op.payload = std::string(kMaxPayloadBytes, 'p');
        p.ops.push_back(op);
    }
    REQUIRE(validate(p).has_value());
    const auto sent = encodeChecked(p);
    REQUIRE_FALSE(sent.has_value());
    CHECK(sent.error().code == "too_large");
    CHECK(sent.error().message.rfind("push: ", 0) == 0);
    const std::string bytes = encode(p);
    CHECK(bytes.size() > kMaxMessageBytes);
    CHECK(decode(bytes).error().code == "too_large");
    p.ops.resize(60); // 60 x 64 KiB fits
    CHECK(encodeChecked(p).has_value());
}

TEST_CASE("garbage bytes are refused as bad_message")
{
    for (const std::string& bad : {std::string("\xff\xff\xff\xff"), std::string("\x08"), std::string("\x12\x05" "ab"),
                                  std::string("\x0f"), std::string("\x08\x01\x12\xff\xff\xff\xff\x0f"),
                                  std::string("\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x01")}) {
        INFO("bytes of size " << bad.size());
        auto r = decode(bad);
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().code == "bad_message");
    }
    CHECK(decode("\x0f").error().message == "message of 1 bytes is not a sync protocol envelope (garbage or truncated)");

    // Random bytes: refused with one of the codes (or, rarely, a valid message: then it is one
    // that re-encodes and decodes to itself). Never anything else.
    std::mt19937 rng(11);
    int refused = 0;
    for (int i = 0; i < 2000; ++i) {
        std::string bytes(1 + rng() % 200, '\0');
        for (char& c : bytes) c = static_cast<char>(rng());
        auto r = decode(bytes);
        if (r) {
            CHECK(decode(encode(*r)).value() == *r);
            continue;
        }
        ++refused;
        const auto& code = r.error().code;
        CHECK((code == "bad_message" || code == "unsupported_version" || code == "unknown_message" ||
               code == "bad_field"));
    }
    CHECK(refused > 1900);
}

TEST_CASE("every truncation of a message is refused")
{
    for (const auto& [name, m] : samples::all()) {
        INFO(name);
        const std::string bytes = encode(m);
        // Envelope fields go out in number order: version (2 bytes), then the body.
        REQUIRE(bytes.substr(0, 2) == std::string("\x08\x01"));
        for (size_t n = 0; n < bytes.size(); ++n) {
            INFO("first " << n << " of " << bytes.size() << " bytes");
            auto r = decode(std::string_view(bytes).substr(0, n));
            REQUIRE_FALSE(r.has_value());
            const char* expected = n == 0 ? "unsupported_version" : n == 2 ? "unknown_message" : "bad_message";
            CHECK(r.error().code == expected);
        }
    }
}

TEST_CASE("missing auth, unknown status, versions and bodies")
{
    SUBCASE("a push or pull without credentials or session is refused")
    {
        fw::Envelope e;
        e.set_version(1);
        auto* op = e.mutable_push()->add_ops();
        op->set_op_id(samples::receiveOp().opId);
        auto r = decode(str(e));
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().code == "bad_field");
        CHECK(r.error().message == "push.auth: neither credentials nor session_id, one is required");
        CHECK(decode(std::string("\x08\x01\x32\x02\x18\x05", 6)).error().message ==
              "pull.auth: neither credentials nor session_id, one is required");
    }
    SUBCASE("a status this version does not know is refused")
    {
        fw::Envelope e;
        e.set_version(1);
        auto* r = e.mutable_push_ack()->add_results();
        r->set_op_id(samples::receiveOp().opId);
        r->set_device_seq(1);
        r->set_status(fw::OpResult::DEFERRED);
        auto d = decode(str(e));
        REQUIRE_FALSE(d.has_value());
        CHECK(d.error().code == "bad_field");
        CHECK(d.error().message ==
              "push_ack.results[0].status: 5, must be applied (1), duplicate (2), flagged (3) or rejected (4)");
        r->set_status(fw::OpResult::STATUS_UNSPECIFIED);
        CHECK(decode(str(e)).error().message ==
              "push_ack.results[0].status: 0, must be applied (1), duplicate (2), flagged (3) or rejected (4)");
    }
    SUBCASE("versions outside 1..1 are refused, except for an error")
    {
        fw::Envelope e;
        e.set_version(2);
        auto* h = e.mutable_hello();
        h->set_protocol_version(2);
        h->set_device_id("HH-03");
        h->set_epoch(2);
        h->set_token("tok");
        auto r = decode(str(e));
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().code == "unsupported_version");
        CHECK(r.error().message == "the peer speaks protocol version 2, this end 1..1: upgrade the older of the two");
        e.set_version(0);
        CHECK(decode(str(e)).error().code == "unsupported_version");
        e.set_version(1);
        CHECK(std::get<Hello>(decode(str(e)).value()).protocolVersion == 2); // a newer client's Hello is readable

        fw::Envelope err;
        err.set_version(7);
        err.mutable_error()->set_code("unsupported_version");
        err.mutable_error()->set_message("this server speaks 5..7");
        err.mutable_error()->set_min_version(5);
        auto ok = decode(str(err));
        REQUIRE(ok.has_value());
        CHECK(std::get<Error>(*ok) == Error{"unsupported_version", "this server speaks 5..7"});
        err.set_version(0);
        CHECK(decode(str(err)).error().code == "unsupported_version");
    }
    SUBCASE("a body this version does not know is unknown_message")
    {
        fw::Envelope e;
        e.set_version(1);
        e.mutable_ping()->set_at(1780000000);
        auto r = decode(str(e));
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().code == "unknown_message");
        CHECK(r.error().message ==
              "the envelope (version 1) holds no message this end knows: upgrade it to the peer's version");
    }
}

TEST_CASE("fields a later version adds are ignored")
{
    fw::Envelope e;
    e.set_version(1);
    e.set_trace_id("trace-77");
    auto* p = e.mutable_push();
    auto* c = p->mutable_credentials();
    c->set_device_id("HH-03");
    c->set_epoch(2);
    c->set_token("tok_4f1c9a7e2b");
    c->set_hardware_serial("SN-0001");
    p->set_batch_id(0xfeedfacecafebeefULL);
    const Op want = samples::receiveOp();
    auto* op = p->add_ops();
    op->set_op_id(want.opId);
    op->set_device_seq(want.deviceSeq);
    op->set_epoch(want.epoch);
    op->set_kind(want.kind);
    op->set_payload(want.payload);
    op->set_created_at(want.createdAt);
    op->set_site("DC-2");
    op->mutable_nested()->set_locale("de_DE");
    op->mutable_nested()->add_caps(3);

    auto r = decode(str(e));
    REQUIRE_MESSAGE(r.has_value(), r.error().code << ": " << r.error().message);
    CHECK(std::get<Push>(*r) == Push{samples::credentials(), {want}});

    fw::Envelope h;
    h.set_version(1);
    auto* hello = h.mutable_hello();
    hello->set_protocol_version(1);
    hello->set_device_id("HH-03");
    hello->set_epoch(2);
    hello->set_token("tok_4f1c9a7e2b");
    hello->set_locale("fr_FR");
    hello->add_caps(1);
    hello->add_caps(2);
    auto hr = decode(str(h));
    REQUIRE(hr.has_value());
    CHECK(std::get<Hello>(*hr) == samples::hello());

    // And the other way: what this version writes, the later one reads.
    fw::Envelope later;
    REQUIRE(later.ParseFromString(encode(samples::push())));
    CHECK(later.version() == 1);
    CHECK(later.push().ops(1).kind() == "count");
    CHECK(later.push().ops(1).site().empty());
}

TEST_CASE("every op kind the terminal's outbox writes is an op kind of the protocol")
{
    // A new op kind in terminal/store without a protocol change (kOpKinds, kProtocolVersion)
    // would be refused by every server: this test fails first. It reads the store's sources
    // for appendOutbox(...)/appendOutboxOp(...) calls naming their kind as a literal.
    const char* source = std::getenv("BACKFILL_SOURCE");
    REQUIRE(source != nullptr);
    std::set<std::string> written;
    for (const auto& f : std::filesystem::directory_iterator(std::filesystem::path(source) / "terminal" / "store")) {
        if (f.path().extension() != ".cpp") continue;
        std::ifstream in(f.path());
        const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        // The first string literal of each call's argument list (before its ';') is the kind.
        for (size_t at = text.find("appendOutbox"); at != std::string::npos; at = text.find("appendOutbox", at + 1)) {
            const size_t open = text.find('(', at), end = text.find(';', at);
            const size_t quote = text.find('"', open);
            if (open == std::string::npos || quote == std::string::npos || quote > end) continue;
            const size_t close = text.find('"', quote + 1);
            const std::string literal = text.substr(quote + 1, close - quote - 1);
            if (!literal.empty() && literal.find_first_not_of("abcdefghijklmnopqrstuvwxyz_") == std::string::npos)
                written.insert(literal);
        }
    }
    CHECK(written.size() >= 6); // receive, move, pick, user_add, user_remove, ...: the scan still finds them
    for (const auto& kind : written) {
        INFO("outbox kind " << kind);
        CHECK(isOpKind(kind));
    }
}

TEST_CASE("repeated fields are counted on the raw bytes before anything is parsed")
{
    // Two million empty ops in 4 MiB would cost protobuf two million objects to parse.
    std::string body;
    while (body.size() < kMaxMessageBytes - 16) body += std::string("\x1a\x00", 2);
    fw::Envelope e;
    e.set_version(1);
    std::string bytes = str(e);
    bytes += '\x22'; // field 4 (push), length-delimited
    for (size_t n = body.size(); ; n >>= 7) {
        bytes += static_cast<char>(n >= 0x80 ? (n & 0x7f) | 0x80 : n);
        if (n < 0x80) break;
    }
    bytes += body;
    REQUIRE(bytes.size() <= kMaxMessageBytes);
    const auto r = decode(bytes);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == "bad_field");
    CHECK(r.error().message == "push.ops: " + std::to_string(body.size() / 2) + " items, must be 1..500");

    // protobuf merges a body that appears twice: 300 + 300 ops are 600 and refused, though
    // each part alone is within the limit.
    Push part{samples::credentials(), {}};
    part.ops.assign(300, samples::receiveOp());
    const std::string one = encode(part);
    const std::string twice = one + one.substr(2); // the second copy without its version field
    CHECK(decode(twice).error().message == "push.ops: 600 items, must be 1..500");

    Changes c{{}, 0, false};
    c.entries.assign(kMaxEntriesPerChanges + 1, samples::changes().entries[0]);
    std::string changes = encode(c);
    CHECK(decode(changes).error().message == "changes.entries: 1001 items, must be 0..1000");
    // Cut anywhere inside, the count is not what refuses it: the parser is (bad_message).
    CHECK(decode(std::string_view(changes).substr(0, changes.size() / 2)).error().code == "bad_message");
}

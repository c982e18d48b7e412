#pragma once
// One valid example of every message shape (each body, both kinds of Auth, every OpStatus),
// shared by the protocol tests and the fuzz target's seed corpus (tests/fuzz/protocol_seeds.cpp).

#include "protocol/Messages.h"

#include <string>
#include <utility>
#include <vector>

namespace backfill::protocol::samples {

inline Credentials credentials() { return Credentials{"HH-03", 2, "tok_4f1c9a7e2b"}; }

inline Op receiveOp()
{
    return Op{"01890a5d-ac96-774b-bcce-b302099a8057", 17, 2, "receive",
              R"({"gtin":"09506000134352","qty":12,"location":"RCV-1","lot":"L1","sscc":"106141411234567897"})",
              1780000000};
}

inline Op countOp()
{
    return Op{"01890a5d-ac97-7000-8000-00000000002a", 18, 2, "count",
              R"({"count_id":4,"sku":"SKU-1","location":"A-01-1","counted":7,"basis":120})", 1780000060};
}

inline Hello hello() { return Hello{kProtocolVersion, "HH-03", 2, "tok_4f1c9a7e2b"}; }
inline Hello enrolHello() { return Hello{kProtocolVersion, "HH-03", 0, "enrol-7Q2M-XK4P"}; }
inline HelloAck helloAck() { return HelloAck{kProtocolVersion, "s-9d1e4b", 2, 1234}; }
inline Push push() { return Push{credentials(), {receiveOp(), countOp()}}; }
inline Push sessionPush() { return Push{Session{"s-9d1e4b"}, {receiveOp()}}; }

inline PushAck pushAck()
{
    return PushAck{{OpResult{"01890a5d-ac96-774b-bcce-b302099a8057", 17, OpStatus::Applied, "", "", 1301,
                             R"({"allocated":[{"order_id":"SO-1042","line":1,"qty":5}]})"},
                    OpResult{"01890a5d-ac97-7000-8000-00000000002a", 18, OpStatus::Flagged, "stale_basis",
                             "count of A-01-1 based on cursor 120, 14 movements since: recount", 1302, "{}"},
                    OpResult{"01890a5d-ac97-7000-8000-00000000002b", 19, OpStatus::Duplicate, "", "", 1290, "{}"},
                    OpResult{"01890a5d-ac97-7000-8000-00000000002c", 21, OpStatus::Rejected, "expected_seq",
                             "expected device_seq 20", 0, ""}},
                   20, 1302};
}

inline Pull pull() { return Pull{credentials(), 1200, 500, 0}; }
inline Pull sessionPull() { return Pull{Session{"s-9d1e4b"}, 0, 1, kMaxWaitMs}; }

inline Changes changes()
{
    return Changes{{LogEntry{1201, "received", R"({"sku":"SKU-1","qty":12,"device":"HH-01"})"},
                    LogEntry{1205, "alloc_changed", R"({"order_id":"SO-1042","line":1,"old_qty":5,"new_qty":0})"}},
                   1205, true};
}

inline Changes emptyChanges() { return Changes{{}, 1302, false}; }
inline Error error() { return Error{"bad_credentials", "device HH-03 epoch 1 is revoked: enrol it again"}; }

// all returns every sample with a name for test output and seed file names.
inline std::vector<std::pair<std::string, Message>> all()
{
    return {{"hello", hello()},       {"enrol_hello", enrolHello()},   {"hello_ack", helloAck()},
            {"push", push()},         {"session_push", sessionPush()}, {"push_ack", pushAck()},
            {"pull", pull()},         {"session_pull", sessionPull()}, {"changes", changes()},
            {"empty_changes", emptyChanges()}, {"error", error()}};
}

} // namespace backfill::protocol::samples

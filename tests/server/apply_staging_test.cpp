// Staging lanes at the server (docs/server.md, Staging lanes): a terminal's receipt names the
// units its receiver carried on to orders' lanes; the server puts them there, logs it, reads
// it back the way terminals fold the log (protocol/LogStock.h), names the lane in a cut
// claim's correction, and an undo takes the units back from the same places.

#include "ApplyHarness.h"

#include "protocol/LogStock.h"

using namespace applytest;

namespace {

// Staged is the Server with two staging lanes besides DOCK, A-1 and Q.
struct Staged : Server {
    Staged()
    {
        REQUIRE(importLocations(*store, ledger::parseLocationsCsv("code,kind,sequence\nOUT-1,staging,4\nOUT-2,staging,5\n"))->imported == 2);
    }
};

std::string claim(const std::string& order, Qty qty, const std::string& stage = "", Qty staged = 0)
{
    std::string c = R"({"order_id":")" + order + R"(","line":1,"qty":)" + std::to_string(qty);
    if (!stage.empty()) c += R"(,"stage":")" + stage + R"(","staged":)" + std::to_string(staged);
    return c + "}";
}

std::string deltas(const std::string& kind, const std::string& payload)
{
    std::string out;
    for (const auto& d : protocol::stockDeltasOf(kind, payload))
        out += d.sku + "@" + d.location + (d.lot.empty() ? "" : "/" + d.lot) + " " + std::to_string(d.qty) +
               (d.held ? " held " + std::to_string(d.held) : "") + ";";
    return out;
}

} // namespace

TEST_CASE("staged receipt: the carried units are at the order's lane at the server, the entry says so, the log folds to it")
{
    Staged s;
    auto hh = s.enrol("HH-01");
    auto ack = s.push(hh, {op(1, 1, "receive", receipt("DOCK", 6, claim("SO-1", 5, "OUT-1", 5)))});
    REQUIRE(ack.results.size() == 1);
    CHECK(ack.results[0].status == OpStatus::Applied);
    CHECK(s.onHand("SKU-A", "DOCK") == 1);
    CHECK(s.onHand("SKU-A", "OUT-1") == 5);
    CHECK(s.line("SO-1").allocated == 5);
    CHECK(s.line("SO-2").allocated == 1); // the sixth unit by the rule, where it lies (DOCK)
    const std::string entry = s.lastEntry();
    CHECK(entry ==
          R"({"op_id":"00000000-0000-4000-8000-000000000001","device":"HH-01","device_seq":1,"location":"DOCK","lines":[{"sku":"SKU-A","qty":6,"lot":"","sscc":"","over_receipt":6,"staged":[{"stage":"OUT-1","qty":5}]}],"lanes":[{"order_id":"SO-1","stage":"OUT-1"}],"allocations":[{"order_id":"SO-1","line":1,"qty":5,"claimed":true},{"order_id":"SO-2","line":1,"qty":1,"claimed":false}],"releases":[]})");
    // What a terminal folds and what the server's movements record (P6) read the same.
    CHECK(deltas("receive", entry) == "SKU-A@DOCK 1;SKU-A@OUT-1 5;");
    const auto moved = s.store->movementsUnknownTo("SKU-A", "OUT-1", "", CountBasis{0, "HH-02", 1, 0});
    REQUIRE(moved);
    CHECK(moved->net == 5);
    CHECK(moved->byOthers == 1);

    // A receipt with no claims stages nothing: its line has no `staged`, its units stay.
    auto none = s.push(hh, {op(2, 2, "receive",
                               R"({"scan":"x","location":"DOCK","lines":[{"sku":"SKU-B","qty":3,"lot":"L1","sscc":"","claims":[]}]})")});
    CHECK(none.results[0].status == OpStatus::Applied);
    CHECK(s.lastEntry().find("staged") == std::string::npos);
    CHECK(deltas("receive", s.lastEntry()) == "SKU-B@DOCK/L1 3;");
}

TEST_CASE("staged receipt: two claims carried to one lane are one `staged` part; a receipt staging all its units leaves none at the dock")
{
    Staged s;
    auto hh = s.enrol("HH-01");
    // SO-1 and SO-2 share OUT-1 here (the terminal chose it for both).
    auto ack = s.push(hh, {op(1, 1, "receive", receipt("DOCK", 9, claim("SO-1", 5, "OUT-1", 5) + "," + claim("SO-2", 4, "OUT-1", 4)))});
    REQUIRE(ack.results[0].status == OpStatus::Applied);
    const std::string entry = s.lastEntry();
    CHECK(entry.find(R"("staged":[{"stage":"OUT-1","qty":9}])") != std::string::npos);
    CHECK(deltas("receive", entry) == "SKU-A@OUT-1 9;");
    CHECK(s.onHand("SKU-A", "OUT-1") == 9);
    CHECK(s.onHand("SKU-A", "DOCK") == 0);
    CHECK(s.line("SO-1").allocated == 5);
    CHECK(s.line("SO-2").allocated == 4);
}

TEST_CASE("staged receipt: a cut claim's correction says to take the lane's extra units back; units allocated where they lay move nothing")
{
    Staged s;
    auto hh1 = s.enrol("HH-01");
    auto hh2 = s.enrol("HH-02");
    s.push(hh2, {op(1, 1, "receive", receipt("DOCK", 5, claim("SO-1", 5, "OUT-1", 5)))});
    CHECK(s.line("SO-1").allocated == 5);
    // HH-01, offline, filled SO-1 too and carried its 5 units to OUT-2.
    auto ack = s.push(hh1, {op(2, 1, "receive", receipt("DOCK", 5, claim("SO-1", 5, "OUT-2", 5)))});
    REQUIRE(ack.results[0].status == OpStatus::Applied);
    CHECK(ack.results[0].result ==
          R"({"allocations":[{"order_id":"SO-2","line":1,"qty":4,"claimed":false}],"releases":[],"corrections":[{"order_id":"SO-1","line":1,"sku":"SKU-A","old_qty":5,"new_qty":0,"filled_by":"HH-02","stage":"OUT-2","take_back":5,"message":"SO-1 line 1 was filled by HH-02: 5 units of SKU-A were allocated here, the server allocated 0 (the line needed no more units): take 5 units from OUT-2 back to stock"}]})");
    CHECK(s.onHand("SKU-A", "OUT-2") == 5); // on the lane until someone takes them back
    CHECK(s.onHand("SKU-A", "OUT-1") == 5);

    // A claim of 4 that staged 2 (its other 2 units were free stock on a shelf), granted 2:
    // the lane's 2 units stay with the order, nothing is carried back.
    Staged t;
    auto hh = t.enrol("HH-01");
    t.push(hh, {op(1, 1, "receive", receipt("A-1", 2, ""))}); // SO-1 gets them by the rule
    CHECK(t.line("SO-1").allocated == 2);
    auto part = t.push(hh, {op(2, 2, "receive", receipt("DOCK", 2, claim("SO-2", 4, "OUT-1", 2)))});
    CHECK(part.results[0].result ==
          R"({"allocations":[{"order_id":"SO-2","line":1,"qty":2,"claimed":true}],"releases":[],"corrections":[{"order_id":"SO-2","line":1,"sku":"SKU-A","old_qty":4,"new_qty":2,"message":"SO-2 line 1: 4 units of SKU-A were allocated here, the server allocated 2 (the server had only 2 free units): take 2 units back to stock"}]})");
    CHECK(t.onHand("SKU-A", "OUT-1") == 2);
    CHECK(t.onHand("SKU-A", "DOCK") == 0);
}

TEST_CASE("staged receipt: a lane beyond the claim, beyond the line, the location itself or unknown is refused and changes nothing")
{
    Staged s;
    auto hh = s.enrol("HH-01");
    const std::string twoClaims = R"({"scan":"x","location":"DOCK","lines":[{"sku":"SKU-A","qty":6,"lot":"","sscc":"","claims":[)" +
                                  claim("SO-1", 4, "OUT-1", 4) + "," + claim("SO-2", 4, "OUT-2", 4) + "]}]}";
    auto ack = s.push(hh, {op(1, 1, "receive", receipt("DOCK", 6, claim("SO-1", 5, "OUT-1", 6))),
                           op(2, 2, "receive", receipt("DOCK", 6, R"({"order_id":"SO-1","line":1,"qty":5,"staged":2})")),
                           op(3, 3, "receive", receipt("DOCK", 6, claim("SO-1", 5, "DOCK", 5))),
                           op(4, 4, "receive", twoClaims),
                           op(5, 5, "receive", receipt("DOCK", 6, claim("SO-1", 5, "OUT-9", 5))),
                           op(6, 6, "receive", receipt("DOCK", 6, R"({"order_id":"SO-1","line":1,"qty":5,"stage":"OUT-1","staged":-1})"))});
    REQUIRE(ack.results.size() == 6);
    const std::vector<std::pair<std::string, std::string>> expected{
        {"bad_payload", "receive: lines[0].claims[0].staged: 6, more than the claim's 5 units"},
        {"bad_payload", "receive: lines[0].claims[0].stage: missing, 2 units were staged"},
        {"bad_payload", "receive: lines[0].claims[0].stage: 'DOCK' is the receiving location itself"},
        {"bad_payload", "receive: lines[0]: 8 units staged, more than the line's 6"},
        {"unknown_location", "receive: staging lane 'OUT-9' is not in the server's locations"},
        {"bad_payload", "receive: lines[0].claims[0].staged: -1, must be at least 0"},
    };
    for (size_t i = 0; i < expected.size(); ++i) {
        CAPTURE(i);
        CHECK(ack.results[i].status == OpStatus::Rejected);
        CHECK(ack.results[i].code == expected[i].first);
        CHECK(ack.results[i].message == expected[i].second);
    }
    CHECK(s.store->stock("SKU-A")->empty());
    CHECK(s.line("SO-1").allocated == 0);
}

TEST_CASE("undo of a staged receipt: units come back from the dock and the lane; a pick at the lane since blocks it")
{
    Staged s;
    auto hh = s.enrol("HH-01");
    auto other = s.enrol("HH-02");
    s.push(hh, {op(1, 1, "receive", receipt("DOCK", 6, claim("SO-1", 5, "OUT-1", 5)))});
    auto ack = s.push(hh, {op(2, 2, "undo", undo(1))});
    REQUIRE(ack.results[0].status == OpStatus::Applied);
    const std::string entry = s.lastEntry();
    CHECK(entry ==
          R"({"op_id":"00000000-0000-4000-8000-000000000002","device":"HH-01","device_seq":2,"undoes":"00000000-0000-4000-8000-000000000001","location":"DOCK","lines":[{"sku":"SKU-A","qty":6,"lot":"","sscc":"","inbound":0,"staged":[{"stage":"OUT-1","qty":5}]}],"deallocated":[{"order_id":"SO-1","line":1,"qty":5},{"order_id":"SO-2","line":1,"qty":1}],"allocations":[],"releases":[]})");
    CHECK(deltas("undo", entry) == "SKU-A@DOCK -1;SKU-A@OUT-1 -5;");
    CHECK(s.store->stock("SKU-A")->empty());

    // Picked at the lane by another terminal since: the undo is blocked and changes nothing.
    s.push(hh, {op(3, 3, "receive", receipt("DOCK", 6, claim("SO-1", 5, "OUT-1", 5)))});
    auto picked = s.push(other, {op(4, 1, "pick", R"({"order_id":"SO-1","line":1,"qty":2,"location":"OUT-1","lots":[{"lot":"","qty":2}]})")});
    REQUIRE(picked.results[0].status == OpStatus::Applied);
    const int64_t before = s.head();
    auto blocked = s.push(hh, {op(5, 4, "undo", undo(3))});
    CHECK(blocked.results[0].code == "undo_blocked");
    CHECK(blocked.results[0].message == "undo: cannot undo the receipt of 6 SKU-A at DOCK (op 00000000-0000-4000-8000-000000000003): SKU-A was picked at OUT-1 since at the server (log seq " +
                                            std::to_string(picked.results[0].globalSeq) + ", device HH-02); correct it with a count");
    CHECK(s.head() == before);
    CHECK(s.onHand("SKU-A", "OUT-1") == 3);
    CHECK(s.onHand("SKU-A", "DOCK") == 1);
}

TEST_CASE("stockDeltasOf reads every stock-changing entry kind, and nothing from other kinds or a payload that is not an object")
{
    CHECK(deltas("move", R"({"sku":"S","from":"A","to":"B","lots":[{"lot":"L","qty":2},{"lot":"","qty":1}]})") == "S@A/L -2;S@B/L 2;S@A -1;S@B 1;");
    CHECK(deltas("pick", R"({"sku":"S","location":"A","lots":[{"lot":"","qty":3}]})") == "S@A -3;");
    CHECK(deltas("short", R"({"sku":"S","location":"A","held":[{"lot":"L","qty":2}]})") == "S@A/L 0 held 2;");
    CHECK(deltas("count", R"({"sku":"S","location":"A","lot":"","adjusted":-2,"holds_cleared":1})") == "S@A -2 held -1;");
    CHECK(deltas("count_approve", R"({"sku":"S","location":"A","lot":"","adjusted":0,"holds_cleared":0})").empty());
    CHECK(deltas("count", R"({"sku":"S","location":"A","lot":"","variance":3})").empty()); // awaiting approval: no change yet
    CHECK(deltas("allocation", R"({"lines":[{"sku":"S","qty":9}],"location":"A"})").empty());
    CHECK(deltas("receive", "[1,2]").empty());
    CHECK(deltas("receive", "not json").empty());
    // An entry written before staging lanes (no `staged`) keeps its meaning.
    CHECK(deltas("receive", R"({"location":"D","lines":[{"sku":"S","qty":4,"lot":""}]})") == "S@D 4;");
}

TEST_CASE("one lane per order: the first staged receipt gives the order its lane; units another terminal carried elsewhere get a correction to it")
{
    Staged s;
    auto hh1 = s.enrol("HH-01");
    auto hh2 = s.enrol("HH-02");
    CHECK(*s.store->orderStage("SO-2") == std::nullopt);
    // HH-01 carries 2 units for SO-2 to OUT-1: the order's lane from now on, and the entry says so.
    auto ack = s.push(hh1, {op(1, 1, "receive", receipt("DOCK", 2, claim("SO-2", 2, "OUT-1", 2)))});
    REQUIRE(ack.results[0].status == OpStatus::Applied);
    CHECK(*s.store->orderStage("SO-2") == std::optional<std::string>("OUT-1"));
    CHECK(s.lastEntry() ==
          R"({"op_id":"00000000-0000-4000-8000-000000000001","device":"HH-01","device_seq":1,"location":"DOCK","lines":[{"sku":"SKU-A","qty":2,"lot":"","sscc":"","over_receipt":2,"staged":[{"stage":"OUT-1","qty":2}]}],"lanes":[{"order_id":"SO-2","stage":"OUT-1"}],"allocations":[{"order_id":"SO-2","line":1,"qty":2,"claimed":true}],"releases":[]})");

    // HH-02, offline, had chosen OUT-2 for SO-2: its units are at OUT-2 (a fact), the order
    // keeps OUT-1, and the receiver is told to take them there.
    ack = s.push(hh2, {op(2, 1, "receive", receipt("DOCK", 2, claim("SO-2", 2, "OUT-2", 2)))});
    REQUIRE(ack.results[0].status == OpStatus::Applied);
    CHECK(ack.results[0].result ==
          R"({"allocations":[{"order_id":"SO-2","line":1,"qty":2,"claimed":true}],"releases":[],"corrections":[{"order_id":"SO-2","line":1,"sku":"SKU-A","old_qty":2,"new_qty":2,"stage":"OUT-2","move_to":"OUT-1","message":"SO-2 is staged at OUT-1: take the 2 units of SKU-A carried to OUT-2 there"}]})");
    CHECK(s.lastEntry().find("lanes") == std::string::npos);
    CHECK(*s.store->orderStage("SO-2") == std::optional<std::string>("OUT-1"));
    CHECK(s.onHand("SKU-A", "OUT-2") == 2);
    CHECK(s.onHand("SKU-A", "OUT-1") == 2);
    CHECK(s.line("SO-2").allocated == 4);

    // A claim cut to 0 keeps nothing on the order: only its own correction (back to stock).
    ack = s.push(hh2, {op(3, 2, "receive", receipt("DOCK", 1, claim("SO-2", 1, "OUT-2", 1)))});
    REQUIRE(ack.results[0].status == OpStatus::Applied);
    // The unit stays on the floor at OUT-2, free: the rule gives it to SO-1 where it lies.
    CHECK(ack.results[0].result ==
          R"({"allocations":[{"order_id":"SO-1","line":1,"qty":1,"claimed":false}],"releases":[],"corrections":[{"order_id":"SO-2","line":1,"sku":"SKU-A","old_qty":1,"new_qty":0,"stage":"OUT-2","take_back":1,"message":"SO-2 line 1: 1 units of SKU-A were allocated here, the server allocated 0 (the line needed no more units): take 1 units from OUT-2 back to stock"}]})");
}

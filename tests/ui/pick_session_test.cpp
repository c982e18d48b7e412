// Pick screen (issue 12 item 5) headless: the screen's list, card and intents, and the real
// UiSession on a real database: scan location, scan product, keypad quantity; FEFO lot shown
// and a wrong lot refused with the reason; a short pick with a reason from the list.

#include "ui/SessionHarness.h"

#include "ui/PickScreen.h"

using namespace backfill;
using backfill::uitest::SessionHarness;
using backfill::uitest::UiHarness;

TEST_CASE("pick screen: grouped list, card, prompt and intents")
{
    UiHarness h;
    ui::PickView view;
    view.tasks = {{"SO-1", "Acme", std::string("OUT1"), 1, "MUG", "A2", std::string("L7"), std::string("2027-03-01"), 7},
                  {"SO-1", "Acme", std::string("OUT1"), 2, "TEA", "A1", std::nullopt, std::nullopt, 1},
                  {"SO-2", "Bolt", std::nullopt, 1, "TEA", "A1", std::nullopt, std::nullopt, 2}};
    view.current = 0;
    ui::PickInput input;
    auto draw = [&] { return ui::drawPickScreen(view, input, h.ctx()); };
    CHECK(ui::pickTaskText(view.tasks[0]) == "A2  7 x MUG  LOT L7");
    CHECK(ui::pickOrderText(view.tasks[0]) == "SO-1  Acme  stage OUT1");
    CHECK(ui::pickLotText(view.tasks[0]) == "LOT L7  expires 2027-03-01 (first to take)");
    CHECK(ui::pickPrompt(view) == "Scan location A2");
    view.step = ui::PickStep::Product;
    CHECK(ui::pickPrompt(view) == "Scan product MUG");

    auto sel = h.tap<ui::PickIntent>("A1  2 x TEA", draw);
    CHECK(sel.back().kind == ui::PickIntent::Kind::Select);
    CHECK(sel.back().index == 2);
    CHECK(h.tap<ui::PickIntent>("Skip", draw).back().kind == ui::PickIntent::Kind::Skip);
    CHECK(h.tap<ui::PickIntent>("Short", draw).back().kind == ui::PickIntent::Kind::Short);

    view.step = ui::PickStep::Quantity;
    input.digits = "7";
    CHECK(ui::pickPrompt(view) == "Units taken (7 to take)");
    h.tap<ui::PickIntent>("<", draw);
    h.tap<ui::PickIntent>("5", draw);
    auto ok = h.tap<ui::PickIntent>("OK", draw);
    CHECK(ok.back().kind == ui::PickIntent::Kind::Confirm);
    CHECK(ok.back().qty == 5);

    view.step = ui::PickStep::Short;
    view.reasons = {{"DAMAGED", "Damaged"}, {"NOT_FOUND", "Not there"}};
    input = {};
    CHECK(h.tap<ui::PickIntent>("Record short", draw).back().kind == ui::PickIntent::Kind::None); // no reason yet
    h.tap<ui::PickIntent>("NOT_FOUND  Not there", draw);
    CHECK(input.reason == "NOT_FOUND");
    h.tap<ui::PickIntent>("3", draw);
    auto shorted = h.tap<ui::PickIntent>("Record short", draw);
    CHECK(shorted.back().kind == ui::PickIntent::Kind::ShortConfirm);
    CHECK(shorted.back().qty == 3);
    CHECK(shorted.back().reason == "NOT_FOUND");
    h.frame([&] { draw(); });
    CHECK(h.has("> NOT_FOUND  Not there"));

    view.current.reset();
    view.step = ui::PickStep::Location;
    CHECK(ui::pickPrompt(view) == "Nothing to pick");
}

namespace {

// Two lots of MUG in storage: L9 (expires 2027-06-01) in A1, L7 (2027-03-01) in A2; 3 TEA in
// A1. Then SO-1 wants 7 MUG and 1 TEA, SO-2 2 TEA: allocated from that stock at once.
void seed(SessionHarness& s)
{
    s.receive("09501101010079", 5, "L9", "2027-06-01");
    s.receive("09501101010079", 10, "L7", "2027-03-01");
    s.receive("09501101010147", 3);
    s.move("MUG", 5, "DOCK", "A1", "L9");
    s.move("MUG", 10, "DOCK", "A2", "L7");
    s.move("TEA", 3, "DOCK", "A1");
    s.orders("SO-1,1,Acme,a@example.com,MUG,7,1,2026-11-01,\n"
             "SO-1,2,Acme,a@example.com,TEA,1,1,2026-11-01,\n"
             "SO-2,1,Bolt,b@example.com,TEA,2,0,2026-11-02,\n");
}

} // namespace

TEST_CASE("pick session: location, product, keypad; the FEFO lot; a wrong lot refused")
{
    SessionHarness s("pick", ui::ScreenId::Pick);
    seed(s);
    s.start();
    REQUIRE(s.session().screen() == ui::ScreenId::Pick);
    const auto& v = s.session().pickView();
    REQUIRE(v.tasks.size() == 3);
    REQUIRE(v.current == size_t(0));
    const auto first = v.tasks[0];
    CHECK(first.orderId == "SO-1");
    CHECK(first.customer == "Acme");
    CHECK(ui::pickTaskText(first) == "A2  7 x MUG  LOT L7"); // first expiry first
    CHECK(first.expiry == std::optional<std::string>("2027-03-01"));
    CHECK(ui::pickTaskText(v.tasks[1]) == "A1  1 x TEA");

    s.scan(uitest::kMug);
    CHECK(v.last.code == "scan_location_first");
    s.scan("LOC:A1");
    CHECK(v.last.code == "wrong_location");
    CHECK(v.last.lines == std::vector<std::string>{"this is A1: take MUG at A2"});
    s.scan("LOC:A2");
    CHECK(v.step == ui::PickStep::Product);
    s.scan(uitest::kTea);
    CHECK(v.last.code == "wrong_product");
    s.scan("(01)09501101010079(10)L9");
    CHECK(v.last.code == "wrong_lot");
    CHECK(v.last.lines ==
          std::vector<std::string>{"lot L9 is not the lot to take: take LOT L7  expires 2027-03-01 (first to take), first expiry first out"});
    s.scan("(01)09501101010079(10)L7");
    REQUIRE(v.step == ui::PickStep::Quantity);
    s.tap("<");
    s.tap("9");
    s.tap("OK");
    CHECK(v.last.code == "bad_qty"); // 9 of 7: refused, nothing picked
    CHECK(s.stockAt("MUG", "A2") == 10);
    s.tap("Tap to acknowledge");
    s.tap("<");
    s.tap("7");
    s.tap("OK");
    CHECK(v.last.feedback == ui::Feedback::Accepted);
    CHECK(v.last.title == "7 x MUG picked");
    CHECK(s.stockAt("MUG", "A2") == 3);
    auto list = s.store().picklist(std::string("SO-1"), *ledger::parseDate(uitest::kToday));
    REQUIRE(list);
    REQUIRE(list->size() == 1);
    CHECK(list->front().lines.size() == 1); // only TEA is left of SO-1

    // One unit: the product scan picks it, no keypad.
    REQUIRE(v.tasks.size() == 2);
    CHECK(ui::pickTaskText(v.tasks[*v.current]) == "A1  1 x TEA");
    s.scan("LOC:A1");
    s.scan(uitest::kTea);
    CHECK(v.last.title == "1 x TEA picked");
    CHECK(s.stockAt("TEA", "A1") == 2);
}

TEST_CASE("pick session: a short pick with a reason from the list")
{
    SessionHarness s("short", ui::ScreenId::Pick);
    seed(s);
    s.start();
    const auto& v = s.session().pickView();
    s.tap("Skip");
    s.tap("Skip");
    REQUIRE(ui::pickTaskText(v.tasks[*v.current]) == "A1  2 x TEA");
    s.tap("Short");
    REQUIRE(v.step == ui::PickStep::Short);
    REQUIRE(v.reasons.size() == 2);
    CHECK(v.reasons[0].code == "DAMAGED");
    s.tap("NOT_FOUND  Not there");
    s.tap("1");
    s.tap("Record short");
    CHECK(v.last.feedback == ui::Feedback::Attention);
    CHECK(v.last.title == "Short: 1 x TEA missing at A1");
    auto tasks = s.store().countTasks(false);
    REQUIRE(tasks);
    REQUIRE(tasks->size() == 1);
    CHECK(tasks->front().location == "A1");
    CHECK(tasks->front().sku == "TEA");
    CHECK(tasks->front().reason == "NOT_FOUND");
}

TEST_CASE("pick session with a reader: the list comes from the worker; while it is read the screen says Loading and refuses scans")
{
    SessionHarness s("pickreader", ui::ScreenId::Pick);
    seed(s);
    uitest::SessionReader r(s);
    s.start();
    REQUIRE(s.session().screen() == ui::ScreenId::Pick);
    const auto& v = s.session().pickView();
    CHECK(v.loading);
    CHECK(v.tasks.empty());
    CHECK(ui::pickPrompt(v) == "Loading ...");
    s.scan("LOC:A2");
    CHECK(v.last.feedback == ui::Feedback::Refused);
    CHECK(v.last.code == "loading");
    CHECK(v.last.lines == std::vector<std::string>{"the scan was not taken: the pick list is still being read; scan again when it shows"});
    CHECK(v.step == ui::PickStep::Location);
    s.tap("Tap to acknowledge");
    REQUIRE(r.settle());
    CHECK_FALSE(v.loading);
    REQUIRE(v.tasks.size() == 3);
    REQUIRE(v.current == size_t(0));
    CHECK(ui::pickTaskText(v.tasks[0]) == "A2  7 x MUG  LOT L7");
    CHECK(v.tasks[0].customer == "Acme");
    CHECK(ui::pickTaskText(v.tasks[1]) == "A1  1 x TEA");
    CHECK(ui::pickTaskText(v.tasks[2]) == "A1  2 x TEA");
    CHECK(ui::pickPrompt(v) == "Scan location A2");

    // The pick is written in the frame. Until the new list comes the old one shows, and a
    // scan, Skip or a row tapped does nothing to it.
    s.scan("LOC:A2");
    s.scan("(01)09501101010079(10)L7");
    REQUIRE(v.step == ui::PickStep::Quantity);
    s.tap("OK"); // the keypad holds the task's 7
    CHECK(v.last.title == "7 x MUG picked");
    CHECK(s.stockAt("MUG", "A2") == 3);
    CHECK(v.loading);
    CHECK(v.tasks.size() == 3);
    CHECK(ui::pickPrompt(v) == "Loading ...");
    s.tap("Skip");
    CHECK(v.current == size_t(0));
    s.tap("A1  1 x TEA");
    CHECK(v.current == size_t(0));
    s.scan("LOC:A1");
    CHECK(v.last.code == "loading");
    CHECK(v.step == ui::PickStep::Location);
    CHECK(s.stockAt("TEA", "A1") == 3);
    s.tap("Tap to acknowledge");
    REQUIRE(r.settle());
    CHECK_FALSE(v.loading);
    REQUIRE(v.tasks.size() == 2);
    REQUIRE(v.current == size_t(0));
    CHECK(ui::pickTaskText(v.tasks[0]) == "A1  1 x TEA");
    s.scan("LOC:A1");
    s.scan(uitest::kTea);
    CHECK(v.last.title == "1 x TEA picked");
    CHECK(s.stockAt("TEA", "A1") == 2);
    REQUIRE(r.settle());
    REQUIRE(v.tasks.size() == 1);

    // Pick opened again and left before its list came: the list is not applied.
    s.tap("Home");
    REQUIRE(s.store().pick("SO-2", 1, 2, std::nullopt, app::cliActor(s.options())));
    REQUIRE(r.settle());
    s.tapTile(ui::ScreenId::Pick);
    REQUIRE(s.session().screen() == ui::ScreenId::Pick);
    CHECK(v.tasks.size() == 1); // the last list in sight while the new one is read
    CHECK(v.loading);
    s.tap("Home");
    REQUIRE(r.settle());
    CHECK(v.tasks.size() == 1); // the dropped read had none
    s.tapTile(ui::ScreenId::Pick);
    REQUIRE(r.settle());
    CHECK(v.tasks.empty());
    CHECK(ui::pickPrompt(v) == "Nothing to pick");
}

TEST_CASE("pick session with a writer: while a pick is recorded the screen says Recording, refuses a scan with `recording` and acts on no task; the pick lands once the lock is released")
{
    SessionHarness s("pickwriter", ui::ScreenId::Pick);
    seed(s);
    uitest::SessionReader r(s);
    uitest::SessionWriter w(s, &r);
    s.start();
    REQUIRE(w.settle());
    const auto& v = s.session().pickView();
    REQUIRE(v.tasks.size() == 3);
    s.scan("LOC:A2");
    s.scan("(01)09501101010079(10)L7");
    REQUIRE(v.step == ui::PickStep::Quantity);

    test::PlainDb other(s.options().dbPath);
    other.exec("BEGIN IMMEDIATE");
    const auto t0 = std::chrono::steady_clock::now();
    s.tap("OK"); // the keypad holds the task's 7
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(5));
    CHECK(v.recording);
    CHECK(v.last.feedback == ui::Feedback::None); // not told "picked" before the commit
    CHECK(ui::pickPrompt(v) == "Recording ...");
    CHECK(s.stockAt("MUG", "A2") == 10);
    s.scan("LOC:A1");
    CHECK(v.last.feedback == ui::Feedback::Refused);
    CHECK(v.last.code == "recording");
    CHECK(v.last.lines == std::vector<std::string>{"the scan was not taken: the last action is still being recorded; scan again when its result shows"});
    s.tap("Tap to acknowledge");
    s.tap("Cancel"); // the keypad closes; the pick in flight stays
    s.tap("Skip");   // disabled: no task is acted on
    CHECK(v.current == size_t(0));
    CHECK(w.drainFor(std::chrono::milliseconds(200)) == 0);

    other.exec("ROLLBACK");
    REQUIRE(w.settle());
    CHECK_FALSE(v.recording);
    CHECK(v.last.feedback == ui::Feedback::Accepted);
    CHECK(v.last.title == "7 x MUG picked");
    CHECK(s.session().takeCue() == ui::Feedback::Accepted);
    CHECK(s.stockAt("MUG", "A2") == 3);
    // The list was read again after the result.
    REQUIRE(v.tasks.size() == 2);
    CHECK(ui::pickTaskText(v.tasks[0]) == "A1  1 x TEA");
    CHECK(ui::pickPrompt(v) == "Scan location A1");
    CHECK(v.unsynced == 7); // the seed's six ops and the pick

    // A short on the writer, right after the pick's green band: the band goes as the short
    // step opens, so "Record short" is on the 480x800 screen (it fell off below the band).
    REQUIRE(ui::pickTaskText(v.tasks[*v.current]) == "A1  1 x TEA");
    REQUIRE(v.last.feedback == ui::Feedback::Accepted);
    s.tap("Short");
    CHECK(v.last.feedback == ui::Feedback::None);
    REQUIRE(v.step == ui::PickStep::Short);
    REQUIRE(r.settle()); // the short reasons, read on the reader
    s.tap("NOT_FOUND  Not there");
    s.tap("0");
    s.tap("Record short");
    REQUIRE(w.settle());
    CHECK(v.last.code == "short");
    CHECK(v.last.title == "Short: 1 x TEA missing at A1");
    CHECK(v.unsynced == 8);
}

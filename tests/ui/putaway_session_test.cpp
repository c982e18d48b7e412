// Put away / move screen (issue 12 item 4) headless: the screen's taps and intents, and the
// real UiSession on a real database: a bin scan confirms the suggested bin, another bin asks
// once, free moves, and a quarantine release needing a supervisor.

#include "ui/SessionHarness.h"

#include "store/Users.h"
#include "ui/PutawayScreen.h"

using namespace backfill;
using backfill::uitest::SessionHarness;
using backfill::uitest::UiHarness;

TEST_CASE("putaway screen: rows, prompt and bar intents")
{
    UiHarness h;
    ui::PutawayView view;
    view.items = {{"MUG", std::string("L7"), "DOCK", 10, std::string("A1")}, {"TEA", std::nullopt, "DOCK", 4, std::nullopt}};
    ui::PutawayInput input;
    auto draw = [&] { return ui::drawPutawayScreen(view, input, h.ctx()); };
    CHECK(ui::putawayRowText(view.items[0]) == "10 x MUG  LOT L7  DOCK -> A1");
    CHECK(ui::putawayRowText(view.items[1]) == "4 x TEA  DOCK -> ?");
    CHECK(ui::putawayPrompt(view) == "Tap a line or scan a product");

    auto intents = h.tap<ui::PutawayIntent>("4 x TEA  DOCK -> ?", draw);
    CHECK(intents.back().kind == ui::PutawayIntent::Kind::Select);
    CHECK(intents.back().index == 1);
    view.active = 0;
    CHECK(ui::putawayPrompt(view) == "Scan bin A1");
    view.otherBin = "A2";
    CHECK(ui::putawayPrompt(view) == "Scan A2 again to put there, or scan A1");
    h.frame([&] { draw(); });
    CHECK(h.has("> 10 x MUG  LOT L7  DOCK -> A1"));
    CHECK(h.tap<ui::PutawayIntent>("Free move", draw).back().kind == ui::PutawayIntent::Kind::FreeMove);
    CHECK(h.tap<ui::PutawayIntent>("Cancel", draw).back().kind == ui::PutawayIntent::Kind::Cancel);
    CHECK(h.tap<ui::PutawayIntent>("Home", draw).back().kind == ui::PutawayIntent::Kind::Home);

    view.freeMove = ui::FreeMove{"A1", "MUG", 6, std::nullopt};
    CHECK(ui::putawayPrompt(view) == "Scan where 6 x MUG go");
    h.tap<ui::PutawayIntent>("Qty", draw);
    CHECK(input.qtySheet);
    CHECK(input.digits == "6");
    h.tap<ui::PutawayIntent>("<", draw);
    h.tap<ui::PutawayIntent>("4", draw);
    auto ok = h.tap<ui::PutawayIntent>("OK", draw);
    CHECK(ok.back().kind == ui::PutawayIntent::Kind::SetQty);
    CHECK(ok.back().qty == 4);
    CHECK_FALSE(input.qtySheet);
    view.freeMove = ui::FreeMove{};
    CHECK(ui::putawayPrompt(view) == "Scan the location to move from");
    view.freeMove->from = "Q";
    CHECK(ui::putawayPrompt(view) == "Scan the product at Q");
    h.frame([&] { draw(); });
    CHECK(h.has("Put-away list"));
    for (const auto& t : h.targets()) CHECK(t.height() >= h.ctx().metrics.minTargetPx);
}

TEST_CASE("putaway session: the suggested bin confirms, another bin asks once")
{
    SessionHarness s("putaway", ui::ScreenId::Putaway);
    s.receive("09501101010079", 12, "L7", "2027-03-01");
    s.move("MUG", 2, "DOCK", "A1", "L7"); // A1 holds MUG: the suggested bin
    s.receive("09501101010147", 4);
    s.start();
    REQUIRE(s.session().screen() == ui::ScreenId::Putaway);
    const auto& v = s.session().putawayView();
    REQUIRE(v.items.size() == 2);
    CHECK(ui::putawayRowText(v.items[0]) == "10 x MUG  LOT L7  DOCK -> A1");

    // A bin before a line: refused, and it needs a tap.
    s.scan("LOC:A1");
    CHECK(v.last.code == "choose_line_first");
    CHECK(s.has("Tap to acknowledge"));
    s.tap("Tap to acknowledge");
    CHECK(v.last.acknowledged);

    // The product's label chooses its line; another bin asks once; the same bin again puts.
    s.scan("(01)09501101010079(10)L7");
    REQUIRE(v.active == size_t(0));
    s.scan("LOC:A2");
    CHECK(v.last.feedback == ui::Feedback::Attention);
    CHECK(v.last.code == "other_bin");
    CHECK(v.last.title == "A2 is not the suggested bin");
    CHECK(s.stockAt("MUG", "A2") == 0);
    s.scan("LOC:A2", true); // the scanner's double read is no second scan
    CHECK(s.stockAt("MUG", "A2") == 0);
    s.scan("A2"); // a bare known location code is a location too
    CHECK(v.last.feedback == ui::Feedback::Accepted);
    CHECK(v.last.title == "10 x MUG -> A2");
    CHECK(s.stockAt("MUG", "A2") == 10);
    CHECK(s.stockAt("MUG", "DOCK") == 0);
    REQUIRE(v.items.size() == 1);
    CHECK_FALSE(v.active);

    // Tap the TEA line (no bin left to suggest: A1 and A2 hold MUG): any bin puts at once.
    s.tap("4 x TEA  DOCK -> ?");
    REQUIRE(v.active == size_t(0));
    s.scan("LOC:A1");
    CHECK(v.last.title == "4 x TEA -> A1");
    CHECK(s.stockAt("TEA", "A1") == 4);
    CHECK(v.items.empty());

    // Unknown labels are refused with their code and change nothing.
    s.scan("LOC:ZZ-9");
    CHECK(v.last.code == "unknown_location");
    s.scan("(01)09501101099999");
    CHECK(v.last.code == "unknown_gtin");
    s.scan("(01)09501101010079");
    CHECK(v.last.code == "not_waiting");
}

TEST_CASE("putaway session: free move, and a release from quarantine is a supervisor's")
{
    SessionHarness s("freemove", ui::ScreenId::Putaway);
    s.receive("09501101010079", 12);
    s.move("MUG", 12, "DOCK", "A1");
    {
        store::Users users(s.store().database());
        REQUIRE(users.add("sue", ledger::Role::Supervisor, "1111", app::cliActor(s.options())));
        REQUIRE(users.add("pia", ledger::Role::Picker, "2222", app::cliActor(s.options())));
    }
    s.options().operatorName = "pia";
    setenv("BACKFILL_PIN", "2222", 1);
    s.start();
    unsetenv("BACKFILL_PIN");
    REQUIRE(s.session().screen() == ui::ScreenId::Putaway);
    const auto& v = s.session().putawayView();

    s.tap("Free move");
    REQUIRE(v.freeMove);
    s.scan(uitest::kMug);
    CHECK(v.last.code == "scan_location_first");
    s.scan("LOC:A1");
    s.scan("(01)19501101010076"); // a case: 6 units
    s.scan(uitest::kMug);          // and one more
    CHECK(v.freeMove->qty == 7);
    CHECK(ui::putawayPrompt(v) == "Scan where 7 x MUG go");
    s.scan("LOC:Q");
    CHECK(v.last.title == "7 x MUG -> Q");
    CHECK(s.stockAt("MUG", "Q") == 7);
    CHECK(v.freeMove->from.empty());

    // Out of quarantine: the picker may not release.
    s.scan("LOC:Q");
    s.scan(uitest::kMug);
    s.tap("Qty");
    s.tap("<");
    s.tap("5");
    s.tap("OK");
    CHECK(v.freeMove->qty == 5);
    s.scan("LOC:A2");
    CHECK(v.last.code == "forbidden");
    CHECK(s.stockAt("MUG", "Q") == 7);
}

TEST_CASE("putaway session: a supervisor releases from quarantine with a free move")
{
    SessionHarness s("release", ui::ScreenId::Putaway);
    s.receive("09501101010079", 6);
    s.move("MUG", 6, "DOCK", "Q");
    {
        store::Users users(s.store().database());
        REQUIRE(users.add("sue", ledger::Role::Supervisor, "1111", app::cliActor(s.options())));
    }
    s.options().operatorName = "sue";
    setenv("BACKFILL_PIN", "1111", 1);
    s.start();
    unsetenv("BACKFILL_PIN");
    REQUIRE(s.session().screen() == ui::ScreenId::Putaway);
    const auto& v = s.session().putawayView();
    s.tap("Free move");
    s.scan("LOC:Q");
    s.scan("(01)19501101010076"); // the case: 6 units
    s.scan("LOC:A1");
    CHECK(v.last.feedback == ui::Feedback::Accepted);
    CHECK(v.last.title == "6 x MUG -> A1");
    CHECK(v.last.lines.front() == "released from quarantine Q");
    CHECK(s.stockAt("MUG", "A1") == 6);
    CHECK(s.stockAt("MUG", "Q") == 0);
}

TEST_CASE("putaway session with a reader: the list comes from the worker; no row is taken while it is read; a read for a screen left is dropped")
{
    SessionHarness s("putawayreader", ui::ScreenId::Putaway);
    s.receive("09501101010079", 12, "L7", "2027-03-01");
    s.move("MUG", 2, "DOCK", "A1", "L7"); // A1 holds MUG: the suggested bin
    s.receive("09501101010147", 4);
    uitest::SessionReader r(s);
    s.start();
    REQUIRE(s.session().screen() == ui::ScreenId::Putaway);
    const auto& v = s.session().putawayView();
    CHECK(v.loading);
    CHECK(v.items.empty());
    CHECK(ui::putawayPrompt(v) == "Loading ...");
    // A scan against the list being read is refused and changes nothing.
    s.scan("(01)09501101010079(10)L7");
    CHECK(v.last.code == "loading");
    CHECK(v.last.lines == std::vector<std::string>{"the scan was not taken: the put-away list is still being read; scan again when it shows"});
    CHECK_FALSE(v.active);
    s.tap("Tap to acknowledge");
    REQUIRE(r.settle());
    CHECK_FALSE(v.loading);
    REQUIRE(v.items.size() == 2);
    CHECK(ui::putawayRowText(v.items[0]) == "10 x MUG  LOT L7  DOCK -> A1");
    CHECK(ui::putawayRowText(v.items[1]) == "4 x TEA  DOCK -> A2");
    CHECK(ui::putawayPrompt(v) == "Tap a line or scan a product");

    // The move is written in the frame; the old list shows, and takes no tap, until the new one comes.
    s.scan("(01)09501101010079(10)L7");
    REQUIRE(v.active == size_t(0));
    s.scan("LOC:A1");
    CHECK(v.last.title == "10 x MUG -> A1");
    CHECK(s.stockAt("MUG", "A1") == 12);
    CHECK(v.loading);
    CHECK(v.items.size() == 2);
    s.tap("4 x TEA  DOCK -> A2");
    CHECK_FALSE(v.active);
    REQUIRE(r.settle());
    REQUIRE(v.items.size() == 1);
    CHECK(ui::putawayRowText(v.items[0]) == "4 x TEA  DOCK -> A2");
    CHECK(v.last.title == "10 x MUG -> A1"); // the outcome stays
    s.tap("4 x TEA  DOCK -> A2");
    CHECK(v.active == size_t(0));

    // Put away opened again and left before its list came: the list is not applied.
    s.tap("Home");
    s.move("TEA", 4, "DOCK", "A2");
    REQUIRE(r.settle());
    s.tapTile(ui::ScreenId::Putaway);
    REQUIRE(s.session().screen() == ui::ScreenId::Putaway);
    CHECK(v.items.size() == 1); // the last list in sight while the new one is read
    s.tap("Home");
    REQUIRE(r.settle());
    CHECK(v.items.size() == 1); // the dropped read had none
    s.tapTile(ui::ScreenId::Putaway);
    REQUIRE(r.settle());
    CHECK(v.items.empty());
    CHECK_FALSE(v.loading);
}

TEST_CASE("putaway session with a writer: while a move is recorded the screen says Recording, refuses a scan with `recording` and takes no tap but Home; the move lands once the lock is released")
{
    SessionHarness s("putawaywriter", ui::ScreenId::Putaway);
    s.receive("09501101010079", 12, "L7", "2027-03-01");
    s.move("MUG", 2, "DOCK", "A1", "L7"); // A1 holds MUG: the suggested bin
    s.receive("09501101010147", 4);
    uitest::SessionReader r(s);
    uitest::SessionWriter w(s, &r);
    s.start();
    REQUIRE(w.settle());
    const auto& v = s.session().putawayView();
    REQUIRE(v.items.size() == 2);
    s.scan("(01)09501101010079(10)L7");
    REQUIRE(v.active == size_t(0));

    test::PlainDb other(s.options().dbPath);
    other.exec("BEGIN IMMEDIATE");
    s.scan("LOC:A1");
    CHECK(v.recording);
    CHECK(v.last.feedback == ui::Feedback::None);
    CHECK(ui::putawayPrompt(v) == "Recording ...");
    CHECK(s.stockAt("MUG", "A1") == 2);
    s.scan(uitest::kTea);
    CHECK(v.last.code == "recording");
    s.tap("Tap to acknowledge");
    s.tap("4 x TEA  DOCK -> A2"); // a row of the list the move will change: not chosen
    CHECK(v.active == size_t(0));
    s.tap("Free move"); // disabled until the result
    CHECK_FALSE(v.freeMove);
    CHECK(w.drainFor(std::chrono::milliseconds(200)) == 0);

    other.exec("ROLLBACK");
    REQUIRE(w.settle());
    CHECK_FALSE(v.recording);
    CHECK(v.last.title == "10 x MUG -> A1");
    CHECK(s.session().takeCue() == ui::Feedback::Accepted);
    CHECK(s.stockAt("MUG", "A1") == 12);
    REQUIRE(v.items.size() == 1);
    CHECK(ui::putawayRowText(v.items[0]) == "4 x TEA  DOCK -> A2");
    CHECK(v.unsynced == 4); // the seed's three ops and the move

    // A free move on the writer starts anew once it was recorded.
    s.tap("Free move");
    s.scan("LOC:A1");
    s.scan(uitest::kMug);
    s.scan("LOC:A2");
    CHECK(v.freeMove->sku == "MUG"); // until the result
    REQUIRE(w.settle());
    CHECK(v.last.title == "1 x MUG -> A2");
    REQUIRE(v.freeMove);
    CHECK(v.freeMove->from.empty());
    CHECK(s.stockAt("MUG", "A2") == 1);
}

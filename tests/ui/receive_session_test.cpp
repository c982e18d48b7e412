// Receive screen with the real UiSession (issue 12 item 3): a scan received, the undo of the
// last receipt asked once (two taps) and done through TerminalStore::undoLastReceipt, refused
// with nothing_to_undo when there is nothing left.

#include "ui/SessionHarness.h"

using namespace backfill;
using backfill::uitest::SessionHarness;

TEST_CASE("receive session: undo the last receipt with two taps")
{
    SessionHarness s("undo", ui::ScreenId::Receive);
    s.start();
    REQUIRE(s.session().screen() == ui::ScreenId::Receive);
    const auto& v = s.session().receiveView();
    s.scan("(01)09501101010079(30)12(10)L7");
    REQUIRE(v.last);
    CHECK(v.last->feedback == ui::Feedback::Accepted);
    CHECK(s.stockAt("MUG", "DOCK") == 12);
    CHECK(v.recent.size() == 1);

    s.tap("Undo last");
    CHECK(s.stockAt("MUG", "DOCK") == 12); // one tap only arms it
    CHECK(s.has("Tap again to undo"));
    s.tap("Tap again to undo");
    REQUIRE(v.last);
    CHECK(v.last->feedback == ui::Feedback::Attention);
    CHECK(v.last->code == "undone");
    CHECK(v.last->message == "taken back (a reversing entry; the history keeps both): 12 x MUG LOT L7 at DOCK");
    CHECK(s.stockAt("MUG", "DOCK") == 0);
    CHECK(s.has("Undo last"));

    s.tap("Undo last");
    s.tap("Tap again to undo");
    CHECK(v.last->feedback == ui::Feedback::Refused);
    CHECK(v.last->code == "nothing_to_undo");
    CHECK(s.has("Tap to acknowledge"));

    // Home goes home.
    s.tap("Tap to acknowledge");
    s.tap("Undo last");
    s.tap("Home");
    CHECK(s.session().screen() == ui::ScreenId::Home);
}

TEST_CASE("receive session: one sound cue per result, of the result's class")
{
    SessionHarness s("cues", ui::ScreenId::Receive);
    s.start();
    CHECK_FALSE(s.session().takeCue()); // opening a screen is no result
    s.scan("(01)09501101010079(30)2");
    CHECK(s.session().takeCue() == ui::Feedback::Accepted);
    CHECK_FALSE(s.session().takeCue()); // once
    s.scan("(01)09501101010079(30)2"); // the same result again: heard again
    CHECK(s.session().takeCue() == ui::Feedback::Accepted);
    s.scan("(01)09501101010078"); // a wrong check digit
    CHECK(s.session().takeCue() == ui::Feedback::Refused);
    s.tap("Tap to acknowledge"); // an acknowledgement is no new result
    CHECK_FALSE(s.session().takeCue());
    s.tap("Undo last");
    CHECK_FALSE(s.session().takeCue()); // armed only
    s.tap("Tap again to undo");
    CHECK(s.session().takeCue() == ui::Feedback::Attention);
    s.frame();
    CHECK_FALSE(s.session().takeCue());
}

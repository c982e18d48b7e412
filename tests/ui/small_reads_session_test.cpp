// The small reads off the main thread (issue 12 item 8; docs/ui.md, Small reads off the main
// thread): what a scan means, the receiving location, the count's basis, the short reasons,
// the unsent count as a screen opens and the setting gs_substitute. The real UiSession with a
// real UiReader (held busy by SessionReader::hold) or a real UiWriter (another connection
// holding the write lock); each case checks the frame returns, the pending state meanwhile,
// and the exact result once the worker ran.

#include "ui/SessionHarness.h"

#include "ui/CountScreen.h"
#include "ui/PickScreen.h"

#include <chrono>

using namespace backfill;
using namespace backfill::uitest;

TEST_CASE("small reads: a scan's meaning is read on the reader; scans meanwhile queue in order")
{
    SessionHarness s("reads_scan", ui::ScreenId::Home);
    SessionReader r(s);
    s.start();
    REQUIRE(r.settle());
    REQUIRE(s.session().screen() == ui::ScreenId::Home);

    auto held = r.hold();
    const auto t0 = std::chrono::steady_clock::now();
    s.scan("LOC:A1");
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(5));
    CHECK(s.session().screen() == ui::ScreenId::Home); // not routed before its meaning is known
    CHECK(s.session().scansReading() == 1);
    CHECK(s.session().busyNotice() == "reading scan ...");
    s.scan(std::string(kMug) + "(10)L7"); // meant for the count the first scan opens
    CHECK(s.session().scansReading() == 2);
    CHECK(s.session().busyNotice() == "reading 2 scans ...");
    CHECK(s.session().screen() == ui::ScreenId::Home);

    held->release();
    REQUIRE(r.settle());
    CHECK(s.session().scansReading() == 0);
    CHECK(s.session().busyNotice() == "");
    REQUIRE(s.session().screen() == ui::ScreenId::Count);
    const ui::CountView& v = s.session().countView();
    CHECK(v.location == "A1");
    CHECK(v.sku == "MUG");
    CHECK(v.lot == std::optional<std::string>("L7"));
    CHECK(ui::countPrompt(v) == "Count MUG LOT L7 at A1");

    // A refusal comes the same way: an unknown location on Count.
    held = r.hold();
    s.scan("LOC:ZZ");
    CHECK(v.last.feedback == ui::Feedback::None);
    held->release();
    REQUIRE(r.settle());
    CHECK(v.last.feedback == ui::Feedback::Refused);
    CHECK(v.last.code == "unknown_location");
    CHECK(s.session().takeCue() == ui::Feedback::Refused);
}

TEST_CASE("small reads: the receiving location comes with Receive's lists")
{
    SessionHarness s("reads_dock", ui::ScreenId::Home);
    SessionReader r(s);
    s.start();
    REQUIRE(r.settle());
    auto held = r.hold();
    s.tapTile(ui::ScreenId::Receive);
    REQUIRE(s.session().screen() == ui::ScreenId::Receive);
    CHECK(s.session().receiveView().location == ""); // the first open: nothing read yet
    held->release();
    REQUIRE(r.settle());
    CHECK(s.session().receiveView().location == "DOCK");
}

TEST_CASE("small reads: a receipt's scan is read on the writer (gs_substitute, the receiving location)")
{
    SessionHarness s("reads_gs", ui::ScreenId::Receive);
    SessionWriter w(s);
    s.start();
    REQUIRE(s.session().receiveView().location == "DOCK");

    test::PlainDb other(s.options().dbPath);
    other.exec("BEGIN IMMEDIATE");
    s.scan(std::string(kTea) + "(30)1"); // the writer waits in its commit
    // GS as '|' in an unbracketed element string: (01) MUG, (30) 3, GS, (10) L7.
    const auto t0 = std::chrono::steady_clock::now();
    s.scan("0109501101010079303|10L7");
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(5));
    CHECK(s.session().receiveView().recording == 2);
    // The setting and a new receiving location, committed while the first receipt waits: the
    // second scan is read into its receipt when its turn on the writer comes, with them.
    other.exec("INSERT INTO settings(key, value) VALUES('gs_substitute', '|')");
    other.exec("INSERT INTO locations(code, kind, sequence) VALUES('DOCK2', 'receiving', 0)");
    CHECK(w.drainFor(std::chrono::milliseconds(200)) == 0);
    other.exec("COMMIT");
    REQUIRE(w.settle());
    CHECK(s.stockAt("TEA", "DOCK") == 1); // read before the commit: the old receiving location
    const auto& last = s.session().receiveView().last;
    REQUIRE(last);
    CHECK(last->feedback == ui::Feedback::Accepted);
    REQUIRE(last->lines.size() == 1);
    CHECK(last->lines[0].sku == "MUG");
    CHECK(last->lines[0].qty == 3);
    CHECK(last->lines[0].lot == std::optional<std::string>("L7"));
    CHECK(last->lines[0].location == "DOCK2");
    CHECK(s.stockAt("MUG", "DOCK2") == 3);
    CHECK(s.session().receiveView().location == "DOCK2"); // the lists read again after it
}

TEST_CASE("small reads: the count's basis is read on the writer, behind the receipt still recorded")
{
    SessionHarness s("reads_basis", ui::ScreenId::Receive);
    SessionWriter w(s);
    s.start();
    test::PlainDb other(s.options().dbPath);
    const std::string before = other.one("SELECT COALESCE(MAX(id), 0) FROM events");

    other.exec("BEGIN IMMEDIATE");
    s.scan(std::string(kMug) + "(30)12"); // waits on the writer
    s.tap("Home");
    const auto t0 = std::chrono::steady_clock::now();
    s.scan("LOC:DOCK"); // Home: opens Count at DOCK
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(5));
    REQUIRE(s.session().screen() == ui::ScreenId::Count);
    const ui::CountView& v = s.session().countView();
    CHECK(v.location == "DOCK");
    CHECK(s.session().countBasisPending());
    CHECK(ui::countPrompt(v) == "Recording ..."); // the receipt is still in flight
    CHECK(w.drainFor(std::chrono::milliseconds(200)) == 0);

    other.exec("ROLLBACK");
    REQUIRE(w.settle());
    CHECK_FALSE(s.session().countBasisPending());
    const std::string after = other.one("SELECT COALESCE(MAX(id), 0) FROM events");
    CHECK(after != before);
    CHECK(std::to_string(s.session().countBasis()) == after); // the receipt is in the count
    CHECK(ui::countPrompt(v) == "Scan a product at DOCK");

    s.scan(std::string(kMug) + "(30)12");
    REQUIRE(v.sku == "MUG");
    s.tap("1");
    s.tap("2");
    s.tap("OK");
    REQUIRE(w.settle());
    CHECK(v.last.feedback == ui::Feedback::Accepted);
    CHECK(v.last.title == "MUG at DOCK: 12 counted");
}

TEST_CASE("small reads: the short reasons are read on the reader as Short is tapped")
{
    SessionHarness s("reads_reasons", ui::ScreenId::Home);
    s.receive("09501101010079", 5);
    s.move("MUG", 5, "DOCK", "A1");
    s.orders("SO-1,1,Acme,a@example.com,MUG,3,1,2026-11-01,\n");
    SessionReader r(s);
    s.start();
    REQUIRE(r.settle());
    s.tapTile(ui::ScreenId::Pick);
    REQUIRE(r.settle());
    const ui::PickView& v = s.session().pickView();
    REQUIRE(v.tasks.size() == 1);

    auto held = r.hold();
    const auto t0 = std::chrono::steady_clock::now();
    s.tap("Short");
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(5));
    CHECK(v.step == ui::PickStep::Short);
    CHECK(v.loading);
    CHECK(v.reasons.empty());
    CHECK(ui::pickPrompt(v) == "Loading ...");
    s.scan("LOC:A1"); // the loading guard
    CHECK(v.last.code == "loading");
    s.tap("Tap to acknowledge");

    held->release();
    REQUIRE(r.settle());
    CHECK_FALSE(v.loading);
    CHECK(v.step == ui::PickStep::Short);
    REQUIRE(v.reasons.size() == 2);
    CHECK(v.reasons[0].code == "DAMAGED");
    CHECK(v.reasons[0].description == "Damaged");
    CHECK(v.reasons[1].code == "NOT_FOUND");
    CHECK(v.reasons[1].description == "Not there");
}

TEST_CASE("small reads: the unsent count is read on the reader as a screen opens")
{
    SessionHarness s("reads_unsent", ui::ScreenId::Home);
    SessionReader r(s);
    s.start();
    REQUIRE(r.settle());
    const long long before = s.session().homeView().unsynced;
    REQUIRE(before >= 0);
    s.receive("09501101010079", 5); // one more op in the outbox, by another hand

    auto held = r.hold();
    s.tapTile(ui::ScreenId::Stock);
    REQUIRE(s.session().screen() == ui::ScreenId::Stock);
    CHECK(s.session().stockView().unsynced == before); // the last count until the new one comes
    held->release();
    REQUIRE(r.settle());
    CHECK(s.session().stockView().unsynced == before + 1);
}

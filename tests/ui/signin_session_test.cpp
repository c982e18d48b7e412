// Sign-in off the main thread (issue 12 item 8; docs/ui.md, Sign-in off the main thread): the
// real UiSession with a real UiWriter (and UiReader) on a real SQLite file. Another connection
// holds the write lock (BEGIN IMMEDIATE), so the check's write waits on the writer: the frame
// that submits the PIN returns at once, the screen says "Checking ..." and takes no tap, and
// the result comes through the main-thread queue once the lock is released.

#include "store/Users.h"
#include "ui/SessionHarness.h"

#include <chrono>
#include <cstdlib>

using namespace backfill;
using namespace backfill::uitest;

namespace {

void addAna(SessionHarness& s)
{
    store::Users users(s.store().database());
    REQUIRE(users.add("ana", ledger::Role::Supervisor, "1234", app::cliActor(s.options())));
}

void typePin(SessionHarness& s, const std::string& pin)
{
    for (char c : pin) s.tap(std::string(1, c));
}

std::string failedOf(test::PlainDb& db) { return db.one("SELECT failed FROM users WHERE name = 'ana'"); }

} // namespace

TEST_CASE("sign-in: the PIN is checked on the writer; the frame returns while the lock is held")
{
    SessionHarness s("signin_writer", ui::ScreenId::Receive); // --start receive
    addAna(s);
    SessionReader r(s);
    SessionWriter w(s, &r);
    s.start();
    REQUIRE(r.settle());
    REQUIRE(s.session().screen() == ui::ScreenId::SignIn);
    const ui::SignInView& v = s.session().signInView();
    REQUIRE(v.operators == std::vector<std::string>{"ana"});

    s.tap("ana");
    typePin(s, "1235"); // wrong
    test::PlainDb other(s.options().dbPath);
    other.exec("BEGIN IMMEDIATE");
    const auto t0 = std::chrono::steady_clock::now();
    s.tap("Sign in");
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(5));
    CHECK(v.checking);
    CHECK_FALSE(v.message);
    CHECK(s.session().screen() == ui::ScreenId::SignIn);
    // Nothing takes a tap meanwhile: the keys, the operator and "Sign in".
    typePin(s, "1234");
    s.tap("Sign in");
    s.tap("> ana");
    CHECK(w.drainFor(std::chrono::milliseconds(200)) == 0);
    CHECK(v.checking);
    CHECK(w.writer().writes() == 0);

    other.exec("ROLLBACK");
    REQUIRE(w.settle());
    CHECK_FALSE(v.checking);
    CHECK(s.session().screen() == ui::ScreenId::SignIn);
    REQUIRE(v.message);
    CHECK(v.message->code == "bad_pin");
    CHECK(v.message->text == "wrong PIN for 'ana': 4 more tries before the user is locked for 5 minutes");
    CHECK(failedOf(other) == "1");
    CHECK(w.writer().writes() == 2); // the check and settle's marker: the taps while checking asked for none
    // The keys tapped while checking were not taken: "Sign in" needs four digits again.
    s.tap("Sign in");
    CHECK(w.writer().writes() == 2);
    CHECK(failedOf(other) == "1");

    // Then the right PIN, the lock held again: signed in once it is released, the count reset.
    typePin(s, "1234");
    other.exec("BEGIN IMMEDIATE");
    s.tap("Sign in");
    CHECK(v.checking);
    CHECK(s.session().screen() == ui::ScreenId::SignIn);
    CHECK(w.drainFor(std::chrono::milliseconds(200)) == 0);
    other.exec("ROLLBACK");
    REQUIRE(w.settle());
    CHECK_FALSE(v.checking);
    CHECK(s.session().screen() == ui::ScreenId::Receive); // --start still opens after sign-in
    CHECK(s.session().receiveView().operatorName == "ana");
    CHECK(s.options().signedInAs == "ana");
    CHECK(failedOf(other) == "0");
}

TEST_CASE("sign-in: the wrong PIN that reaches the limit locks, through the writer")
{
    SessionHarness s("signin_lock", ui::ScreenId::Home);
    addAna(s);
    SessionWriter w(s);
    s.start();
    test::PlainDb other(s.options().dbPath);
    other.exec("UPDATE users SET failed = 4 WHERE name = 'ana'");
    const ui::SignInView& v = s.session().signInView();

    s.tap("ana");
    typePin(s, "9999");
    other.exec("BEGIN IMMEDIATE");
    s.tap("Sign in");
    CHECK(v.checking);
    CHECK(w.drainFor(std::chrono::milliseconds(200)) == 0);
    CHECK(failedOf(other) == "4");
    other.exec("ROLLBACK");
    REQUIRE(w.settle());
    CHECK_FALSE(v.checking);
    REQUIRE(v.message);
    CHECK(v.message->code == "bad_pin");
    CHECK(v.message->text == "wrong PIN for 'ana': 5 in a row, the user is locked until 2026-12-04T09:05:00Z");
    CHECK(failedOf(other) == "0"); // a lock starts the count again
    CHECK(other.one("SELECT locked_until - strftime('%s', '2026-12-04T09:00:00') FROM users WHERE name = 'ana'") == "300");

    // The right PIN now: locked, nothing counted.
    typePin(s, "1234");
    s.tap("Sign in");
    REQUIRE(w.settle());
    REQUIRE(v.message);
    CHECK(v.message->code == "locked");
    CHECK(s.session().screen() == ui::ScreenId::SignIn);
    CHECK(failedOf(other) == "0");
}

TEST_CASE("sign-in: the operators are read on the reader as the sign-in screen opens")
{
    SessionHarness s("signin_list", ui::ScreenId::Home);
    addAna(s);
    SessionReader r(s);
    s.start();
    REQUIRE(r.settle());
    const ui::SignInView& v = s.session().signInView();
    REQUIRE(v.operators == std::vector<std::string>{"ana"});
    s.tap("ana");
    typePin(s, "1234");
    s.tap("Sign in"); // no writer: checked at once
    REQUIRE(s.session().screen() == ui::ScreenId::Home);
    REQUIRE(r.settle());

    store::Users users(s.store().database());
    REQUIRE(users.add("bo", ledger::Role::Receiver, "2222", app::cliActor(s.options())));
    auto held = r.hold();
    s.tap("Sign out");
    CHECK(s.session().screen() == ui::ScreenId::SignIn);
    CHECK(v.operators == std::vector<std::string>{"ana"}); // as last read, until the list comes
    held->release();
    REQUIRE(r.settle());
    CHECK(v.operators == std::vector<std::string>{"ana", "bo"});
}

TEST_CASE("sign-in: --operator with BACKFILL_PIN still signs in at start, with a writer attached")
{
    SessionHarness s("signin_kiosk", ui::ScreenId::Count);
    addAna(s);
    SessionWriter w(s);
    s.options().operatorName = "ana";
    setenv("BACKFILL_PIN", "1234", 1);
    s.start();
    unsetenv("BACKFILL_PIN");
    CHECK(s.session().screen() == ui::ScreenId::Count);
    CHECK(s.options().signedInAs == "ana");
    CHECK(w.writer().writes() == 0); // at start, before the first frame: not through the writer
}

// Home and sign-in with the real UiSession on a real database (issue 12 items 1 and 2): the
// sign-out after a configurable idle time, measured on an injected clock; GS1 location labels
// ((414) GLN with an optional (254) extension, mapped by the locations' gln columns) and the
// configurable location prefix, on Home and where locations are scanned (Put away's free
// move); the locations CSV's gln columns.

#include "ui/SessionHarness.h"

#include "store/Users.h"
#include "ui/SignInScreen.h"

#include <chrono>

using namespace backfill;
using namespace std::chrono_literals;
using backfill::uitest::SessionHarness;

namespace {

// The site's GLN 9501101000018 with a (254) extension per bin; the staging lane's own GLN.
constexpr const char* kGlnLocations = "code,kind,sequence,gln,gln_extension\n"
                                      "A1,storage,10,9501101000018,A1\n"
                                      "A2,storage,20,9501101000018,\n"
                                      "OUT1,staging,30,9501101000025,\n";

void addUsers(SessionHarness& s)
{
    store::Users users(s.store().database());
    REQUIRE(users.add("sue", ledger::Role::Supervisor, "1111", app::cliActor(s.options())));
    REQUIRE(users.add("bo", ledger::Role::Receiver, "2222", app::cliActor(s.options())));
}

void signInAs(SessionHarness& s, const char* name, const char* pin)
{
    s.options().operatorName = name;
    setenv("BACKFILL_PIN", pin, 1);
    s.start();
    unsetenv("BACKFILL_PIN");
}

} // namespace

TEST_CASE("idle sign-out: after 10 minutes without input by default; a scan or a tap is input")
{
    SessionHarness s("idle", ui::ScreenId::Home);
    addUsers(s);
    auto t = std::chrono::steady_clock::time_point{} + 1000s;
    s.session().setClock([&] { return t; });
    signInAs(s, "bo", "2222");
    REQUIRE(s.session().screen() == ui::ScreenId::Home);
    CHECK(s.session().idleSignOut() == 600s);

    t += 599s;
    CHECK_FALSE(s.session().tick());
    s.scan("LOC:A1"); // a receiver may not count: told so on Home, and it is input
    CHECK(*s.session().homeView().message ==
          "forbidden: 'bo' is a receiver: a receiver may not count; ask a supervisor");
    t += 599s;
    CHECK_FALSE(s.session().tick());
    CHECK(s.session().screen() == ui::ScreenId::Home);
    t += 1s;
    CHECK(s.session().tick());
    REQUIRE(s.session().screen() == ui::ScreenId::SignIn);
    REQUIRE(s.session().signInView().message);
    CHECK(s.session().signInView().message->code == "signed_out_idle");
    CHECK(s.session().signInView().message->text == "bo was signed out after 10 min without input: sign in again");
    CHECK(std::string(ui::signInMessageTitle("signed_out_idle")) == "Signed out");
    CHECK(s.options().signedInAs == "cli");
    s.scan("LOC:A1");
    CHECK(s.session().signInView().message->code == "not_signed_in");

    // Signed in again on the keypad (bo is chosen already); taps are input, so 9 minutes
    // after the last tap nothing happens and a frame at 10 signs out.
    for (const char* k : {"2", "2", "2", "2", "Sign in"}) s.tap(k);
    REQUIRE(s.session().screen() == ui::ScreenId::Home);
    CHECK(s.options().signedInAs == "bo");
    t += 300s;
    s.tap("Stock");
    REQUIRE(s.session().screen() == ui::ScreenId::Stock);
    t += 599s;
    s.frame();
    CHECK(s.session().screen() == ui::ScreenId::Stock);
    t += 1s;
    s.frame();
    CHECK(s.session().screen() == ui::ScreenId::SignIn);
}

TEST_CASE("idle sign-out: the setting idle_signout_s, 0 for never; the built-in operator is never signed out")
{
    {
        SessionHarness s("idlesetting", ui::ScreenId::Home);
        addUsers(s);
        REQUIRE(s.store().setSetting("idle_signout_s", "90"));
        auto t = std::chrono::steady_clock::time_point{} + 1000s;
        s.session().setClock([&] { return t; });
        signInAs(s, "sue", "1111");
        CHECK(s.session().idleSignOut() == 90s);
        t += 90s;
        CHECK(s.session().tick());
        CHECK(s.session().signInView().message->text == "sue was signed out after 90 s without input: sign in again");
    }
    {
        SessionHarness s("idlenever", ui::ScreenId::Home);
        addUsers(s);
        auto t = std::chrono::steady_clock::time_point{} + 1000s;
        s.session().setClock([&] { return t; });
        s.session().setIdleSignOut(0s); // --idle-signout 0
        REQUIRE(s.store().setSetting("idle_signout_s", "90"));
        signInAs(s, "sue", "1111");
        CHECK(s.session().idleSignOut() == 0s);
        t += 24h;
        CHECK_FALSE(s.session().tick());
        CHECK(s.session().screen() == ui::ScreenId::Home);
    }
    {
        SessionHarness s("idlebuiltin", ui::ScreenId::Home); // no users: nobody to sign out
        auto t = std::chrono::steady_clock::time_point{} + 1000s;
        s.session().setClock([&] { return t; });
        s.start();
        t += 24h;
        CHECK_FALSE(s.session().tick());
        CHECK(s.session().screen() == ui::ScreenId::Home);
    }
}

TEST_CASE("GS1 location labels: (414) with (254) on Home and in a free move; the prefix is configurable")
{
    SessionHarness s("gln", ui::ScreenId::Home);
    auto imported = s.store().importLocations(ledger::parseLocationsCsv(kGlnLocations), app::cliActor(s.options()));
    REQUIRE(imported);
    REQUIRE(imported->errors.empty());
    CHECK(imported->imported == 3);
    CHECK(*s.store().locationByGln("9501101000018", "A1") == std::optional<std::string>("A1"));
    CHECK(*s.store().locationByGln("9501101000018", "") == std::optional<std::string>("A2"));
    CHECK(*s.store().locationByGln("9501101000018", "A9") == std::nullopt);
    s.receive("09501101010079", 10);
    s.move("MUG", 10, "DOCK", "A1");
    s.start();

    // Home: a GLN label opens Count there, bracketed or as an element string ((414) is
    // fixed-length: no GS before (254)).
    s.scan("(414)9501101000018(254)A1");
    REQUIRE(s.session().screen() == ui::ScreenId::Count);
    CHECK(s.session().countView().location == "A1");
    s.tap("Home");
    s.scan("]C14149501101000018254A1");
    CHECK(s.session().countView().location == "A1");
    s.tap("Home");
    s.scan("(414)9501101000018");
    CHECK(s.session().countView().location == "A2");
    s.tap("Home");
    s.scan("(414)9501101000018(254)B9");
    REQUIRE(s.session().screen() == ui::ScreenId::Home);
    CHECK(*s.session().homeView().message ==
          "scan (414)9501101000018(254)B9: unknown_location: GLN 9501101000018 extension B9 (AI 414/254) names no location here: "
          "check the label or import the locations with their gln");

    // A free move from A1 to the staging lane by their GS1 labels.
    s.tap("Put away\n0 to put away");
    REQUIRE(s.session().screen() == ui::ScreenId::Putaway);
    s.tap("Free move");
    s.scan("(414)9501101000018(254)A1");
    s.scan("(01)19501101010076"); // a case of 6
    s.scan("(414)9501101000025");
    CHECK(s.session().putawayView().last.title == "6 x MUG -> OUT1");
    CHECK(s.stockAt("MUG", "A1") == 4);
    CHECK(s.stockAt("MUG", "OUT1") == 6);
    s.tap("Home");

    // Another prefix: BIN- reads, LOC: is then no location label.
    REQUIRE(s.store().setSetting("location_prefix", "BIN-"));
    s.scan("BIN-A2");
    CHECK(s.session().screen() == ui::ScreenId::Count);
    CHECK(s.session().countView().location == "A2");
    s.tap("Home");
    s.scan("BIN-Z9");
    CHECK(*s.session().homeView().message ==
          "scan BIN-Z9: unknown_location: location Z9 is not in the location list: check the label or import the location");
    s.scan("LOC:A2");
    CHECK(s.session().homeView().message->rfind("scan LOC:A2: not_gs1: ", 0) == 0);

    // A locations file without the gln column keeps the GLNs.
    REQUIRE(s.store().importLocations(ledger::parseLocationsCsv(uitest::kLocations), app::cliActor(s.options())));
    CHECK(*s.store().locationByGln("9501101000018", "A1") == std::optional<std::string>("A1"));
}

TEST_CASE("locations CSV: the gln columns are checked; a label names one location")
{
    auto parsed = ledger::parseLocationsCsv("code,kind,sequence,gln,gln_extension\n"
                                            "B1,storage,1,9501101000019,\n"
                                            "B2,storage,2,950110100001,\n"
                                            "B3,storage,3,,X1\n"
                                            "B4,storage,4,9501101000018,A#1\n"
                                            "B5,storage,5,9501101000025,\n"
                                            "B6,storage,6,9501101000025,\n");
    REQUIRE(parsed.errors.size() == 5);
    auto issue = [&](size_t i) { return std::to_string(parsed.errors[i].line) + " " + parsed.errors[i].column + " " + parsed.errors[i].code + ": " + parsed.errors[i].message; };
    CHECK(issue(0) == "2 gln check_digit: \"9501101000019\": check digit is 9, expected 8; check the number");
    CHECK(issue(1) == "3 gln bad_gln: \"950110100001\" is not a GLN; a GLN has 13 digits and nothing else");
    CHECK(issue(2) == "4 gln_extension gln_required: a GLN extension needs the GLN it extends in column gln");
    CHECK(issue(3) == "5 gln_extension bad_gln_extension: \"A#1\" is not a GLN extension; AI (254) takes 1 to 20 letters, digits or GS1 punctuation");
    CHECK(issue(4) == "7 gln duplicate_gln: GLN 9501101000025 is already on line 6; a GS1 location label names one location");

    // Against the database: A1's label may not name Q too, unless A1 gives it up in the same file.
    SessionHarness s("glnimport", ui::ScreenId::Home);
    const auto actor = app::cliActor(s.options());
    REQUIRE(s.store().importLocations(ledger::parseLocationsCsv(kGlnLocations), actor)->errors.empty());
    auto taken = s.store().importLocations(ledger::parseLocationsCsv("code,kind,sequence,gln,gln_extension\nQ,quarantine,40,9501101000018,A1\n"), actor);
    REQUIRE(taken);
    REQUIRE(taken->errors.size() == 1);
    CHECK(taken->errors[0].line == 2);
    CHECK(taken->errors[0].code == "duplicate_gln");
    CHECK(taken->errors[0].message == "GLN 9501101000018 extension A1 already names location A1; a GS1 location label names one location");
    CHECK(*s.store().locationByGln("9501101000018", "A1") == std::optional<std::string>("A1"));
    auto swapped = s.store().importLocations(ledger::parseLocationsCsv("code,kind,sequence,gln,gln_extension\n"
                                                                       "Q,quarantine,40,9501101000018,A1\n"
                                                                       "A1,storage,10,9501101000018,Q\n"),
                                             actor);
    REQUIRE(swapped);
    CHECK(swapped->errors.empty());
    CHECK(*s.store().locationByGln("9501101000018", "A1") == std::optional<std::string>("Q"));
    CHECK(*s.store().locationByGln("9501101000018", "Q") == std::optional<std::string>("A1"));
}

TEST_CASE("quit confirmation: Stay keeps the session as it was, Quit asks the app to quit")
{
    SessionHarness s("quit", ui::ScreenId::Receive);
    s.start();
    REQUIRE(s.session().screen() == ui::ScreenId::Receive);
    s.scan("(01)09501101010079(30)2");
    REQUIRE(s.session().receiveView().last);
    CHECK_FALSE(s.session().quitConfirmOpen());

    // The window manager's close: the question over the screen, nothing else changes.
    s.session().requestClose();
    s.frame();
    CHECK(s.session().quitConfirmOpen());
    CHECK(s.has("Stay"));
    CHECK(s.has("Quit"));
    for (const char* label : {"Stay", "Quit"}) {
        const auto t = s.ui().find(label);
        CHECK(t.width() >= s.ui().ctx().metrics.minTargetPx);
        CHECK(t.height() >= s.ui().ctx().metrics.minTargetPx);
    }
    s.tap("Stay");
    CHECK_FALSE(s.session().quitConfirmOpen());
    CHECK_FALSE(s.session().quitRequested());
    CHECK_FALSE(s.has("Stay"));
    CHECK(s.session().screen() == ui::ScreenId::Receive);
    CHECK(s.session().receiveView().last->feedback == ui::Feedback::Accepted);
    CHECK(s.stockAt("MUG", "DOCK") == 2);

    // Asked again: the screen's own buttons are not pressed through the dialog.
    s.session().requestClose();
    s.frame();
    s.tap("Home");
    CHECK(s.session().screen() == ui::ScreenId::Receive);
    CHECK(s.session().quitConfirmOpen());
    s.tap("Quit");
    CHECK(s.session().quitRequested());
    CHECK_FALSE(s.session().quitConfirmOpen());
    CHECK(s.stockAt("MUG", "DOCK") == 2);
}

TEST_CASE("home with a reader: the tiles' counts are read on the worker and come after the frame; they stay until new ones come")
{
    SessionHarness s("homereader", ui::ScreenId::Home);
    s.inbound("ASN-1,Mug Co,MUG,12,2026-12-04,095011010000000018\n"
              "ASN-2,Tea Co,TEA,6,2026-12-09,095011010000000025\n");
    s.orders("SO-1,1,Acme,a@example.com,MUG,3,1,2026-11-01,\n");
    app::MainQueue queue;
    auto reader = app::UiReader::start(s.options().dbPath, std::chrono::milliseconds(60000), queue);
    REQUIRE(reader);
    s.session().attachReader(reader->get());
    s.start();
    const auto& v = s.session().homeView();
    auto waitingOf = [&](ui::ScreenId screen) {
        for (const auto& t : v.tiles)
            if (t.screen == screen) return t.waiting;
        return std::optional<long long>();
    };
    CHECK_FALSE(waitingOf(ui::ScreenId::Receive)); // not read yet: the frame did not wait
    CHECK_FALSE(waitingOf(ui::ScreenId::Sync));    // the unsent count too
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (!waitingOf(ui::ScreenId::Receive) && std::chrono::steady_clock::now() < deadline)
        if (queue.waitPosted(100ms)) queue.drain();
    CHECK(waitingOf(ui::ScreenId::Receive) == std::optional<long long>(1)); // ASN-2's pallet is due later
    CHECK(waitingOf(ui::ScreenId::Sync) == std::optional<long long>(0));
    CHECK(waitingOf(ui::ScreenId::Pick) == std::optional<long long>(0));    // nothing allocated yet
    CHECK(waitingOf(ui::ScreenId::Putaway) == std::optional<long long>(0));
    CHECK(waitingOf(ui::ScreenId::Count) == std::optional<long long>(0));
    s.frame();
    CHECK(s.has("Receive\n1 pallets due"));

    // 5 mugs received: 3 go to SO-1 (a line to pick), 2 to put away. Back on Home, the old
    // counts show until the new ones are drained.
    s.receive("09501101010079", 5);
    s.tap("Stock");
    s.tap("Home");
    CHECK(waitingOf(ui::ScreenId::Pick) == std::optional<long long>(0));
    const auto again = std::chrono::steady_clock::now() + 20s;
    while (waitingOf(ui::ScreenId::Pick) == std::optional<long long>(0) && std::chrono::steady_clock::now() < again)
        if (queue.waitPosted(100ms)) queue.drain();
    CHECK(waitingOf(ui::ScreenId::Pick) == std::optional<long long>(1));
    CHECK(waitingOf(ui::ScreenId::Putaway) == std::optional<long long>(1));
    reader->reset();
}

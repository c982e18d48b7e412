// Headless screen tests (issue 12, "Must show"): each screen drawn by the real code in an
// ImGui context without a renderer; widgets found by label, pressed and released; the intent
// returned asserted; every touch target at least the minimum; a wedge burst taken as a scan
// on every screen with none of its characters reaching ImGui.

#include "ui/UiHarness.h"

#include "scan/Wedge.h"
#include "ui/CountScreen.h"
#include "ui/HomeScreen.h"
#include "ui/PickScreen.h"
#include "ui/PutawayScreen.h"
#include "ui/QuitConfirm.h"
#include "ui/ReceiveScreen.h"
#include "ui/StockScreen.h"
#include "ui/SignInScreen.h"
#include "ui/SyncScreen.h"
#include "ui/WedgeInput.h"

using namespace backfill;
using backfill::uitest::UiHarness;

namespace {

template <class Intent>
Intent lastOf(const std::vector<Intent>& intents)
{
    for (auto it = intents.rbegin(); it != intents.rend(); ++it)
        if (it->kind != Intent{}.kind) return *it;
    return Intent{};
}

ui::HomeView homeView()
{
    ui::HomeView v;
    v.operatorName = "ana";
    v.unsynced = 3;
    v.tiles = ui::homeTiles();
    v.tiles[1].waiting = 4; // Put away
    v.tiles[2].waiting = 9; // Pick
    return v;
}

ui::SyncView syncView()
{
    ui::SyncView v;
    v.operatorName = "ana";
    v.unsynced = 2;
    v.state = ui::LinkState::Offline;
    v.server = "tcp://backfilld.example:5555";
    v.device = "HH-03";
    v.lastSync = "2026-12-04T09:00:00Z";
    v.lastError = "timeout: no reply within 3000 ms";
    for (int i = 0; i < 30; ++i)
        v.inbox.push_back({100 + i, "SO-" + std::to_string(1000 + i) + " line 1  5 x MUG back to stock",
                           "SO-" + std::to_string(1000 + i) + " line 1: take 5 x MUG from OUT-1 back to stock",
                           "the server had no free units left for it"});
    return v;
}

ui::ReceiveView receiveView()
{
    ui::ReceiveView v;
    v.location = "DOCK-1";
    v.operatorName = "ana";
    v.unsynced = 1;
    ui::ReceiveResult r;
    r.feedback = ui::Feedback::Accepted;
    r.scan = "(01)09501101010079(30)12";
    r.lines.push_back({"MUG-0101", 12, std::string("L7"), "DOCK-1", {{5, "SO-1042", "Acme", std::string("OUT-1")}}, 7, 0});
    v.last = r;
    for (int i = 0; i < 40; ++i) v.recent.push_back({100 - i, "09:4" + std::to_string(i % 10), "MUG-0101", 12, std::nullopt, "DOCK-1", std::nullopt, false});
    return v;
}

ui::PutawayView putawayView()
{
    ui::PutawayView v;
    v.operatorName = "ana";
    v.items = {{"MUG-0101", std::string("L7"), "DOCK-1", 10, std::string("A-01-02")}, {"TEA", std::nullopt, "DOCK-1", 4, std::nullopt}};
    v.active = 0;
    return v;
}

ui::PickView pickView()
{
    ui::PickView v;
    v.operatorName = "ana";
    v.tasks = {{"SO-1042", "Acme", std::string("OUT-1"), 1, "MUG-0101", "A-01-02", std::string("L7"), std::string("2027-03-01"), 7},
               {"SO-1042", "Acme", std::string("OUT-1"), 2, "TEA", "A-01-03", std::nullopt, std::nullopt, 1}};
    v.current = 0;
    v.reasons = {{"NOT_FOUND", "Not there"}, {"DAMAGED", "Damaged"}};
    return v;
}

ui::CountView countView()
{
    ui::CountView v;
    v.operatorName = "ana";
    v.tasks = {{"A-01-02", "MUG-0101", "NOT_FOUND"}};
    v.mayApprove = true;
    v.pending = {{3, "MUG-0101", "A-01-02", std::nullopt, 9, 12, -3, "bo"}};
    v.adjustReasons = {{"COUNT_ERROR", "Book was wrong"}};
    return v;
}

ui::StockView stockView()
{
    ui::StockView v;
    v.operatorName = "ana";
    v.hits = {{"MUG-0101", "Stoneware mug", std::nullopt}, {"MUG-0102", "Stoneware mug, grey", 3}};
    return v;
}

// checkTargets asserts that the last frame drew touch targets, all at least the minimum, and
// the keypad's keys at least the keypad minimum.
void checkTargets(const UiHarness& h)
{
    REQUIRE_FALSE(h.targets().empty());
    const auto& m = h.ctx().metrics;
    for (const auto& t : h.targets()) {
        INFO("target '" << t.label << "' " << t.width() << "x" << t.height() << ", minimum " << m.minTargetPx);
        CHECK(t.width() >= m.minTargetPx);
        CHECK(t.height() >= m.minTargetPx);
        if (t.label.size() == 1) CHECK(t.height() >= m.keypadKeyPx); // keypad keys: 0-9, C, <
    }
}

} // namespace

TEST_CASE("sign-in: choose the operator, type the PIN on the keypad, sign in")
{
    UiHarness h;
    ui::SignInView view;
    view.operators = {"ana", "bo"};
    ui::SignInInput input;
    auto draw = [&] { return ui::drawSignInScreen(view, input, h.ctx()); };

    CHECK(lastOf(h.tap<ui::SignInIntent>("bo", draw)).kind == ui::SignInIntent::Kind::None);
    CHECK(input.operatorName == "bo");
    CHECK(lastOf(h.tap<ui::SignInIntent>("ana", draw)).kind == ui::SignInIntent::Kind::None);
    CHECK(input.operatorName == "ana");
    h.frame([&] { draw(); });
    CHECK(h.has("> ana")); // the chosen operator is marked by a word, not only a colour

    for (const char* key : {"1", "2", "3"}) h.tap<ui::SignInIntent>(key, draw);
    CHECK(input.pin == "123");
    // Three digits are no PIN: "Sign in" does nothing yet.
    CHECK(lastOf(h.tap<ui::SignInIntent>("Sign in", draw)).kind == ui::SignInIntent::Kind::None);
    h.tap<ui::SignInIntent>("9", draw);
    h.tap<ui::SignInIntent>("<", draw);
    h.tap<ui::SignInIntent>("4", draw);
    CHECK(input.pin == "1234");

    const auto intent = lastOf(h.tap<ui::SignInIntent>("Sign in", draw));
    CHECK(intent.kind == ui::SignInIntent::Kind::SignIn);
    CHECK(intent.operatorName == "ana");
    CHECK(intent.pin == "1234");
    CHECK(input.pin.empty()); // never kept after the attempt

    h.tap<ui::SignInIntent>("7", draw);
    h.tap<ui::SignInIntent>("C", draw);
    CHECK(input.pin.empty());
}

TEST_CASE("sign-in: while a sign-in is checked the screen takes no tap")
{
    UiHarness h;
    ui::SignInView view;
    view.operators = {"ana", "bo"};
    ui::SignInInput input;
    input.operatorName = "ana";
    input.pin = "1234";
    view.checking = true;
    auto draw = [&] { return ui::drawSignInScreen(view, input, h.ctx()); };
    CHECK(std::string(ui::kCheckingText) == "Checking ...");
    CHECK(lastOf(h.tap<ui::SignInIntent>("Sign in", draw)).kind == ui::SignInIntent::Kind::None);
    h.tap<ui::SignInIntent>("5", draw);
    h.tap<ui::SignInIntent>("C", draw);
    h.tap<ui::SignInIntent>("bo", draw);
    CHECK(input.pin == "1234");
    CHECK(input.operatorName == "ana");
    h.frame([&] { draw(); });
    checkTargets(h); // still at least the minimum, disabled or not

    view.checking = false; // the result came: the same input signs in again
    const auto intent = lastOf(h.tap<ui::SignInIntent>("Sign in", draw));
    CHECK(intent.kind == ui::SignInIntent::Kind::SignIn);
    CHECK(intent.pin == "1234");
}

TEST_CASE("sign-in: refusals are named in words")
{
    CHECK(std::string(ui::signInMessageTitle("bad_pin")) == "Wrong PIN");
    CHECK(std::string(ui::signInMessageTitle("locked")) == "Locked");
    CHECK(std::string(ui::signInMessageTitle("forbidden")) == "Not allowed");
    CHECK(std::string(ui::signInMessageTitle("unknown_user")) == "Unknown operator");
    CHECK(std::string(ui::signInMessageTitle("not_signed_in")) == "Scan not taken");
    CHECK(std::string(ui::signInMessageTitle("db_busy")) == "Cannot sign in");

    UiHarness h;
    ui::SignInView view;
    view.operators = {"ana"};
    view.message = ui::SignInMessage{"locked", "'ana' is locked until 09:35"};
    ui::SignInInput input;
    h.frame([&] { ui::drawSignInScreen(view, input, h.ctx()); });
    checkTargets(h);
}

TEST_CASE("home: every tile opens its screen")
{
    UiHarness h;
    auto view = homeView();
    ui::HomeInput input;
    auto draw = [&] { return ui::drawHomeScreen(view, input, h.ctx()); };

    const std::vector<std::pair<std::string, ui::ScreenId>> built{{"Receive", ui::ScreenId::Receive},
                                                                  {"Put away\n4 to put away", ui::ScreenId::Putaway},
                                                                  {"Pick\n9 lines to pick", ui::ScreenId::Pick},
                                                                  {"Count", ui::ScreenId::Count},
                                                                  {"Stock", ui::ScreenId::Stock},
                                                                  {"Sync", ui::ScreenId::Sync}};
    for (const auto& [label, screen] : built) {
        CAPTURE(label);
        auto open = lastOf(h.tap<ui::HomeIntent>(label, draw));
        CHECK(open.kind == ui::HomeIntent::Kind::Open);
        CHECK(open.screen == screen);
    }
    CHECK(ui::tileLabel(view.tiles[2]) == "Pick\n9 lines to pick");
    CHECK(lastOf(h.tap<ui::HomeIntent>("Sign out", draw)).kind == ui::HomeIntent::Kind::SignOut);
}

TEST_CASE("receive: the decision reads as the operator needs it")
{
    ui::ReceiveLine line{"MUG-0101", 12, std::string("L7"), "DOCK-1", {{5, "SO-1042", "Acme", std::string("OUT-1")}}, 7, 0};
    CHECK(ui::allocationText(line) == "5 -> SO-1042 Acme, stage OUT-1; 7 -> stock");
    CHECK(ui::resultHeadline(line) == "12 x MUG-0101  LOT L7");
    line.allocations.push_back({2, "SO-1050", "", std::nullopt});
    line.toStock = 0;
    line.overReceipt = 3;
    CHECK(ui::allocationText(line) == "5 -> SO-1042 Acme, stage OUT-1; 2 -> SO-1050 (3 over the ASN)");
    ui::ReceiveLine loose{"CLN-0101", 4, std::nullopt, "DOCK-1", {}, 0, 0};
    CHECK(ui::allocationText(loose) == "0 -> stock");
    CHECK(ui::recentText({7, "09:42", "CLN-0101", 4, std::nullopt, "DOCK-1", std::nullopt}) == "09:42  4 x CLN-0101  at DOCK-1");
}

TEST_CASE("receive: a refusal needs a tap; Home goes home")
{
    UiHarness h;
    auto view = receiveView();
    ui::ReceiveInput input;
    auto draw = [&] { return ui::drawReceiveScreen(view, input, h.ctx()); };

    h.frame([&] { draw(); });
    CHECK_FALSE(h.has("Tap to acknowledge"));
    checkTargets(h);

    ui::ReceiveResult r;
    r.feedback = ui::Feedback::Refused;
    r.scan = "(01)09501101099990";
    r.code = "unknown_gtin";
    r.message = "GTIN 09501101099990 is not in the catalog";
    view.last = r;
    CHECK(lastOf(h.tap<ui::ReceiveIntent>("Tap to acknowledge", draw)).kind == ui::ReceiveIntent::Kind::Acknowledge);
    view.last->acknowledged = true;
    h.frame([&] { draw(); });
    CHECK_FALSE(h.has("Tap to acknowledge"));
    CHECK(lastOf(h.tap<ui::ReceiveIntent>("Home", draw)).kind == ui::ReceiveIntent::Kind::Home);
}

TEST_CASE("quit confirmation: Stay and Quit over the screen, which takes no tap meanwhile")
{
    UiHarness h;
    auto view = homeView();
    ui::HomeInput input;
    std::vector<ui::HomeIntent> below;
    auto draw = [&] {
        below.push_back(ui::drawHomeScreen(view, input, h.ctx()));
        return ui::drawQuitConfirm(h.ctx());
    };
    CHECK(lastOf(h.tap<ui::QuitConfirmIntent>("Stay", draw)).kind == ui::QuitConfirmIntent::Kind::Stay);
    CHECK(lastOf(h.tap<ui::QuitConfirmIntent>("Quit", draw)).kind == ui::QuitConfirmIntent::Kind::Quit);
    // A tap where Home's "Sign out" lies, under the dialog's layer: nothing is pressed.
    const auto none = h.tap<ui::QuitConfirmIntent>("Sign out", draw);
    CHECK(lastOf(none).kind == ui::QuitConfirmIntent::Kind::None);
    CHECK(lastOf(below).kind == ui::HomeIntent::Kind::None);
    // Without the dialog the same tap signs out (the layer was what held it).
    CHECK(lastOf(h.tap<ui::HomeIntent>("Sign out", [&] { return ui::drawHomeScreen(view, input, h.ctx()); })).kind ==
          ui::HomeIntent::Kind::SignOut);
    CHECK(std::string(ui::kQuitTitle) == "Quit Backfill?");
}

TEST_CASE("every touch target is at least the minimum, portrait handheld and large tablet")
{
    for (auto [w, h] : {std::pair{480, 800}, std::pair{1080, 1920}}) {
        CAPTURE(w);
        UiHarness ui(w, h);
        CHECK(ui.ctx().metrics.minTargetPx == doctest::Approx(56.0f * ui::scaleForWindow(w, h)));
        ui::SignInView sv;
        sv.operators = {"ana", "bo", "carla"};
        ui::SignInInput si;
        ui.frame([&] { ui::drawSignInScreen(sv, si, ui.ctx()); });
        checkTargets(ui);
        auto hv = homeView();
        ui::HomeInput hi;
        ui.frame([&] { ui::drawHomeScreen(hv, hi, ui.ctx()); });
        checkTargets(ui);
        auto rv = receiveView();
        rv.last->feedback = ui::Feedback::Refused;
        rv.last->code = "sscc_received";
        ui::ReceiveInput ri;
        ui.frame([&] { ui::drawReceiveScreen(rv, ri, ui.ctx()); });
        checkTargets(ui);

        auto pv = putawayView();
        ui::PutawayInput pi;
        ui.frame([&] { ui::drawPutawayScreen(pv, pi, ui.ctx()); });
        checkTargets(ui);
        pv.freeMove = ui::FreeMove{"A-01-01", "MUG-0101", 6, std::nullopt};
        pi.qtySheet = true;
        ui.frame([&] { ui::drawPutawayScreen(pv, pi, ui.ctx()); });
        checkTargets(ui);

        auto kv = pickView();
        ui::PickInput ki;
        for (auto step : {ui::PickStep::Location, ui::PickStep::Quantity, ui::PickStep::Short}) {
            kv.step = step;
            ui.frame([&] { ui::drawPickScreen(kv, ki, ui.ctx()); });
            checkTargets(ui);
        }

        auto cv = countView();
        ui::CountInput ci;
        ui.frame([&] { ui::drawCountScreen(cv, ci, ui.ctx()); });
        checkTargets(ui);
        cv.location = "A-01-02";
        cv.sku = "MUG-0101";
        cv.recount = true;
        ui.frame([&] { ui::drawCountScreen(cv, ci, ui.ctx()); });
        checkTargets(ui);
        cv.sku.clear();
        cv.approvals = true;
        cv.chosen = 0;
        ui.frame([&] { ui::drawCountScreen(cv, ci, ui.ctx()); });
        checkTargets(ui);

        auto sv2 = stockView();
        ui::StockInput sti;
        ui.frame([&] { ui::drawStockScreen(sv2, sti, ui.ctx()); });
        checkTargets(ui);

        auto yv = syncView();
        ui::SyncInput yi;
        ui.frame([&] { ui::drawSyncScreen(yv, yi, ui.ctx()); });
        checkTargets(ui);
        yv.chosen = 0;
        yv.mayAct = false;
        yv.whyNot = "only a supervisor may";
        ui.frame([&] { ui::drawSyncScreen(yv, yi, ui.ctx()); });
        checkTargets(ui);

        // The quit confirmation over Home: its two buttons side by side, inside the window.
        ui.frame([&] {
            ui::drawHomeScreen(hv, hi, ui.ctx());
            ui::drawQuitConfirm(ui.ctx());
        });
        checkTargets(ui);
        const auto stay = ui.find("Stay");
        const auto quit = ui.find("Quit");
        CHECK(stay.height() >= ui.ctx().metrics.keypadKeyPx);
        CHECK(quit.height() >= ui.ctx().metrics.keypadKeyPx);
        CHECK(quit.min.x - stay.max.x >= ui.ctx().metrics.spacingPx);
        CHECK(stay.min.x >= 0);
        CHECK(quit.max.x <= static_cast<float>(w));
        CHECK(quit.max.y <= static_cast<float>(h));
    }
    CHECK(ui::scaleForWindow(1080, 1920) == doctest::Approx(2.25f));
    CHECK(ui::scaleForWindow(480, 800) == doctest::Approx(1.0f));
}

TEST_CASE("a wedge burst is a scan on every screen; slow typing reaches ImGui")
{
    using namespace std::chrono_literals;
    UiHarness h;
    ui::SignInView sv;
    sv.operators = {"ana"};
    ui::SignInInput si;
    auto hv = homeView();
    ui::HomeInput hi;
    auto rv = receiveView();
    ui::ReceiveInput ri;
    auto pv = putawayView();
    ui::PutawayInput pi;
    auto kv = pickView();
    ui::PickInput ki;
    auto cv = countView();
    ui::CountInput ci;
    auto stv = stockView();
    ui::StockInput sti;
    auto yv = syncView();
    ui::SyncInput yi;
    const std::vector<std::function<void()>> screens = {
        [&] { ui::drawSignInScreen(sv, si, h.ctx()); },   [&] { ui::drawHomeScreen(hv, hi, h.ctx()); },
        [&] { ui::drawReceiveScreen(rv, ri, h.ctx()); },  [&] { ui::drawPutawayScreen(pv, pi, h.ctx()); },
        [&] { ui::drawPickScreen(kv, ki, h.ctx()); },     [&] { ui::drawCountScreen(cv, ci, h.ctx()); },
        [&] { ui::drawStockScreen(stv, sti, h.ctx()); },   [&] { ui::drawSyncScreen(yv, yi, h.ctx()); },
    };
    const std::string code = "(00)095011010000042001";
    scan::Wedge wedge;
    ui::WedgeInput input;
    auto t = scan::WedgeTime{} + 10s;
    for (size_t i = 0; i < screens.size(); ++i) {
        CAPTURE(i);
        h.frame(screens[i]);
        t += 2s; // a pause before the burst proves its start
        for (char c : code) wedge.key(scan::KeyEvent::character(static_cast<unsigned char>(c), t += 5ms));
        wedge.key(scan::KeyEvent::enter(t += 5ms));
        const auto scans = input.deliver(wedge.poll(t), h.io());
        REQUIRE(scans.size() == 1);
        CHECK(scans[0].text == code);
        CHECK_FALSE(scans[0].doubleRead);
        CHECK(h.io().InputQueueCharacters.Size == 0);
        CHECK_FALSE(input.pressedKeys()); // the Enter that ended the scan is no key press
        h.frame(screens[i]);
    }

    // A person typing "12" then Backspace: characters into ImGui's queue, Backspace held down
    // for one frame and released by the next delivery.
    t += 2s;
    wedge.key(scan::KeyEvent::character(U'1', t));
    wedge.key(scan::KeyEvent::character(U'2', t += 200ms));
    wedge.key(scan::KeyEvent::backspace(t += 200ms));
    input.deliver(wedge.poll(t += 100ms), h.io());
    REQUIRE(h.io().InputQueueCharacters.Size == 2);
    CHECK(h.io().InputQueueCharacters[0] == U'1');
    CHECK(h.io().InputQueueCharacters[1] == U'2');
    const int backspace = h.io().KeyMap[ImGuiKey_Backspace];
    CHECK(h.io().KeysDown[backspace]);
    CHECK(input.pressedKeys());
    h.frame(screens[2]);
    input.deliver({}, h.io());
    CHECK_FALSE(h.io().KeysDown[backspace]);
    CHECK_FALSE(input.pressedKeys());
}

TEST_CASE("sync: the state in words, a correction chosen and acknowledged, sync now, home")
{
    UiHarness h;
    auto view = syncView();
    ui::SyncInput input;
    auto draw = [&] { return ui::drawSyncScreen(view, input, h.ctx()); };
    CHECK(ui::syncStatusLines(view) == std::vector<std::string>{"Unsent actions: 2", "Last sync: 2026-12-04T09:00:00Z",
                                                                "Server: tcp://backfilld.example:5555 as HH-03",
                                                                "Last attempt: timeout: no reply within 3000 ms"});
    CHECK(std::string(ui::linkWord(view.state)) == "offline");
    h.frame([&] { draw(); });
    CHECK_FALSE(h.has("Acknowledge")); // nothing chosen yet
    auto choose = lastOf(h.tap<ui::SyncIntent>("SO-1000 line 1  5 x MUG back to stock", draw));
    CHECK(choose.kind == ui::SyncIntent::Kind::Choose);
    CHECK(choose.index == 0);
    view.chosen = 0;
    auto ack = lastOf(h.tap<ui::SyncIntent>("Acknowledge", draw));
    CHECK(ack.kind == ui::SyncIntent::Kind::Acknowledge);
    CHECK(ack.index == 0);
    view.mayAct = false;
    CHECK(lastOf(h.tap<ui::SyncIntent>("Acknowledge", draw)).kind == ui::SyncIntent::Kind::None);
    CHECK(lastOf(h.tap<ui::SyncIntent>("Sync now", draw)).kind == ui::SyncIntent::Kind::SyncNow);
    CHECK(lastOf(h.tap<ui::SyncIntent>("Home", draw)).kind == ui::SyncIntent::Kind::Home);

    ui::SyncView none;
    CHECK(ui::syncStatusLines(none) ==
          std::vector<std::string>{"Unsent actions: 0", "Last sync: never",
                                   "Not enrolled: ask a supervisor to run backfill enroll; this terminal works on its own until then"});
    auto drawNone = [&] { return ui::drawSyncScreen(none, input, h.ctx()); };
    CHECK(lastOf(h.tap<ui::SyncIntent>("Sync now", drawNone)).kind == ui::SyncIntent::Kind::None); // disabled
}

// Count screen (issue 12 item 6) headless: the screen's steps and intents, and the real
// UiSession on a real database: a location by scan or task, blind counts on the keypad, a
// recount asked for in amber, a pending count approved in the supervisor's queue with a
// reason code, another rejected.

#include "ui/SessionHarness.h"

#include "store/Users.h"
#include "ui/CountScreen.h"

using namespace backfill;
using backfill::uitest::SessionHarness;
using backfill::uitest::UiHarness;
using store::TerminalStore;

TEST_CASE("count screen: prompts, keypad submit and the approval queue")
{
    UiHarness h;
    ui::CountView view;
    view.tasks = {{"A1", "TEA", "NOT_FOUND"}};
    view.mayApprove = true;
    view.pending = {{3, "MUG", "A1", std::nullopt, 9, 12, -3, "ana"}};
    view.adjustReasons = {{"COUNT_ERROR", "Book was wrong"}};
    ui::CountInput input;
    auto draw = [&] { return ui::drawCountScreen(view, input, h.ctx()); };
    CHECK(ui::countPrompt(view) == "Scan a location to count, or tap a task");
    CHECK(ui::countTaskText(view.tasks[0]) == "A1  TEA  (NOT_FOUND)");
    CHECK(ui::pendingText(view.pending[0]) == "#3  A1  MUG  counted 9, book 12 (-3)  by ana");
    auto task = h.tap<ui::CountIntent>("A1  TEA  (NOT_FOUND)", draw);
    CHECK(task.back().kind == ui::CountIntent::Kind::SelectTask);
    CHECK(task.back().index == 0);
    h.frame([&] { draw(); });
    CHECK(h.has("Approvals (1)"));

    view.location = "A1";
    CHECK(ui::countPrompt(view) == "Scan a product at A1");
    CHECK(h.tap<ui::CountIntent>("Done here", draw).back().kind == ui::CountIntent::Kind::Done);
    view.sku = "MUG";
    CHECK(ui::countPrompt(view) == "Count MUG at A1");
    h.tap<ui::CountIntent>("1", draw);
    h.tap<ui::CountIntent>("2", draw);
    auto submit = h.tap<ui::CountIntent>("OK", draw);
    CHECK(submit.back().kind == ui::CountIntent::Kind::Submit);
    CHECK(submit.back().qty == 12);
    CHECK(input.digits.empty());
    view.recount = true;
    CHECK(ui::countPrompt(view) == "Recount MUG at A1");
    CHECK(h.tap<ui::CountIntent>("Cancel", draw).back().kind == ui::CountIntent::Kind::CancelProduct);

    view.sku.clear();
    view.approvals = true;
    CHECK(ui::countPrompt(view) == "Choose a count to decide");
    auto chosen = h.tap<ui::CountIntent>("#3  A1  MUG  counted 9, book 12 (-3)  by ana", draw);
    CHECK(chosen.back().kind == ui::CountIntent::Kind::SelectPending);
    view.chosen = 0;
    CHECK(h.tap<ui::CountIntent>("Approve", draw).back().kind == ui::CountIntent::Kind::None); // no reason yet
    h.tap<ui::CountIntent>("COUNT_ERROR  Book was wrong", draw);
    auto approve = h.tap<ui::CountIntent>("Approve", draw);
    CHECK(approve.back().kind == ui::CountIntent::Kind::Approve);
    CHECK(approve.back().reason == "COUNT_ERROR");
    CHECK(h.tap<ui::CountIntent>("Reject", draw).back().kind == ui::CountIntent::Kind::Reject);
    CHECK(h.tap<ui::CountIntent>("Back", draw).back().kind == ui::CountIntent::Kind::Back);
}

TEST_CASE("count session: blind counts, a recount in amber, approval with a reason, a rejection")
{
    SessionHarness s("count", ui::ScreenId::Count);
    s.receive("09501101010079", 10);
    s.move("MUG", 10, "DOCK", "A1");
    s.receive("09501101010147", 20);
    s.move("TEA", 20, "DOCK", "A2");
    s.start();
    REQUIRE(s.session().screen() == ui::ScreenId::Count);
    const auto& v = s.session().countView();
    CHECK(v.mayApprove); // the built-in operator of a terminal without users

    s.scan(uitest::kMug);
    CHECK(v.last.code == "scan_location_first");
    s.scan("LOC:A1");
    CHECK(v.location == "A1");
    s.scan(uitest::kMug);
    REQUIRE(v.sku == "MUG");
    for (const char* k : {"1", "1", "OK"}) s.tap(k); // 11 of a book of 10: within max(2, 5 %)
    CHECK(v.last.feedback == ui::Feedback::Accepted);
    CHECK(v.last.title == "MUG at A1: 11 counted");
    CHECK(s.stockAt("MUG", "A1") == 11);
    CHECK(v.done == std::vector<std::string>{"MUG: 11 counted"});

    // 5 of 11: a recount, in amber, the product kept; 5 again: pending for a supervisor.
    s.scan(uitest::kMug);
    for (const char* k : {"5", "OK"}) s.tap(k);
    CHECK(v.last.feedback == ui::Feedback::Attention);
    CHECK(v.last.code == "recount");
    CHECK(v.last.title == "Recount MUG at A1");
    CHECK(v.recount);
    CHECK(v.sku == "MUG");
    for (const char* k : {"5", "OK"}) s.tap(k);
    CHECK(v.last.code == "pending");
    CHECK(v.sku.empty());
    CHECK(s.stockAt("MUG", "A1") == 11);

    // A second pending count, TEA at A2 (30 of 20, twice), to reject.
    s.scan("LOC:A2");
    CHECK(v.done.empty());
    s.scan(uitest::kTea);
    for (const char* k : {"3", "0", "OK"}) s.tap(k);
    for (const char* k : {"3", "0", "OK"}) s.tap(k);
    CHECK(v.last.code == "pending");
    s.tap("Done here");
    CHECK(v.location.empty());

    s.tap("Approvals (2)");
    REQUIRE(v.approvals);
    REQUIRE(v.pending.size() == 2);
    CHECK(ui::pendingText(v.pending[0]) == "#3  A1  MUG  counted 5, book 11 (-6)  by cli");
    s.tap(ui::pendingText(v.pending[0]));
    s.tap("COUNT_ERROR  Book was wrong");
    s.tap("Approve");
    CHECK(v.last.feedback == ui::Feedback::Accepted);
    CHECK(v.last.title == "Approved: MUG at A1 is 5");
    CHECK(s.stockAt("MUG", "A1") == 5);
    REQUIRE(v.pending.size() == 1);
    s.tap(ui::pendingText(v.pending[0]));
    s.tap("Reject");
    CHECK(v.last.title == "Rejected: TEA at A2 stays 20");
    CHECK(s.stockAt("TEA", "A2") == 20);
    auto rejected = s.store().counts(TerminalStore::CountState::Rejected);
    REQUIRE(rejected);
    REQUIRE(rejected->size() == 1);
    CHECK(rejected->front().sku == "TEA");
    CHECK(v.pending.empty());
    s.tap("Back");
    CHECK_FALSE(v.approvals);
}

TEST_CASE("count session: a picker counts blind and sees no approval queue; Home routes a location scan here")
{
    SessionHarness s("countpicker", ui::ScreenId::Home);
    s.receive("09501101010079", 10);
    s.move("MUG", 10, "DOCK", "A1");
    {
        store::Users users(s.store().database());
        REQUIRE(users.add("sue", ledger::Role::Supervisor, "1111", app::cliActor(s.options())));
        REQUIRE(users.add("pia", ledger::Role::Picker, "2222", app::cliActor(s.options())));
    }
    s.options().operatorName = "pia";
    setenv("BACKFILL_PIN", "2222", 1);
    s.start();
    unsetenv("BACKFILL_PIN");
    REQUIRE(s.session().screen() == ui::ScreenId::Home);
    s.scan("LOC:A1");
    REQUIRE(s.session().screen() == ui::ScreenId::Count);
    const auto& v = s.session().countView();
    CHECK(v.location == "A1");
    CHECK_FALSE(v.mayApprove);
    CHECK_FALSE(s.has("Approvals (0)"));
    s.scan(uitest::kMug);
    for (const char* k : {"2", "OK"}) s.tap(k);
    CHECK(v.last.code == "recount");
    for (const auto& line : v.last.lines) CHECK(line.find("10") == std::string::npos); // blind: no book shown
}

TEST_CASE("count session with a reader: tasks and the approval queue come from the worker; a read for a screen left is dropped")
{
    SessionHarness s("countreader", ui::ScreenId::Count);
    const auto actor = app::cliActor(s.options());
    s.receive("09501101010079", 10);
    s.move("MUG", 10, "DOCK", "A1");
    s.receive("09501101010147", 20);
    s.move("TEA", 20, "DOCK", "A2");
    // A short at A1 raises a count task there; TEA at A2 counted 30 twice waits for a supervisor.
    s.orders("SO-1,1,Acme,a@example.com,MUG,3,1,2026-11-01,\n");
    REQUIRE(s.store().shortPick(store::ShortRequest{"SO-1", 1, "A1", 1, "NOT_FOUND"}, actor));
    auto countTea = [&](long long n) {
        TerminalStore::CountRequest q;
        q.sku = "TEA";
        q.location = "A2";
        q.counted = n;
        q.basis = *s.store().latestEventId();
        REQUIRE(s.store().count(q, actor));
    };
    countTea(30);
    countTea(30);
    uitest::SessionReader r(s);
    s.start();
    REQUIRE(s.session().screen() == ui::ScreenId::Count);
    const auto& v = s.session().countView();
    CHECK(v.mayApprove);
    CHECK(v.tasks.empty()); // the frame did not wait for the lists
    CHECK(v.pending.empty());
    CHECK(v.adjustReasons.empty());
    REQUIRE(r.settle());
    REQUIRE(v.tasks.size() == 1);
    CHECK(ui::countTaskText(v.tasks[0]) == "A1  MUG  (NOT_FOUND)");
    REQUIRE(v.pending.size() == 1);
    const std::string pending = ui::pendingText(v.pending[0]);
    CHECK(pending == "#" + std::to_string(v.pending[0].countId) + "  A2  TEA  counted 30, book 20 (+10)  by cli");
    REQUIRE(v.adjustReasons.size() == 1);
    CHECK(v.adjustReasons[0].code == "COUNT_ERROR");

    // The queue opened: the count chosen while it is read stays chosen when the new one comes.
    s.tap("Approvals (1)");
    REQUIRE(v.approvals);
    s.tap(pending);
    CHECK(v.chosen == size_t(0));
    REQUIRE(r.settle());
    CHECK(v.chosen == size_t(0));
    s.tap("COUNT_ERROR  Book was wrong");
    s.tap("Approve");
    CHECK(v.last.title == "Approved: TEA at A2 is 30"); // written in the frame
    CHECK(s.stockAt("TEA", "A2") == 30);
    CHECK(v.pending.size() == 1); // the old queue until the new one comes
    CHECK_FALSE(v.chosen);
    REQUIRE(r.settle());
    CHECK(v.pending.empty());
    s.tap("Back");

    // Count opened again and left before its lists came: they are not applied.
    s.tap("Home");
    countTea(40);
    countTea(40);
    REQUIRE(r.settle());
    s.tapTile(ui::ScreenId::Count);
    REQUIRE(s.session().screen() == ui::ScreenId::Count);
    s.tap("Home");
    REQUIRE(r.settle());
    CHECK(v.pending.empty()); // the dropped read had TEA's second count
    s.tapTile(ui::ScreenId::Count);
    REQUIRE(r.settle());
    REQUIRE(v.pending.size() == 1);
    CHECK(v.pending[0].counted == 40);
}

TEST_CASE("count session with a writer: while a count is recorded the screen says Recording and refuses a scan with `recording`; the recount comes with the result")
{
    SessionHarness s("countwriter", ui::ScreenId::Count);
    s.receive("09501101010079", 10);
    s.move("MUG", 10, "DOCK", "A1");
    uitest::SessionReader r(s);
    uitest::SessionWriter w(s, &r);
    s.start();
    REQUIRE(w.settle());
    const auto& v = s.session().countView();
    s.scan("LOC:A1");
    s.scan(uitest::kMug);
    REQUIRE(v.sku == "MUG");
    REQUIRE(w.settle()); // the count's basis, read on the writer (OK waits for it)
    REQUIRE_FALSE(s.session().countBasisPending());

    test::PlainDb other(s.options().dbPath);
    other.exec("BEGIN IMMEDIATE");
    for (const char* k : {"5", "OK"}) s.tap(k); // 5 of 10: a recount, once it is recorded
    CHECK(v.recording);
    CHECK(ui::countPrompt(v) == "Recording ...");
    CHECK(v.last.feedback == ui::Feedback::None);
    s.scan("LOC:A2");
    CHECK(v.last.code == "recording");
    CHECK(v.location == "A1");
    s.tap("Tap to acknowledge");
    CHECK(w.drainFor(std::chrono::milliseconds(200)) == 0);

    other.exec("ROLLBACK");
    REQUIRE(w.settle());
    CHECK_FALSE(v.recording);
    CHECK(v.last.code == "recount");
    CHECK(v.last.title == "Recount MUG at A1");
    CHECK(v.recount);
    CHECK(v.sku == "MUG");
    CHECK(s.session().takeCue() == ui::Feedback::Attention);
    for (const char* k : {"5", "OK"}) s.tap(k);
    REQUIRE(w.settle());
    CHECK(v.last.code == "pending");
    CHECK(v.sku.empty());
    CHECK(v.done == std::vector<std::string>{"MUG: 5 counted, waits for a supervisor"});

    // The supervisor's decision on the writer.
    s.tap("Approvals (1)");
    REQUIRE(r.settle());
    REQUIRE(v.pending.size() == 1);
    s.tap(ui::pendingText(v.pending[0]));
    s.tap("COUNT_ERROR  Book was wrong");
    s.tap("Approve");
    CHECK(v.recording);
    REQUIRE(w.settle());
    CHECK(v.last.title == "Approved: MUG at A1 is 5");
    CHECK(s.stockAt("MUG", "A1") == 5);
    CHECK(v.pending.empty());
}

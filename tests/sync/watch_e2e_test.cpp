// The touch UI's link worker watching the server (issue 11 item 4, issue 12 item 8; docs/
// sync.md, Watching for changes): the real backfilld serving on tcp://127.0.0.1, two terminal
// databases enrolled with the real `backfill`, and app::UiSyncWorker in process on one of
// them with its poll set to an hour. Another terminal's receipt reaches it through the
// long-poll Pull alone; stopping the worker cancels the Pull the server is holding.
#include "app/UiSyncWorker.h"
#include "e2e/BackfilldProcess.h"
#include "e2e/CliHarness.h"

#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <vector>

using namespace backfill;
using namespace backfill::e2e;
using namespace std::chrono_literals;

namespace {

const char* kNow = "2026-01-15T10:00:00Z";
const std::string kGtinA = withCheckDigit("400000000001");

int64_t logHead(const Backfilld& s)
{
    const Json log = s.json({"log"});
    return log.empty() ? 0 : log.back()["seq"].get<int64_t>();
}

void enroll(const CliHarness& t, const Backfilld& s, const std::string& device)
{
    auto r = t.run({"--now", kNow, "enroll", "--server", s.url(), "--device", device, "--token", s.addDevice(device)});
    INFO(r);
    REQUIRE(r.status == 0);
}

// nextState waits for the worker's next report on the main-thread queue and keeps it.
app::UiSyncState nextState(app::MainQueue& queue, const std::vector<app::UiSyncState>& states, std::chrono::seconds limit)
{
    REQUIRE_MESSAGE(queue.waitPosted(limit), "no report from the link worker within " << limit.count() << " s");
    CHECK(queue.drain() == 1);
    REQUIRE(!states.empty());
    return states.back();
}

} // namespace

TEST_CASE("UI link worker: another terminal's receipt arrives through the long-poll, not the poll; stopping cancels the held pull")
{
    CliHarness serverDir, hh01, hh02;
    Backfilld s(serverDir);
    s.import("locations", "code,kind,sequence\nDOCK,receiving,1\nA-01,storage,100\n", 2);
    s.import("catalog", "sku,description,gtin\nSKU-A,Widget," + kGtinA + "\n", 1);
    s.serve();
    enroll(hh01, s, "HH-01");
    enroll(hh02, s, "HH-02");

    app::MainQueue queue;
    app::UiSyncOptions so;
    so.dbPath = hh01.db();
    so.timeout = 3000ms;
    so.poll = 1h;       // no round from the clock: only the watcher can bring HH-02's receipt
    so.backoffMin = 1h;
    so.watch = 20000ms; // the server holds each Pull up to 20 s
    std::vector<app::UiSyncState> states;
    auto worker = app::UiSyncWorker::start(so, queue, [&](const app::UiSyncState& st) { states.push_back(st); });
    REQUIRE(worker);
    const auto first = nextState(queue, states, 20s);
    CHECK(first.round == 1);
    CHECK(first.link == ui::LinkState::Online);
    CHECK(first.pulled == 0); // enrolment pulled everything
    CHECK_FALSE(first.error);

    // HH-02 receives 7 widgets and syncs: the server's log grows by what its receipt wrote.
    const int64_t head = logHead(s);
    auto received = hh02.run({"--now", kNow, "receive", "(01)0" + kGtinA + "(30)7"});
    INFO(received);
    REQUIRE(received.status == 0);
    auto synced = hh02.run({"--now", kNow, "sync"});
    INFO(synced);
    REQUIRE(synced.status == 0);
    const int64_t grown = logHead(s) - head;
    REQUIRE(grown >= 1);

    // HH-01's worker hears of it and pulls it in its second round.
    const auto second = nextState(queue, states, 20s);
    CHECK(second.round == 2);
    CHECK(second.link == ui::LinkState::Online);
    CHECK(second.pulled == grown);
    CHECK(second.pushed == 0);
    CHECK_FALSE(second.error);
    const Json detail = hh01.stockDetail("SKU-A");
    REQUIRE(detail.size() == 1);
    CHECK(detail[0]["on_hand"] == 7);

    // The watcher is holding a 20 s Pull again; stopping cancels it rather than waiting it out.
    std::this_thread::sleep_for(300ms); // let the watcher's next Pull reach the server
    const auto stopping = std::chrono::steady_clock::now();
    worker->reset();
    const auto took = std::chrono::steady_clock::now() - stopping;
    CHECK(took < 5s);
    CHECK(states.size() == 2); // no round ran that this test did not cause
}

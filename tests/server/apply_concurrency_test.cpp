// The Applier under concurrency over a real SQLite file: several server threads, each on a
// connection of its own, push at once; the write queue groups the requests waiting into one
// commit.

#include "server/ApplyHarness.h"

using namespace applytest;

namespace {

std::unique_ptr<SqliteServerStore> connection(const Server& s)
{
    auto store = SqliteServerStore::open((s.dir / "server.db").string());
    REQUIRE(store);
    return std::move(*store);
}

// Serving is the write path `backfilld serve` has: a WriteQueue on a writer connection, and
// an Applier on a connection of its own that writes through it.
struct Serving {
    WriteQueue queue;
    std::unique_ptr<SqliteServerStore> mine;
    std::unique_ptr<Applier> applier;

    explicit Serving(const Server& s) : queue(connection(s)), mine(connection(s))
    {
        ApplierOptions options;
        options.writes = &queue;
        applier = std::make_unique<Applier>(*mine, options);
    }
};

// Queued is a WriteQueue on a server's file whose steps append test entries to the log, and
// a way to hold its first round open until other requests wait.
struct Queued {
    Server s;
    WriteQueue queue;
    int64_t head;
    std::atomic<bool> release{false}, inRound{false};

    Queued() : queue(connection(s)), head(s.head()) {}

    static Result<bool> append(ServerStore& store, const std::string& what)
    {
        auto seq = store.appendLog("test", R"({"what":")" + what + R"("})");
        if (!seq) return ledger::unexpected(seq.error());
        return false;
    }

    // hold runs a request appending `what` whose step waits inside its round until released;
    // it returns once the step is in its round.
    std::thread hold(const std::string& what, WriteQueue::Turn turn = {})
    {
        release = false;
        inRound = false;
        std::thread t([this, what, turn] {
            CHECK(queue.run(
                [&](ServerStore& store) -> Result<bool> {
                    inRound = true;
                    while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(1));
                    return append(store, what);
                },
                turn));
        });
        while (!inRound) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        return t;
    }

    void waitUntilWaiting(size_t n) const
    {
        while (queue.waiting() < n) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }

    // logged: the test entries appended since the start, in log order.
    std::vector<std::string> logged() const
    {
        std::vector<std::string> out;
        const auto entries = s.store->entriesAfter(head, 100);
        REQUIRE(entries);
        for (const auto& e : *entries) out.push_back(e.payload);
        return out;
    }
};

} // namespace

TEST_CASE("several server threads, each on a connection of its own, push at once: every op applied once, log seqs gap-free")
{
    // backfilld serve answers on several workers, each with its own SqliteServerStore on the
    // same file; every write must take its turn without a db_busy reaching a terminal.
    Server s;
    constexpr int kThreads = 6, kPushes = 15, kOpsPerPush = 4;
    std::vector<std::string> tokens;
    for (int t = 0; t < kThreads; ++t) tokens.push_back(*enrolDevice(*s.store, "HH-" + std::to_string(t)));
    const int64_t headBefore = s.head();
    std::atomic<int> errors{0};
    std::vector<std::string> errorCodes(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            auto mine = SqliteServerStore::open((s.dir / "server.db").string());
            if (!mine) {
                ++errors;
                return;
            }
            Applier applier(**mine);
            const std::string device = "HH-" + std::to_string(t);
            auto hello = applier.hello({protocol::kProtocolVersion, device, 0, tokens[static_cast<size_t>(t)]});
            if (!std::holds_alternative<protocol::HelloAck>(hello)) {
                errorCodes[static_cast<size_t>(t)] = std::get<protocol::Error>(hello).code;
                ++errors;
                return;
            }
            const protocol::Session session{std::get<protocol::HelloAck>(hello).sessionId};
            int64_t seq = 0;
            for (int p = 0; p < kPushes; ++p) {
                protocol::Push push{session, {}};
                for (int k = 0; k < kOpsPerPush; ++k) {
                    ++seq;
                    push.ops.push_back(op(100000 * (t + 1) + static_cast<int>(seq), seq, "receive", receipt("DOCK", 1, "")));
                }
                auto reply = applier.push(push);
                const auto* ack = std::get_if<protocol::PushAck>(&reply);
                if (!ack) {
                    errorCodes[static_cast<size_t>(t)] = std::get<protocol::Error>(reply).code;
                    ++errors;
                    return;
                }
                for (const auto& r : ack->results)
                    if (r.status != OpStatus::Applied) ++errors;
                if (ack->results.size() != static_cast<size_t>(kOpsPerPush)) ++errors;
            }
        });
    }
    for (auto& t : threads) t.join();
    for (const auto& code : errorCodes) CHECK(code == "");
    CHECK(errors == 0);
    constexpr int kOps = kThreads * kPushes * kOpsPerPush;
    CHECK(s.onHand("SKU-A", "DOCK") == kOps);
    // Every receipt wrote one entry, and the seqs after the head are 1..kOps apart, each once.
    const auto entries = s.store->entriesAfter(headBefore, 10 * kOps);
    REQUIRE(entries);
    int receipts = 0;
    for (size_t i = 0; i < entries->size(); ++i) {
        CHECK((*entries)[i].seq == headBefore + static_cast<int64_t>(i) + 1);
        receipts += (*entries)[i].kind == "receive";
    }
    CHECK(receipts == kOps);
}

TEST_CASE("write queue: the requests waiting share one commit; a long request goes on next round; a failed step fails its round")
{
    Queued q;
    WriteQueue& queue = q.queue;
    // Round 1 holds request A inside its step until B and C wait; they then share round 2.
    std::thread a = q.hold("A");
    int bSteps = 0;
    std::vector<std::thread> others;
    others.emplace_back([&] {
        // B writes in two steps: the second goes into round 3.
        CHECK(queue.run([&](ServerStore& store) -> Result<bool> {
            ++bSteps;
            auto r = Queued::append(store, "B" + std::to_string(bSteps));
            if (!r) return r;
            return bSteps < 2;
        }));
    });
    q.waitUntilWaiting(1);
    others.emplace_back([&] { CHECK(queue.run([&](ServerStore& store) { return Queued::append(store, "C"); })); });
    q.waitUntilWaiting(2);
    q.release = true;
    a.join();
    for (auto& t : others) t.join();
    CHECK(queue.rounds() == 3);
    CHECK(queue.steps() == 4);
    CHECK(q.logged() == std::vector<std::string>{R"({"what":"A"})", R"({"what":"B1"})", R"({"what":"C"})", R"({"what":"B2"})"});

    // A step that fails rolls its whole round back: the other request of the round gets the
    // error too and nothing of the round stays.
    std::thread hold = q.hold("D");
    Result<void> good, bad;
    std::thread e([&] { good = queue.run([&](ServerStore& store) { return Queued::append(store, "E"); }); });
    q.waitUntilWaiting(1);
    std::thread f([&] { bad = queue.run([](ServerStore&) -> Result<bool> { return ledger::fail("db_full", "the disk is full"); }); });
    q.waitUntilWaiting(2);
    q.release = true;
    hold.join();
    e.join();
    f.join();
    REQUIRE_FALSE(good);
    CHECK(good.error().code == "db_full");
    REQUIRE_FALSE(bad);
    CHECK(bad.error().code == "db_full");
    CHECK(q.s.head() == q.head + 5); // D only
    CHECK(q.s.lastEntry() == R"({"what":"D"})");
}

TEST_CASE("write queue: a round runs one step of each owner, its lowest in order; the owner's next waits for the next round")
{
    Queued q;
    // Round 1 holds A (device HH-1) until Z (HH-1, order 30), Y (HH-2), X (HH-1, order 20)
    // and W (a sign-in, no owner) wait, in that order. Round 2 takes Y, X (HH-1's lowest,
    // though it came after Z) and W; Z waits for round 3.
    std::thread a = q.hold("A", {"HH-1", 10});
    struct Waiting {
        std::string what, owner;
        int64_t order;
    };
    const std::vector<Waiting> steps{{"Z", "HH-1", 30}, {"Y", "HH-2", 5}, {"X", "HH-1", 20}, {"W", "", 0}};
    std::vector<std::thread> waiting;
    for (size_t i = 0; i < steps.size(); ++i) {
        waiting.emplace_back([&, i] {
            CHECK(q.queue.run([&](ServerStore& store) { return Queued::append(store, steps[i].what); }, {steps[i].owner, steps[i].order}));
        });
        q.waitUntilWaiting(i + 1);
    }
    q.release = true;
    a.join();
    for (auto& t : waiting) t.join();
    CHECK(q.queue.rounds() == 3);
    CHECK(q.queue.steps() == 5);
    CHECK(q.logged() == std::vector<std::string>{R"({"what":"A"})", R"({"what":"Y"})", R"({"what":"X"})", R"({"what":"W"})",
                                                 R"({"what":"Z"})"});
}

TEST_CASE("committed seqs: a wait ends when the device's seq is committed in its epoch, at its deadline, or at stop")
{
    CommittedSeqs seqs;
    const auto soon = [] { return std::chrono::steady_clock::now() + std::chrono::milliseconds(50); };
    CHECK_FALSE(seqs.waitFor("HH-1", 1, 1, soon())); // nothing committed: the deadline ends it
    seqs.committed("HH-1", 1, 500);
    CHECK(seqs.waitFor("HH-1", 1, 500, soon()));
    CHECK(seqs.waitFor("HH-1", 1, 20, soon()));
    CHECK_FALSE(seqs.waitFor("HH-1", 1, 501, soon()));
    CHECK_FALSE(seqs.waitFor("HH-1", 2, 1, soon())); // another epoch starts again
    CHECK_FALSE(seqs.waitFor("HH-2", 1, 1, soon())); // another device
    seqs.committed("HH-1", 1, 300);                  // never goes back
    CHECK(seqs.waitFor("HH-1", 1, 500, soon()));

    // A waiter wakes when its seq is committed, long before its deadline of 60 s; a commit
    // short of it does not end the wait.
    std::atomic<int> woke{0};
    std::thread waiter([&] { woke = seqs.waitFor("HH-1", 1, 1000, std::chrono::steady_clock::now() + std::chrono::seconds(60)) ? 1 : 2; });
    seqs.committed("HH-1", 1, 999);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    CHECK(woke == 0);
    seqs.committed("HH-1", 1, 1000);
    waiter.join();
    CHECK(woke == 1);

    // stop ends every wait at once.
    std::thread stopped([&] { woke = seqs.waitFor("HH-3", 1, 1, std::chrono::steady_clock::now() + std::chrono::seconds(60)) ? 1 : 2; });
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    seqs.stop();
    stopped.join();
    CHECK(woke == 2);
}

TEST_CASE("a push that waited for the writer while its device was revoked applies nothing and is refused: revoked")
{
    // Authentication reads the device on the request's own connection, before the push waits
    // for the writer's round. A `device revoke` committed in between used to let the push
    // apply; the push's own transaction now reads the device again.
    Server s;
    const protocol::Credentials who = s.enrol("HH-01"); // signed in: epoch 1
    Serving serving(s);
    WriteQueue& queue = serving.queue;
    const int64_t head = s.head();

    // Round 1 waits until HH-01's push (authenticated) waits for round 2, then revokes HH-01.
    std::atomic<bool> release{false}, inRound{false};
    std::thread revoking([&] {
        CHECK(queue.run([&](ServerStore& store) -> Result<bool> {
            inRound = true;
            while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(1));
            // What `backfilld device revoke` commits (revokeDevice, in a transaction of its own).
            auto d = store.device("HH-01");
            if (!d || !*d) return ledger::fail("test", "HH-01 is not there");
            DeviceRecord record = **d;
            record.revoked = true;
            if (auto r = store.saveDevice(record); !r) return ledger::unexpected(r.error());
            return false;
        }));
    });
    while (!inRound) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    protocol::Message reply;
    std::thread pushing([&] { reply = serving.applier->push({who, {op(1, 1, "receive", receipt("DOCK", 2, ""))}}); });
    while (queue.waiting() < 1) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    release = true;
    revoking.join();
    pushing.join();
    REQUIRE(std::holds_alternative<protocol::Error>(reply));
    CHECK(std::get<protocol::Error>(reply).code == "revoked");
    CHECK(std::get<protocol::Error>(reply).message == "device 'HH-01' was revoked: enrol it again");
    CHECK(s.onHand("SKU-A", "DOCK") == 0);
    CHECK(s.head() == head);
}

TEST_CASE("a push that reaches the writer before the push sent ahead of it waits for it; a gap nothing fills is expected_seq")
{
    // A terminal catching up keeps several pushes in flight (sync/link): the second may reach
    // the writer first. It waits for the first instead of being answered expected_seq.
    Server s;
    const protocol::Credentials who = s.enrol("HH-01");
    Serving serving(s);
    WriteQueue& queue = serving.queue;
    Applier& applier = *serving.applier;

    protocol::Message second;
    std::atomic<bool> answered{false};
    std::thread ahead([&] {
        second = applier.push({who, {op(3, 3, "receive", receipt("DOCK", 1, "")), op(4, 4, "receive", receipt("DOCK", 1, ""))}});
        answered = true;
    });
    // The second push has had its round: its first op came after a gap, so it waits until
    // the op before it is committed (CommittedSeqs), up to kEarlyPushWait.
    while (queue.steps() < 1 && !answered) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    CHECK(!answered);
    CHECK(queue.rounds() == 1); // no round for nothing while it waits
    const auto first = applier.push({who, {op(1, 1, "receive", receipt("DOCK", 1, "")), op(2, 2, "receive", receipt("DOCK", 1, ""))}});
    ahead.join();
    REQUIRE(std::holds_alternative<protocol::PushAck>(first));
    REQUIRE(std::holds_alternative<protocol::PushAck>(second));
    const auto& a = std::get<protocol::PushAck>(first);
    const auto& b = std::get<protocol::PushAck>(second);
    REQUIRE(a.results.size() == 2);
    REQUIRE(b.results.size() == 2);
    for (const auto* ack : {&a, &b}) {
        CHECK(ack->expectedSeq == 0);
        for (const auto& r : ack->results) CHECK(r.status == OpStatus::Applied);
    }
    CHECK(a.results[1].globalSeq < b.results[0].globalSeq); // applied in device_seq order
    CHECK(queue.rounds() == 3);                             // its early round, the first's, its own
    CHECK(b.headCursor == s.head());
    CHECK(s.onHand("SKU-A", "DOCK") == 4);

    // A gap that nothing fills: answered expected_seq once the push has waited kEarlyPushWait.
    const auto t0 = std::chrono::steady_clock::now();
    const auto gap = applier.push({who, {op(7, 7, "receive", receipt("DOCK", 1, ""))}});
    CHECK(std::chrono::steady_clock::now() - t0 >= kEarlyPushWait);
    REQUIRE(std::holds_alternative<protocol::PushAck>(gap));
    const auto& g = std::get<protocol::PushAck>(gap);
    CHECK(g.expectedSeq == 5);
    REQUIRE(g.results.size() == 1);
    CHECK(g.results[0].code == "expected_seq");
    CHECK(g.results[0].message == "expected device_seq 5, got 7: send the missing ops first");
    CHECK(s.onHand("SKU-A", "DOCK") == 4);
}

// The terminal's link to backfilld end to end (issue 11 item 4, Must show): the real backfilld
// ($BACKFILLD_BIN) serving on tcp://127.0.0.1 and real `backfill` processes ($BACKFILL_BIN),
// each terminal on its own database file. Enrolment, offline receipts, `backfill sync` and
// `sync --status` exactly, resync, exit statuses 4 and 5, re-enrolment after a revoke, import
// refused while enrolled; three terminals claiming the same backorders offline; one pallet
// received on two terminals; backfilld killed with SIGKILL in the middle of a push.
//
// Few processes on purpose (the whole file runs in well under 40 s under ASan): receipts go
// in batches through `receive -`, and the test never sleeps for a fixed time; it polls with
// a deadline where it waits for another process.
#include "e2e/BackfilldProcess.h"
#include "e2e/CliHarness.h"

#include <doctest/doctest.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

using namespace backfill::e2e;
using namespace std::chrono_literals;

namespace {

const char* kNow = "2026-01-15T10:00:00Z";
const std::string kGtinA = withCheckDigit("400000000001"); // SKU-A, each
const std::string kGtinB = withCheckDigit("400000000002"); // SKU-B, each
const std::string kPallet = withCheckDigit("34000000000000001"); // ASN-1: 10 SKU-B

// scanA is a receipt scan of `units` of SKU-A.
std::string scanA(int units) { return "(01)0" + kGtinA + "(30)" + std::to_string(units); }

using Server = Backfilld;

// Terminal is one `backfill` database with the link's commands.
struct Terminal : CliHarness {
    RunResult at(const std::vector<std::string>& args, const std::string& input = "") const
    {
        std::vector<std::string> all{"--now", kNow};
        all.insert(all.end(), args.begin(), args.end());
        return run(all, input);
    }
    Json enroll(const Server& s, const std::string& device, const std::string& token) const
    {
        auto r = at({"enroll", "--server", s.url(), "--device", device, "--token", token});
        INFO(r);
        REQUIRE(r.status == 0);
        return r.json();
    }
    Json sync() const
    {
        auto r = at({"sync"});
        INFO(r);
        REQUIRE(r.status == 0);
        return r.json();
    }
    Json status() const
    {
        auto r = at({"sync", "--status"});
        INFO(r);
        REQUIRE(r.status == 0);
        return r.json();
    }
    // receiveAll receives each scan of `scans` in one `receive -` run.
    void receiveAll(const std::vector<std::string>& scans) const
    {
        std::string input;
        for (const auto& s : scans) input += s + "\n";
        auto r = at({"receive", "-"}, input);
        INFO(r);
        REQUIRE(r.status == 0);
        REQUIRE(r.outLines().size() == scans.size());
    }
    // locationsOf is the terminal's `stock --sku` locations without expiry (the lot expiry case compares it).
    Json locationsOf(const std::string& sku) const
    {
        Json out = Json::array();
        for (const auto& row : stockDetail(sku))
            for (auto l : row["locations"]) {
                l.erase("expiry");
                out.push_back(l);
            }
        return out;
    }
};

Json correction(const std::string& order, int64_t line, const std::string& sku, int64_t oldQty, int64_t newQty, const std::string& message)
{
    return Json{{"order_id", order}, {"line", line}, {"sku", sku}, {"old_qty", oldQty}, {"new_qty", newQty}, {"message", message}};
}

Json syncJson(int64_t pushed, int64_t pulled, Json corrections = Json::array())
{
    return Json{{"pushed", pushed}, {"pulled", pulled}, {"corrections", std::move(corrections)}};
}

int64_t logHead(const Server& s)
{
    const Json log = s.json({"log"});
    return log.empty() ? 0 : log.back()["seq"].get<int64_t>();
}

const char* kLocations = "code,kind,sequence\nDOCK,receiving,1\nA-01,storage,100\n";

std::string catalog()
{
    return "sku,description,gtin\nSKU-A,Widget," + kGtinA + "\nSKU-B,Gadget," + kGtinB + "\n";
}

// The views agree: every product's stock (totals and each location) and every backorder.
void checkSameView(const Server& s, const Terminal& t)
{
    CHECK(t.backorders() == s.json({"backorders"}));
    for (const char* sku : {"SKU-A", "SKU-B"}) {
        CAPTURE(sku);
        CHECK(t.locationsOf(sku) == s.stockOf(sku));
    }
}

// startSync starts `backfill sync ARGS...` on `t`'s database in the background (stdout and
// stderr in sync-TAG-out.txt and sync-TAG-err.txt in its folder); gives its pid.
pid_t startSync(const Terminal& t, const std::string& tag, const std::vector<std::string>& extra = {})
{
    const auto out = (t.dir() / ("sync-" + tag + "-out.txt")).string();
    const auto err = (t.dir() / ("sync-" + tag + "-err.txt")).string();
    std::vector<std::string> args{std::getenv("BACKFILL_BIN"), "--db", t.db(), "--today", CliHarness::kToday, "--now", kNow, "sync"};
    args.insert(args.end(), extra.begin(), extra.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid = -1;
    const int rc = ::posix_spawn(&pid, args[0].c_str(), &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    REQUIRE(rc == 0);
    return pid;
}

// exitOf waits for `pid`; gives its exit status (-1: killed by a signal).
int exitOf(pid_t pid)
{
    int st = 0;
    while (::waitpid(pid, &st, 0) < 0) {
    }
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

// TwoTerminals is backfilld serving its `locations`, the catalog and its `backorders` (start;
// the rows' counts checked), with HH-01 enrolled on t1 and HH-02 added for t2 (enrolTwo).
struct TwoTerminals {
    Terminal t1, t2;
    Server s{t1};
    std::string token2;

    void start(const std::string& locations, int locationRows, const std::string& backorders, int backorderRows)
    {
        s.import("locations", locations, locationRows);
        s.import("catalog", catalog(), 2);
        s.import("backorders", "order_id,line,customer,sku,qty,priority,ordered_at\n" + backorders, backorderRows);
        const std::string token1 = s.addDevice("HH-01");
        token2 = s.addDevice("HH-02");
        s.serve();
        t1.enroll(s, "HH-01", token1);
    }
    void enrolTwo() { t2.enroll(s, "HH-02", token2); }
};

} // namespace

TEST_CASE("link: enrol, receive offline, sync and its status, resync sends nothing, exit 4 and 5, re-enrolment sends what waited")
{
    Terminal t;
    Server s(t);
    s.import("locations", kLocations, 2);
    s.import("catalog", catalog(), 2);
    s.import("backorders", "order_id,line,customer,sku,qty,priority,ordered_at\nSO-1,1,Ann,SKU-A,5,0,2026-01-01\n", 1);
    const std::string token = s.addDevice("HH-01");
    s.serve();
    const int64_t head = logHead(s);

    // Enrolment pulls the master data: the terminal is ready to work.
    CHECK(t.enroll(s, "HH-01", token) == Json{{"enrolled", "HH-01"}, {"server", s.url()}, {"epoch", 1}, {"pushed", 0}, {"pulled", head}, {"corrections", Json::array()}});
    CHECK(t.status() ==
          Json{{"server", s.url()}, {"device", "HH-01"}, {"epoch", 1}, {"unsent", 0}, {"cursor", head}, {"last_sync", kNow}});
    CHECK(t.backorders() == s.json({"backorders"}));
    const auto refused = t.importCsv("catalog", catalog());
    CHECK(refused.status == 1);
    CHECK(refused.codes() == std::vector<std::string>{"enrolled"});

    // Offline: three receipts recorded locally, the first allocating to SO-1.
    t.receiveAll({scanA(3), scanA(4), "(01)0" + kGtinB + "(30)2"});
    CHECK(t.status()["unsent"] == 3);
    // The server's stock, in the terminal's JSON: nothing yet.
    auto none = [](const char* sku) {
        return Json{{"sku", sku}, {"on_hand", 0}, {"allocated", 0}, {"quarantined", 0}, {"free", 0}, {"held", 0}, {"expired", 0}};
    };
    CHECK(s.json({"stock"}) == Json::array({none("SKU-A"), none("SKU-B")}));
    CHECK(t.sync() == syncJson(3, 3));
    // Settled: `backfilld stock` prints what `backfill stock` prints, byte for byte the same
    // JSON (with one sku, its locations too).
    CHECK(s.json({"stock"}) == t.stock());
    CHECK(s.json({"stock", "--sku", "SKU-A"}) == t.stockDetail("SKU-A"));
    CHECK(s.json({"stock", "--sku", "NOPE"}) == Json::array());
    CHECK(t.status() ==
          Json{{"server", s.url()}, {"device", "HH-01"}, {"epoch", 1}, {"unsent", 0}, {"cursor", head + 3}, {"last_sync", kNow}});
    CHECK(s.stockOf("SKU-A") == Json::array({Json{{"location", "DOCK"}, {"lot", nullptr}, {"qty", 7}, {"held", 0}}}));
    CHECK(t.stockOf("SKU-A") == Json::array({stockJson("SKU-A", 7, 5)}));
    checkSameView(s, t);
    // Nothing doubled: a second round sends and pulls nothing.
    CHECK(t.sync() == syncJson(0, 0));
    CHECK(s.stockOf("SKU-A")[0]["qty"] == 7);
    CHECK(t.stockOf("SKU-A") == Json::array({stockJson("SKU-A", 7, 5)}));

    // The server stopped: exit 4, the op waits in the outbox.
    const std::string url = s.url();
    CHECK(s.kill(SIGTERM) == 0);
    t.receiveAll({scanA(1)});
    auto down = t.at({"sync", "--timeout-ms", "300", "--retries", "1"});
    CHECK(down.status == 4);
    CHECK(down.out == "");
    CHECK(down.codes() == std::vector<std::string>{"timeout"});
    CHECK(t.status()["unsent"] == 1);

    // Back on the same address: the waiting op goes.
    s.serve(url);
    CHECK(t.sync() == syncJson(1, 1));
    CHECK(s.stockOf("SKU-A")[0]["qty"] == 8);

    // Revoked: exit 5, nothing applied; the ops wait.
    CHECK(s.json({"device", "revoke", "HH-01"}) == Json{{"revoked", "HH-01"}});
    t.receiveAll({scanA(2)});
    auto revoked = t.at({"sync"});
    CHECK(revoked.status == 5);
    CHECK(revoked.out == "");
    CHECK(revoked.codes() == std::vector<std::string>{"revoked"});
    CHECK(s.stockOf("SKU-A")[0]["qty"] == 8);
    CHECK(t.status()["unsent"] == 1);

    // Enrolled again (a new epoch): what waited is sent under the old epoch's sequence.
    auto again = s.run({"enrol", "HH-01"});
    REQUIRE(again.status == 0);
    const Json reenrolled = t.enroll(s, "HH-01", again.out.substr(0, 64));
    CHECK(reenrolled["epoch"] == 2);
    CHECK(reenrolled["pushed"] == 1);
    CHECK(reenrolled["pulled"] == 1);
    CHECK(reenrolled["corrections"] == Json::array());
    CHECK(t.status()["unsent"] == 0);
    CHECK(t.status()["epoch"] == 2);
    CHECK(s.stockOf("SKU-A")[0]["qty"] == 10);
    t.receiveAll({scanA(1)});
    CHECK(t.sync() == syncJson(1, 1));
    CHECK(s.stockOf("SKU-A")[0]["qty"] == 11);
    CHECK(t.stockOf("SKU-A") == Json::array({stockJson("SKU-A", 11, 5)}));
    checkSameView(s, t);
    CHECK(s.kill(SIGTERM) == 0);
}

TEST_CASE("link: three terminals claim the same backorders offline; one pallet received on two terminals")
{
    Terminal t1, t2, t3;
    Server s(t1);
    s.import("locations", kLocations, 2);
    s.import("catalog", catalog(), 2);
    s.import("inbound", "inbound_id,supplier,sku,qty,eta,sscc\nASN-1,Acme,SKU-B,10,2026-01-20," + kPallet + "\nASN-2,Acme,SKU-B,5,2026-01-25,\n", 2);
    s.import("backorders",
             "order_id,line,customer,sku,qty,priority,ordered_at\n"
             "SO-1,1,Ann,SKU-A,4,0,2026-01-01\n"
             "SO-2,1,Bob,SKU-A,4,0,2026-01-02\n"
             "SO-3,1,Cid,SKU-A,4,0,2026-01-03\n"
             "SO-4,1,Dee,SKU-B,3,0,2026-01-04\n"
             "SO-5,1,Eve,SKU-B,20,0,2026-01-05\n",
             5);
    std::vector<Terminal*> terminals{&t1, &t2, &t3};
    std::vector<std::string> tokens;
    for (int i = 1; i <= 3; ++i) tokens.push_back(s.addDevice("HH-0" + std::to_string(i)));
    s.serve();
    const int64_t head = logHead(s);
    for (int i = 0; i < 3; ++i) CHECK(terminals[i]->enroll(s, "HH-0" + std::to_string(i + 1), tokens[i])["pulled"] == head);

    // Offline, each terminal receives 6 SKU-A and allocates them as its rule says: SO-1 4,
    // SO-2 2. The first two also receive the same pallet (10 SKU-B) and allocate SO-4 3 and
    // SO-5 7 from it.
    t1.receiveAll({scanA(6), "(00)" + kPallet});
    t2.receiveAll({scanA(6), "(00)" + kPallet});
    t3.receiveAll({scanA(6)});
    for (auto* t : terminals)
        CHECK(t->backorders()[0] == lineJson("SO-1", 1, "SKU-A", 4, 4, 0, "allocated"));

    // In turn. HH-01 first: every claim honoured.
    CHECK(t1.sync() == syncJson(2, 2));
    // HH-02: SO-1 needs nothing more (HH-01 filled it: named); SO-2 gets its 2; the rule gives
    // SO-3 the other 4; the pallet was received already: no stock, its claim cut (nobody named).
    const std::string cut1 = "SO-1 line 1 was filled by HH-01: 4 units of SKU-A were allocated here, the server allocated 0 (the line needed no more units): take 4 units back to stock";
    const auto palletCut = [](const std::string& order, int64_t qty) {
        return correction(order, 1, "SKU-B", qty, 0,
                          order + " line 1: pallet SSCC " + kPallet + " was already received, so its " + std::to_string(qty) +
                              " units of SKU-B do not count: take them back off the order");
    };
    CHECK(t2.sync() == syncJson(2, 2 + 2 + 3, Json::array({correction("SO-1", 1, "SKU-A", 4, 0, cut1), palletCut("SO-4", 3), palletCut("SO-5", 7)})));
    // HH-03 was revoked meanwhile: refused, its receipt waits; enrolled again (epoch 2) it
    // sends the receipt written under epoch 1, and both its claims are cut.
    CHECK(s.json({"device", "revoke", "HH-03"}) == Json{{"revoked", "HH-03"}});
    const auto refused = t3.at({"sync"});
    CHECK(refused.status == 5);
    CHECK(refused.codes() == std::vector<std::string>{"revoked"});
    CHECK(t3.status()["unsent"] == 1);
    const auto token3 = s.run({"enrol", "HH-03"});
    REQUIRE(token3.status == 0);
    // SO-1 was filled by HH-01, SO-2 last by HH-02 (its other 2 units): each named.
    const std::string cut2 = "SO-2 line 1 was filled by HH-02: 2 units of SKU-A were allocated here, the server allocated 0 (the line needed no more units): take 2 units back to stock";
    CHECK(t3.enroll(s, "HH-03", token3.out.substr(0, 64)) ==
          Json{{"enrolled", "HH-03"}, {"server", s.url()}, {"epoch", 2}, {"pushed", 1}, {"pulled", 2 + 5 + 1 + 2},
               {"corrections", Json::array({correction("SO-1", 1, "SKU-A", 4, 0, cut1), correction("SO-2", 1, "SKU-A", 2, 0, cut2)})}});

    // The server's correction entries carry the device that filled the line (none for the
    // pallet's cut claims), and the terminals keep it in their inboxes.
    Json named = Json::array();
    for (const auto& e : s.json({"log"}))
        if (e["kind"] == "correction")
            named.push_back(Json::array({e["payload"]["device"], e["payload"]["order_id"], e["payload"].value("filled_by", Json())}));
    CHECK(named == Json::array({Json::array({"HH-02", "SO-1", "HH-01"}), Json::array({"HH-02", "SO-4", nullptr}),
                                Json::array({"HH-02", "SO-5", nullptr}), Json::array({"HH-03", "SO-1", "HH-01"}),
                                Json::array({"HH-03", "SO-2", "HH-02"})}));
    const std::string inbox = "SELECT json_extract(payload, '$.order_id'), json_extract(payload, '$.filled_by') FROM sync_corrections ORDER BY seq";
    CHECK(t2.query(inbox) == std::vector<std::string>{"SO-1|HH-01", "SO-4|NULL", "SO-5|NULL"});
    CHECK(t3.query(inbox) == std::vector<std::string>{"SO-1|HH-01", "SO-2|HH-02"});

    // No over-fill at the server.
    Json expected = Json::array({lineJson("SO-1", 1, "SKU-A", 4, 4, 0, "allocated"), lineJson("SO-2", 1, "SKU-A", 4, 4, 0, "allocated"),
                                       lineJson("SO-3", 1, "SKU-A", 4, 4, 0, "allocated"), lineJson("SO-4", 1, "SKU-B", 3, 3, 0, "allocated"),
                                       // Waits for 13 more; the inbound left (ASN-2, 5) cannot cover it: no eta.
                                       lineJson("SO-5", 1, "SKU-B", 20, 7, 0, "partially_allocated")});
    CHECK(s.json({"backorders"}) == expected);
    CHECK(s.stockOf("SKU-A") == Json::array({Json{{"location", "DOCK"}, {"lot", nullptr}, {"qty", 18}, {"held", 0}}}));
    CHECK(s.stockOf("SKU-B") == Json::array({Json{{"location", "DOCK"}, {"lot", nullptr}, {"qty", 10}, {"held", 0}}}));

    // The second receipt of the pallet is an exception for a person.
    const Json exceptions = s.json({"exceptions"});
    REQUIRE(exceptions.size() == 1);
    CHECK(exceptions[0]["code"] == "sscc_received");
    CHECK(exceptions[0]["device"] == "HH-02");
    CHECK(exceptions[0]["resolved"] == nullptr);
    const auto palletOp = t2.query("SELECT op_id FROM outbox WHERE kind = 'receive' AND payload LIKE '%" + kPallet + "%'");
    REQUIRE(palletOp.size() == 1);
    CHECK(exceptions[0]["op_id"] == palletOp[0]);

    // HH-01 picks SO-1 (offline again). A final round: every terminal's view is the
    // server's; no correction is reported twice.
    CHECK(t1.pickOk({"SO-1", "1", "4", "--location", "DOCK"})["qty"] == 4);
    CHECK(t1.sync() == syncJson(1, 5 + 3 + 1));
    CHECK(t2.sync() == syncJson(0, 3 + 1));
    CHECK(t3.sync() == syncJson(0, 1));
    expected[0] = lineJson("SO-1", 1, "SKU-A", 4, 0, 4, "picked");
    CHECK(s.json({"backorders"}) == expected);
    for (auto* t : terminals) {
        CHECK(t->backorders() == expected);
        CHECK(t->stockOf("SKU-A") == Json::array({stockJson("SKU-A", 14, 8)}));
        CHECK(t->stockOf("SKU-B") == Json::array({stockJson("SKU-B", 10, 10)}));
        checkSameView(s, *t);
        checkLedger(*t);
        // ledger::replay's picked per line: the picked events (also for another terminal's pick).
        CHECK(t->query("SELECT l.order_id, l.picked, (SELECT COALESCE(SUM(qty), 0) FROM events e WHERE e.order_line_id = l.id AND "
                       "e.kind = 'picked') FROM order_lines l WHERE l.picked > 0") == std::vector<std::string>{"SO-1|4|4"});
    }
    CHECK(s.kill(SIGTERM) == 0);
}

TEST_CASE("link: backfilld killed with SIGKILL while a terminal pushes 1,250 receipts (pushes in flight); restarted, the next sync applies each once, in order")
{
    Terminal t;
    Server s(t);
    s.import("locations", kLocations, 2);
    s.import("catalog", catalog(), 2);
    const std::string token = s.addDevice("HH-01");
    s.serve();
    const std::string url = s.url();
    const int64_t head = logHead(s);
    CHECK(t.enroll(s, "HH-01", token)["pulled"] == head);

    // Three pushes (500 + 500 + 250): the second is sent while the first is applied.
    constexpr int kReceipts = 1250;
    std::vector<std::string> scans;
    for (int i = 1; i <= kReceipts; ++i) scans.push_back(scanA(1 + i % 3)); // 1, 2 or 3 units: 2,501 in all
    t.receiveAll(scans);
    CHECK(t.status()["unsent"] == kReceipts);

    // `backfill sync` in the background; SIGKILL the server once it applied some of the push.
    const pid_t sync = startSync(t, "killed", {"--timeout-ms", "3000", "--retries", "1"});
    auto applied = [&] {
        sqlite3* db = nullptr;
        int64_t n = 0;
        if (sqlite3_open_v2(s.db().c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
            sqlite3_busy_timeout(db, 1000);
            sqlite3_stmt* st = nullptr;
            if (sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM applied_ops", -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
                n = sqlite3_column_int64(st, 0);
            sqlite3_finalize(st);
        }
        sqlite3_close(db);
        return n;
    };
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (applied() < kReceipts / 10 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(2ms);
    CHECK(s.kill(SIGKILL) == -1);
    const int64_t beforeKill = applied();
    MESSAGE("ops applied before SIGKILL: ", beforeKill, " of ", kReceipts);
    CHECK(beforeKill >= kReceipts / 10);
    // The push got no answer: unreachable, the ops stay unacknowledged in the outbox.
    CHECK(exitOf(sync) == 4);
    CHECK(t.status()["unsent"] == kReceipts);

    // Restarted on the same file and address: the same ops again, each applied once.
    s.serve(url);
    CHECK(t.sync() == syncJson(kReceipts, kReceipts));
    CHECK(s.stockOf("SKU-A") == Json::array({Json{{"location", "DOCK"}, {"lot", nullptr}, {"qty", 2501}, {"held", 0}}}));
    CHECK(t.stockOf("SKU-A") == Json::array({stockJson("SKU-A", 2501, 0)}));
    const Json log = s.json({"log", "--after", std::to_string(head)});
    REQUIRE(log.size() == static_cast<size_t>(kReceipts));
    // The server took the device's ops in their order: its log has them by device_seq 1..N.
    for (size_t i = 0; i < log.size(); ++i) CHECK(log[i]["payload"]["device_seq"] == static_cast<int64_t>(i + 1));
    CHECK(t.sync() == syncJson(0, 0));
    checkSameView(s, t);
    CHECK(s.kill(SIGTERM) == 0);
}

TEST_CASE_FIXTURE(TwoTerminals, "staging lanes: a receipt's units carried to the order's lane are there at the server and in every settled view; its undo takes them back")
{
    start("code,kind,sequence\nDOCK,receiving,1\nA-01,storage,100\nOUT-1,staging,200\n", 3, "SO-1,1,Ann,SKU-A,5,0,2026-01-01\n", 1);

    // 8 received: 5 to SO-1, carried to its lane OUT-1; 3 to stock at DOCK.
    const auto received = t1.at({"receive", scanA(8)});
    INFO(received);
    REQUIRE(received.status == 0);
    const Json r = received.json();
    CHECK(r["allocations"] == Json::array({Json{{"order_id", "SO-1"}, {"line", 1}, {"qty", 5}, {"stage", "OUT-1"}}}));
    const Json atLane = Json::array({Json{{"location", "DOCK"}, {"lot", nullptr}, {"qty", 3}, {"held", 0}},
                                     Json{{"location", "OUT-1"}, {"lot", nullptr}, {"qty", 5}, {"held", 0}}});
    CHECK(t1.locationsOf("SKU-A") == atLane);
    CHECK(t1.sync()["pushed"] == 1);
    // The server has them where the floor has them, and the settled view keeps them there.
    CHECK(s.stockOf("SKU-A") == atLane);
    CHECK(t1.locationsOf("SKU-A") == atLane);
    checkSameView(s, t1);
    // Another terminal learns it by pulling.
    enrolTwo();
    CHECK(t2.locationsOf("SKU-A") == atLane);
    checkSameView(s, t2);

    // Undone on HH-01: the units leave the dock and the lane, at the server and on HH-02.
    auto undone = t1.at({"undo"});
    INFO(undone);
    REQUIRE(undone.status == 0);
    CHECK(t1.sync()["pushed"] == 1);
    CHECK(s.stockOf("SKU-A") == Json::array());
    CHECK(t2.sync()["pulled"] == 1);
    CHECK(t2.locationsOf("SKU-A") == Json::array());
    checkSameView(s, t1);
    checkSameView(s, t2);
    CHECK(s.kill(SIGTERM) == 0);
}

TEST_CASE_FIXTURE(TwoTerminals, "one lane per order: a terminal that chose another lane offline is told to move the units, and takes the server's lane for the order")
{
    start("code,kind,sequence\nDOCK,receiving,1\nOUT-1,staging,200\nOUT-2,staging,300\n", 3,
          "SO-1,1,Ann,SKU-A,5,0,2026-01-01\nSO-2,1,Bob,SKU-B,5,0,2026-01-01\n", 2);
    enrolTwo();
    auto allocations = [](const Terminal& t, const std::string& scan) {
        const auto r = t.at({"receive", scan});
        INFO(r);
        REQUIRE(r.status == 0);
        return r.json()["allocations"];
    };
    auto allocation = [](const char* order, int64_t qty, const char* stage) {
        return Json::array({Json{{"order_id", order}, {"line", 1}, {"qty", qty}, {"stage", stage}}});
    };

    // HH-01 stages SO-1 at OUT-1 and syncs. HH-02, offline, stages SO-2 at OUT-1 and then
    // SO-1 at OUT-2 (its emptiest lane).
    CHECK(allocations(t1, scanA(2)) == allocation("SO-1", 2, "OUT-1"));
    CHECK(t1.sync()["pushed"] == 1);
    CHECK(allocations(t2, "(01)0" + kGtinB + "(30)1") == allocation("SO-2", 1, "OUT-1"));
    CHECK(allocations(t2, scanA(1)) == allocation("SO-1", 1, "OUT-2"));

    // The server keeps OUT-1 for SO-1: HH-02's unit is at OUT-2, and HH-02 is told to move it.
    const Json synced = t2.sync();
    CHECK(synced["pushed"] == 2);
    CHECK(synced["corrections"] ==
          Json::array({correction("SO-1", 1, "SKU-A", 1, 1, "SO-1 is staged at OUT-1: take the 1 unit of SKU-A carried to OUT-2 there")}));
    CHECK(s.stockOf("SKU-A") == Json::array({Json{{"location", "OUT-1"}, {"lot", nullptr}, {"qty", 2}, {"held", 0}},
                                             Json{{"location", "OUT-2"}, {"lot", nullptr}, {"qty", 1}, {"held", 0}}}));

    // HH-02 now has SO-1 at OUT-1: its pick list sends the picker there, and its next unit
    // for SO-1 goes there.
    const auto picklist = t2.at({"picklist"});
    INFO(picklist);
    REQUIRE(picklist.status == 0);
    Json stages = Json::object();
    for (const auto& order : picklist.json()) stages[order["order_id"].get<std::string>()] = order["stage"];
    CHECK(stages == Json{{"SO-1", "OUT-1"}, {"SO-2", "OUT-1"}});
    CHECK(allocations(t2, scanA(1)) == allocation("SO-1", 1, "OUT-1"));
    CHECK(t2.sync()["corrections"] == Json::array());
    CHECK(s.kill(SIGTERM) == 0);
}

TEST_CASE_FIXTURE(TwoTerminals, "lot expiry: a lot received on one terminal has its expiry at the server and on every terminal; FEFO and expired stock there know it")
{
    start(kLocations, 2, "SO-1,1,Ann,SKU-A,2,0,2026-01-01\n", 1);
    enrolTwo();
    auto lotScan = [](const std::string& expiry, const std::string& lot, int units) {
        return "(01)0" + kGtinA + "(17)" + expiry + "(10)" + lot + "(30)" + std::to_string(units);
    };

    // HH-02 receives a late lot, which goes to SO-1; HH-01 then an early lot and one that
    // expired before today (2026-01-15).
    t2.receiveAll({lotScan("261231", "LATE", 3)});
    CHECK(t2.sync()["pushed"] == 1);
    CHECK(t1.sync()["pulled"] == 1);
    t1.receiveAll({lotScan("260301", "EARLY", 3), lotScan("260110", "OLD", 2)});
    CHECK(t1.sync()["pushed"] == 2);
    CHECK(t2.sync()["pulled"] == 2);

    // The server has each lot's expiry, and counts OLD as expired.
    const Json detail = s.json({"stock", "--sku", "SKU-A"});
    REQUIRE(detail.size() == 1);
    CHECK(detail[0]["on_hand"] == 8);
    CHECK(detail[0]["allocated"] == 2);
    CHECK(detail[0]["expired"] == 2);
    CHECK(detail[0]["free"] == 4);
    auto row = [](const std::string& lot, const std::string& expiry, int64_t qty) {
        return Json{{"location", "DOCK"}, {"lot", lot}, {"expiry", expiry}, {"qty", qty}, {"held", 0}};
    };
    CHECK(detail[0]["locations"] ==
          Json::array({row("EARLY", "2026-03-01", 3), row("LATE", "2026-12-31", 3), row("OLD", "2026-01-10", 2)}));
    // HH-02 learnt the lots HH-01 received with their expiries: the same stock as the server.
    CHECK(t2.stockDetail("SKU-A") == detail);
    // So its pick list takes the earliest lot first, though HH-02 received only LATE.
    const auto picklist = t2.at({"picklist"});
    INFO(picklist);
    REQUIRE(picklist.status == 0);
    const Json take = picklist.json()[0]["lines"][0]["take"];
    CHECK(take == Json::array({Json{{"location", "DOCK"}, {"lot", "EARLY"}, {"expiry", "2026-03-01"}, {"qty", 2}}}));

    // Two labels disagree: HH-01 registers lot MID offline with 2026-06-01, HH-02 names
    // 2026-07-01 and reaches the server first. The server keeps HH-02's, flags HH-01's receipt
    // (expiry_conflict, applied: the units are there), and HH-01 takes the server's expiry.
    t1.receiveAll({lotScan("260601", "MID", 1)});
    t2.receiveAll({lotScan("260701", "MID", 1)});
    CHECK(t2.sync()["pushed"] == 1);
    CHECK(t1.sync()["pushed"] == 1);
    const Json exceptions = s.json({"exceptions"});
    REQUIRE(exceptions.size() == 1);
    CHECK(exceptions[0]["code"] == "expiry_conflict");
    CHECK(exceptions[0]["device"] == "HH-01");
    const Json after = s.json({"stock", "--sku", "SKU-A"});
    REQUIRE(after.size() == 1);
    CHECK(after[0]["on_hand"] == 10);
    CHECK(after[0]["locations"][2] == row("MID", "2026-07-01", 2));
    CHECK(t1.stockDetail("SKU-A") == after);
    CHECK(s.kill(SIGTERM) == 0);
}

TEST_CASE_FIXTURE(TwoTerminals, "releases: a terminal whose move into quarantine released other lines than the server is told which, line by line")
{
    start("code,kind,sequence\nDOCK,receiving,1\nQ,quarantine,900\n", 2,
          "SO-1,1,Ann,SKU-A,5,1,2026-01-01\nSO-2,1,Bob,SKU-A,4,0,2026-01-02\n", 2);
    enrolTwo();

    // HH-01 receives 6: SO-1 gets its 5, SO-2 1. HH-02 learns it, then goes offline.
    t1.receiveAll({scanA(6)});
    CHECK(t1.sync()["pushed"] == 1);
    CHECK(t2.sync()["pushed"] == 0);
    // The office cancels SO-1 meanwhile: the server gives SO-2 the 3 more it needs.
    s.import("backorders", "order_id,line,customer,sku,qty,priority,ordered_at\nSO-1,1,Ann,SKU-A,0,1,2026-01-01\n", 1);

    // HH-02, still believing SO-1 5 and SO-2 1, moves 4 into quarantine: its book gives back
    // SO-2's unit and 3 of SO-1's. The server's book gives back 2 of SO-2's 4.
    const auto moved = t2.at({"move", "--from", "DOCK", "--to", "Q", "--sku", "SKU-A", "--qty", "4"});
    INFO(moved);
    REQUIRE(moved.status == 0);
    CHECK(moved.json()["released"] == Json::array({Json{{"order_id", "SO-2"}, {"line", 1}, {"qty", 1}},
                                                   Json{{"order_id", "SO-1"}, {"line", 1}, {"qty", 3}}}));
    Json release1 = correction("SO-2", 1, "SKU-A", 1, 2,
                               "SO-2 line 1: this move released 1 unit of SKU-A from it here, the server released 2 (its book "
                               "differed); the line has 2 units allocated at the server");
    Json release2 = correction("SO-1", 1, "SKU-A", 3, 0,
                               "SO-1 line 1: this move released 3 units of SKU-A from it here, the server released 0 (its book "
                               "differed); the line has 0 units allocated at the server");
    release1["release"] = true;
    release2["release"] = true;
    const Json synced = t2.sync();
    CHECK(synced["pushed"] == 1);
    CHECK(synced["corrections"] == Json::array({release1, release2}));
    // After the round HH-02's view is the server's.
    checkSameView(s, t2);
    CHECK(s.kill(SIGTERM) == 0);
}

TEST_CASE_FIXTURE(TwoTerminals, "a receipt for 3,000 waiting lines: its op (~120 KB) is pushed, and the server's entry for it is pulled")
{
    // The op names every line the receipt allocated to. Bounded at 64 KiB, it could not be
    // pushed: the outbox stopped there for good (exit 6, "the terminal built a message the
    // protocol refuses"), and the server's entry for such a receipt could not be pulled.
    std::string orders;
    for (int i = 0; i < 3000; ++i) orders += "SO-" + std::to_string(i) + ",1,Cust,SKU-A,1,0,2026-01-01\n";
    start(kLocations, 2, orders, 3000);
    enrolTwo();
    t1.receiveAll({scanA(3000)});
    CHECK(t1.sync()["pushed"] == 1);
    CHECK(t1.status()["unsent"] == 0);
    // HH-02 pulls the receipt's entry, and both views equal the server's.
    CHECK(t2.sync() == syncJson(0, 1));
    checkSameView(s, t1);
    checkSameView(s, t2);
    CHECK(s.kill(SIGTERM) == 0);
}

TEST_CASE_FIXTURE(TwoTerminals, "two `backfill sync` at once on one terminal (the UI's worker and a supervisor's CLI): each pulled entry is folded once")
{
    // Both pull from the same cursor. The second to apply folded the same entries again: the
    // terminal's view of the server's stock doubled (54 on hand where the server had 27).
    start(kLocations, 2, "SO-1,1,Ann,SKU-A,5,0,2026-01-01\n", 1);
    enrolTwo();
    std::vector<std::string> scans;
    for (int i = 1; i <= 200; ++i) scans.push_back(i % 2 ? scanA(1 + i % 3) : "(01)0" + kGtinB + "(30)1");
    t2.receiveAll(scans);
    CHECK(t2.sync() == syncJson(200, 200));
    const int64_t before = t1.status()["cursor"].get<int64_t>();
    const pid_t a = startSync(t1, "a");
    const pid_t b = startSync(t1, "b");
    REQUIRE(exitOf(a) == 0);
    REQUIRE(exitOf(b) == 0);
    Json pulled = Json::array();
    for (const char* tag : {"a", "b"}) {
        std::ifstream in(t1.dir() / ("sync-" + std::string(tag) + "-out.txt"));
        const Json out = Json::parse(in);
        CHECK(out["pushed"] == 0);
        CHECK(out["corrections"] == Json::array());
        pulled.push_back(out["pulled"]);
    }
    // Every entry once, between the two: 200 receipts.
    CHECK(pulled[0].get<int64_t>() + pulled[1].get<int64_t>() == 200);
    CHECK(t1.status()["cursor"] == before + 200);
    checkSameView(s, t1);
    CHECK(t1.sync() == syncJson(0, 0));
    CHECK(s.kill(SIGTERM) == 0);
}

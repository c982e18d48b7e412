// End to end, issue 10 item 1 "Operators and roles": `backfill user add|list|remove`, the
// global --operator with the PIN from BACKFILL_PIN, the lockout after five wrong PINs timed
// by --now / BACKFILL_NOW, what each role may do, and that every refusal (exit status 5)
// writes nothing but the failed-attempt count. Real binary, real database files.
#include "e2e/CliHarness.h"

#include <doctest/doctest.h>

#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

using namespace backfill::e2e;

namespace {

const std::string kApple = "0" + withCheckDigit("400000000001");
const std::string kPear = "0" + withCheckDigit("400000000002");

// 2026-01-15T09:00:00Z and seconds after it.
constexpr int64_t kT0 = 1768467600;
std::string at(int seconds)
{
    const int h = 9 + seconds / 3600, m = seconds / 60 % 60, s = seconds % 60;
    char text[32];
    std::snprintf(text, sizeof text, "2026-01-15T%02d:%02d:%02dZ", h, m, s);
    return text;
}

// Run is one command line: who signs in (nullopt: no --operator), the PIN in the environment
// (nullopt: BACKFILL_PIN unset), and when (--now).
struct Run {
    std::optional<std::string> op;
    std::optional<std::string> pin;
    int now = 0;
};

// run runs `backfill --db DB --today T --now NOW [--operator OP] ARGS...` with BACKFILL_PIN
// (and nothing of BACKFILL_NOW) from `who`, through env(1) so the test's own environment is
// never changed.
RunResult run(const CliHarness& h, const Run& who, const std::vector<std::string>& args, const std::string& input = "")
{
    std::vector<std::string> all{"-u", "BACKFILL_PIN", "-u", "BACKFILL_NOW"};
    if (who.pin) all.push_back("BACKFILL_PIN=" + *who.pin);
    all.insert(all.end(), {std::getenv("BACKFILL_BIN"), "--db", h.db(), "--today", CliHarness::kToday, "--now", at(who.now)});
    if (who.op) all.insert(all.end(), {"--operator", *who.op});
    all.insert(all.end(), args.begin(), args.end());
    return h.runProgram("/usr/bin/env", all, input);
}

// ok runs and fails the test unless the command succeeded; gives its stdout.
RunResult ok(const CliHarness& h, const Run& who, const std::vector<std::string>& args, const std::string& input = "")
{
    auto r = run(h, who, args, input);
    INFO(r);
    REQUIRE(r.status == 0);
    return r;
}

// refusal is the one {"code","error"} line a refusal leaves on stderr, with exit status 5 and
// nothing on stdout.
std::string refusal(const RunResult& r)
{
    INFO(r);
    CHECK(r.status == 5);
    CHECK(r.out.empty());
    const auto codes = r.codes();
    REQUIRE(codes.size() == 1);
    return codes.front();
}

const Run kCli{};                              // nobody signs in
const Run kBoss{"boss", "246810", 0};          // supervisor
const Run kRita{"rita", "1111", 0};            // receiver
const Run kPete{"pete", "22223333", 0};        // picker

Run atTime(Run who, int now)
{
    who.now = now;
    return who;
}

// addUser adds a user as `by` with the PIN on --pin.
void addUser(const CliHarness& h, const Run& by, const std::string& name, const std::string& role, const std::string& pin)
{
    const auto r = ok(h, by, {"user", "add", name, "--role", role, "--pin", pin});
    CHECK(r.json() == Json{{"name", name}, {"role", role}});
}

// setUp: catalog, two waiting order lines, and the three users (boss added as `cli` on the
// fresh terminal, the others by boss).
void setUp(const CliHarness& h)
{
    h.importOk("catalog", "sku,description,gtin\nAPPLE,Apple," + kApple + "\nPEAR,Pear," + kPear + "\n", 2);
    h.importOk("backorders", "order_id,line,customer,sku,qty,ordered_at\nSO-1,1,A,APPLE,5,2026-01-01\nSO-2,1,B,PEAR,5,2026-01-01\n", 2);
    addUser(h, kCli, "boss", "supervisor", "246810");
    addUser(h, kBoss, "rita", "receiver", "1111");
    addUser(h, kBoss, "pete", "picker", "22223333");
}

Json usersJson(const std::vector<std::pair<std::string, std::string>>& users)
{
    Json out = Json::array();
    for (const auto& [name, role] : users) out.push_back(Json{{"name", name}, {"role", role}});
    return out;
}

// withoutUsers is a snapshot without the users table (whose failed count a wrong PIN may
// change); the users are compared on their own.
Snapshot withoutUsers(const CliHarness& h)
{
    auto s = h.snapshot();
    s.tables.erase("users");
    return s;
}

// signInState is each user's failed count and lock end, "name|failed|locked_until".
std::vector<std::string> signInState(const CliHarness& h)
{
    return h.query("SELECT name, failed, locked_until FROM users ORDER BY name");
}

const std::string kAppleScan = "(01)" + kApple + "(30)3";
const std::string kPearScan = "(01)" + kPear + "(30)2";

} // namespace

TEST_CASE("a fresh terminal works out of the box as operator cli, with every right")
{
    CliHarness h;
    h.importOk("catalog", "sku,description,gtin\nAPPLE,Apple," + kApple + "\n", 1);
    h.importOk("backorders", "order_id,line,customer,sku,qty,ordered_at\nSO-1,1,A,APPLE,5,2026-01-01\n", 1);
    ok(h, atTime(kCli, 60), {"receive", kAppleScan});
    ok(h, atTime(kCli, 120), {"pick", "SO-1", "1", "2"});
    CHECK(ok(h, kCli, {"user", "list"}).json() == Json::array());
    CHECK(h.query("SELECT kind, operator, at FROM events ORDER BY id") ==
          std::vector<std::string>{"received|cli|" + std::to_string(kT0 + 60), "allocated|cli|" + std::to_string(kT0 + 60),
                                   "picked|cli|" + std::to_string(kT0 + 120)});
    // Naming an operator on a terminal without users is refused: nobody can sign in yet.
    const auto before = h.snapshot();
    CHECK(refusal(run(h, {"nobody", "1234"}, {"receive", kAppleScan})) == "unknown_user");
    CHECK(h.snapshot() == before);
}

TEST_CASE("user add, list and remove; the hash is never printed nor sent")
{
    CliHarness h;
    setUp(h);
    // The PIN from one line of stdin.
    CHECK(ok(h, atTime(kBoss, 30), {"user", "add", "Zed", "--role", "picker"}, "97531\n").json() ==
          Json{{"name", "Zed"}, {"role", "picker"}});
    // Sorted by name bytewise: upper case first.
    const auto list = ok(h, kCli, {"user", "list"});
    CHECK(list.json() == usersJson({{"Zed", "picker"}, {"boss", "supervisor"}, {"pete", "picker"}, {"rita", "receiver"}}));
    // The stdin PIN is Zed's PIN: it signs in, a neighbour does not.
    const auto signedIn = run(h, {"Zed", "97531", 40}, {"pick", "SO-9", "1", "1"});
    CHECK(signedIn.status == 1); // signed in; the line does not exist
    CHECK(signedIn.json()["code"] == "unknown_line");
    CHECK(refusal(run(h, {"Zed", "97532", 50}, {"pick", "SO-1", "1", "1"})) == "bad_pin");

    CHECK(ok(h, atTime(kBoss, 60), {"user", "remove", "pete"}).json() == Json{{"name", "pete"}, {"removed", true}});
    CHECK(ok(h, kCli, {"user", "list"}).json() == usersJson({{"Zed", "picker"}, {"boss", "supervisor"}, {"rita", "receiver"}}));
    // pete is gone: he can no longer sign in.
    CHECK(refusal(run(h, atTime(kPete, 70), {"pick", "SO-1", "1", "1"})) == "unknown_user");

    // The hashes are Argon2id strings, salted: the same PIN twice gives two hashes.
    addUser(h, kBoss, "twin1", "picker", "5555");
    addUser(h, kBoss, "twin2", "picker", "5555");
    const auto hashes = h.query("SELECT pin_hash FROM users WHERE name IN ('twin1', 'twin2')");
    REQUIRE(hashes.size() == 2);
    CHECK(hashes[0].rfind("$argon2id$v=19$m=19456,t=2,p=1$", 0) == 0);
    CHECK(hashes[0] != hashes[1]);
    // One outbox op per user change, gap-free, with who did it; never a hash or a PIN.
    CHECK(h.query("SELECT device_seq, kind, payload FROM outbox WHERE kind LIKE 'user%' ORDER BY device_seq") ==
          std::vector<std::string>{
              "1|user_add|{\"name\":\"boss\",\"role\":\"supervisor\",\"by\":\"cli\"}",
              "2|user_add|{\"name\":\"rita\",\"role\":\"receiver\",\"by\":\"boss\"}",
              "3|user_add|{\"name\":\"pete\",\"role\":\"picker\",\"by\":\"boss\"}",
              "4|user_add|{\"name\":\"Zed\",\"role\":\"picker\",\"by\":\"boss\"}",
              "5|user_remove|{\"name\":\"pete\",\"by\":\"boss\"}",
              "6|user_add|{\"name\":\"twin1\",\"role\":\"picker\",\"by\":\"boss\"}",
              "7|user_add|{\"name\":\"twin2\",\"role\":\"picker\",\"by\":\"boss\"}",
          });
    CHECK(h.count("outbox") == 7);
    CHECK(h.query("SELECT COUNT(*) FROM outbox WHERE payload LIKE '%argon2%' OR payload LIKE '%5555%' OR "
                  "payload LIKE '%97531%' OR payload LIKE '%246810%'") == std::vector<std::string>{"0"});
    CHECK(list.out.find("argon2") == std::string::npos);
    CHECK(h.query("SELECT created_at FROM users WHERE name = 'Zed'") == std::vector<std::string>{std::to_string(kT0 + 30)});
}

TEST_CASE("every refusal answers its code with exit status 5 and writes nothing")
{
    CliHarness h;
    setUp(h);
    ok(h, kRita, {"receive", kAppleScan}); // something in the ledger to keep
    struct Case {
        const char* what;
        Run who;
        std::vector<std::string> args;
        std::string input;
        const char* code;
    };
    const std::vector<Case> cases{
        // auth_required: users exist and nobody signed in, or no PIN in the environment.
        {"receive without sign-in", kCli, {"receive", kAppleScan}, "", "auth_required"},
        {"pick without sign-in", kCli, {"pick", "SO-1", "1", "1"}, "", "auth_required"},
        {"import without sign-in", kCli, {"import", "catalog", "CATALOG"}, "", "auth_required"},
        {"user add without sign-in", kCli, {"user", "add", "x", "--role", "picker", "--pin", "1234"}, "", "auth_required"},
        {"user remove without sign-in", kCli, {"user", "remove", "rita"}, "", "auth_required"},
        {"no BACKFILL_PIN", {"rita", std::nullopt, 0}, {"receive", kAppleScan}, "", "auth_required"},
        {"empty BACKFILL_PIN", {"rita", "", 0}, {"receive", kAppleScan}, "", "auth_required"},
        // unknown_user: signing in, and removing.
        {"unknown operator", {"ghost", "1234", 0}, {"receive", kAppleScan}, "", "unknown_user"},
        {"remove unknown user", kBoss, {"user", "remove", "ghost"}, "", "unknown_user"},
        // bad_pin_format: signing in, and adding.
        {"short BACKFILL_PIN", {"rita", "111", 0}, {"receive", kAppleScan}, "", "bad_pin_format"},
        {"letters in BACKFILL_PIN", {"rita", "11a1", 0}, {"receive", kAppleScan}, "", "bad_pin_format"},
        {"3-digit PIN", kBoss, {"user", "add", "x", "--role", "picker", "--pin", "123"}, "", "bad_pin_format"},
        {"13-digit PIN", kBoss, {"user", "add", "x", "--role", "picker", "--pin", "1234567890123"}, "", "bad_pin_format"},
        {"PIN with a space", kBoss, {"user", "add", "x", "--role", "picker"}, "12 34\n", "bad_pin_format"},
        {"no PIN on stdin", kBoss, {"user", "add", "x", "--role", "picker"}, "", "bad_pin_format"},
        // duplicate_user, bad_user_name, bad_role.
        {"duplicate", kBoss, {"user", "add", "rita", "--role", "picker", "--pin", "1234"}, "", "duplicate_user"},
        {"reserved name", kBoss, {"user", "add", "cli", "--role", "picker", "--pin", "1234"}, "", "bad_user_name"},
        {"bad name", kBoss, {"user", "add", "a b", "--role", "picker", "--pin", "1234"}, "", "bad_user_name"},
        {"bad role", kBoss, {"user", "add", "x", "--role", "admin", "--pin", "1234"}, "", "bad_role"},
        // forbidden: the right PIN, the wrong role.
        {"receiver picks", kRita, {"pick", "SO-1", "1", "1"}, "", "forbidden"},
        {"receiver imports", kRita, {"import", "catalog", "CATALOG"}, "", "forbidden"},
        {"receiver adds a user", kRita, {"user", "add", "x", "--role", "picker", "--pin", "1234"}, "", "forbidden"},
        {"picker receives", kPete, {"receive", kAppleScan}, "", "forbidden"},
        {"picker imports", kPete, {"import", "catalog", "CATALOG"}, "", "forbidden"},
        {"picker removes a user", kPete, {"user", "remove", "rita"}, "", "forbidden"},
        // last_supervisor: boss is the only supervisor and two others remain.
        {"last supervisor", kBoss, {"user", "remove", "boss"}, "", "last_supervisor"},
    };
    const std::string catalog = h.writeFile("catalog.csv", "sku,description,gtin\nFIG,Fig,\n");
    for (const auto& c : cases) {
        INFO(c.what);
        auto args = c.args;
        for (auto& a : args)
            if (a == "CATALOG") a = catalog;
        const auto before = h.snapshot();
        CHECK(refusal(run(h, c.who, args, c.input)) == c.code);
        CHECK(h.snapshot() == before);
    }
    CHECK(signInState(h) == std::vector<std::string>{"boss|0|0", "pete|0|0", "rita|0|0"});

    // bad_pin writes the failed count and nothing else.
    const auto before = withoutUsers(h);
    CHECK(refusal(run(h, {"rita", "9999", 0}, {"receive", kAppleScan})) == "bad_pin");
    CHECK(withoutUsers(h) == before);
    CHECK(signInState(h) == std::vector<std::string>{"boss|0|0", "pete|0|0", "rita|1|0"});
    checkLedger(h);
}

TEST_CASE("the first user must be a supervisor; the last supervisor stays while others remain")
{
    CliHarness h;
    h.importOk("catalog", "sku,description,gtin\nAPPLE,Apple," + kApple + "\n", 1);
    auto before = h.snapshot();
    CHECK(refusal(run(h, kCli, {"user", "add", "rita", "--role", "receiver", "--pin", "1111"})) == "supervisor_required");
    CHECK(h.snapshot() == before);
    addUser(h, kCli, "boss", "supervisor", "246810");
    addUser(h, kBoss, "rita", "receiver", "1111");
    CHECK(refusal(run(h, kBoss, {"user", "remove", "boss"})) == "last_supervisor");
    // With a second supervisor, the first may go (even removing itself).
    addUser(h, kBoss, "anna", "supervisor", "8642");
    CHECK(ok(h, kBoss, {"user", "remove", "boss"}).json() == Json{{"name", "boss"}, {"removed", true}});
    const Run anna{"anna", "8642", 0};
    CHECK(refusal(run(h, anna, {"user", "remove", "anna"})) == "last_supervisor");
    // Once the others are gone the last user of all may go: the terminal is fresh again.
    ok(h, anna, {"user", "remove", "rita"});
    ok(h, anna, {"user", "remove", "anna"});
    CHECK(ok(h, kCli, {"user", "list"}).json() == Json::array());
    ok(h, atTime(kCli, 5), {"receive", "(01)" + kApple});
    CHECK(h.query("SELECT operator FROM events WHERE kind = 'received'") == std::vector<std::string>{"cli"});
}

TEST_CASE("five wrong PINs in a row lock the user for 5 minutes, timed by --now and BACKFILL_NOW")
{
    CliHarness h;
    setUp(h);
    auto pete = [&](const std::string& pin, int now) { return run(h, {"pete", pin, now}, {"pick", "SO-2", "1", "1"}); };
    // Four wrong PINs, then the right one: the count starts again.
    for (int i = 1; i <= 4; ++i) CHECK(refusal(pete("0000", i)) == "bad_pin");
    CHECK(signInState(h)[1] == "pete|4|0");
    CHECK(pete("22223333", 10).status == 1); // signed in; the line has nothing allocated
    CHECK(signInState(h)[1] == "pete|0|0");

    // Five in a row: the fifth answers bad_pin and locks until 100 + 300.
    for (int i = 1; i <= 4; ++i) CHECK(refusal(pete("0000", 96 + i)) == "bad_pin");
    const auto fifth = pete("0000", 100);
    CHECK(refusal(fifth) == "bad_pin");
    CHECK(fifth.err.find("locked until 2026-01-15T09:06:40Z") != std::string::npos);
    CHECK(signInState(h)[1] == "pete|0|" + std::to_string(kT0 + 400));
    const auto locked = h.snapshot();
    // Any attempt in the next 5 minutes is `locked`, the right PIN too, and counts nothing.
    for (int now : {100, 101, 250, 399}) {
        INFO("at +" << now);
        CHECK(refusal(pete("22223333", now)) == "locked");
        CHECK(refusal(pete("0000", now)) == "locked");
    }
    CHECK(h.snapshot() == locked);
    // Other users are not affected.
    ok(h, atTime(kRita, 200), {"receive", kPearScan});
    // BACKFILL_NOW is the clock when --now is absent.
    auto envRun = [&](const std::string& now) {
        return h.runProgram("/usr/bin/env", {"-u", "BACKFILL_PIN", "BACKFILL_PIN=22223333", "BACKFILL_NOW=" + now,
                                             std::getenv("BACKFILL_BIN"), "--db", h.db(), "--today", CliHarness::kToday,
                                             "--operator", "pete", "pick", "SO-2", "1", "1"});
    };
    CHECK(refusal(envRun(at(399))) == "locked");
    const auto after = envRun(at(400));
    INFO(after);
    CHECK(after.status == 0);
    CHECK(after.json() == Json{{"ok", true}, {"order_id", "SO-2"}, {"line", 1}, {"qty", 1}});
    CHECK(h.query("SELECT operator, at FROM events WHERE kind = 'picked'") ==
          std::vector<std::string>{"pete|" + std::to_string(kT0 + 400)});
    // After the lock, five more tries: four wrong ones do not lock again.
    for (int i = 1; i <= 4; ++i) CHECK(refusal(pete("0000", 400 + i)) == "bad_pin");
    CHECK(signInState(h)[1] == "pete|4|" + std::to_string(kT0 + 400));
    CHECK(refusal(pete("0000", 405)) == "bad_pin");
    CHECK(signInState(h)[1] == "pete|0|" + std::to_string(kT0 + 705));
    // A malformed --now is bad usage.
    const auto bad = h.runRaw({"--db", h.db(), "--now", "yesterday", "--operator", "pete", "pick", "SO-2", "1", "1"});
    CHECK(bad.status == 3);
    CHECK(bad.codes() == std::vector<std::string>{"bad_usage"});
}

TEST_CASE("roles: receiver receives, picker picks, supervisor does everything; events carry the operator")
{
    CliHarness h;
    setUp(h);
    ok(h, atTime(kRita, 10), {"receive", kAppleScan});
    ok(h, atTime(kPete, 20), {"pick", "SO-1", "1", "2"});
    ok(h, atTime(kBoss, 30), {"receive", kPearScan});
    ok(h, atTime(kBoss, 40), {"pick", "SO-2", "1", "1"});
    const auto imported = run(h, atTime(kBoss, 50), {"import", "locations", h.writeFile("loc.csv", "code,kind,sequence\nA-01,storage,1\n")});
    INFO(imported);
    CHECK(imported.status == 0);
    CHECK(h.query("SELECT kind, operator, at FROM events ORDER BY id") ==
          std::vector<std::string>{
              "received|rita|" + std::to_string(kT0 + 10),  "allocated|rita|" + std::to_string(kT0 + 10),
              "picked|pete|" + std::to_string(kT0 + 20),    "received|boss|" + std::to_string(kT0 + 30),
              "allocated|boss|" + std::to_string(kT0 + 30), "picked|boss|" + std::to_string(kT0 + 40),
          });
    // history shows who did it.
    const auto history = ok(h, kCli, {"history"}).json();
    REQUIRE(history.size() == 4);
    CHECK(history[0]["operator"] == "boss");
    CHECK(history[3]["operator"] == "rita");
    checkLedger(h);
}

TEST_CASE("reading needs no sign-in, and --operator must name someone")
{
    CliHarness h;
    setUp(h);
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"stock"}, {"backorders"}, {"history"}, {"user", "list"}, {"parse", "(01)" + kApple}}) {
        INFO(args[0]);
        ok(h, kCli, args);
    }
    const auto empty = h.runRaw({"--db", h.db(), "--operator", "", "stock"});
    CHECK(empty.status == 3);
    CHECK(empty.codes() == std::vector<std::string>{"bad_usage"});
}

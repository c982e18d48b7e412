// Crash test of the warehouse operations beside receiving (issue 10, "Must show": the crash test
// of the receiving issue extended): `move -`, `pick` and `undo` of the real binary on one real
// database file, SIGKILL at random moments, many rounds. After every kill the file is reopened
// with the SQLite C API and checked:
// - every action whose JSON line was printed (confirmed) is recorded, and nothing beyond the
//   one action in flight: a move run's recorded moves are exactly the printed ones that were
//   accepted, plus at most the next scan sent; a pick or undo printed as done is recorded, one
//   printed as refused is not, an unprinted one is recorded at most once;
// - PRAGMA integrity_check is ok, device_seq is 1..N without gaps, every op of an action has
//   its events and every event's op is in the outbox, stock rows equal the ledger
//   (received + moved in - moved out - picked per product, location, lot), on hand = the sum of
//   the ledger, allocations agree with their events and stay covered, and no line waits while
//   its product has free stock (ledgerProblems in crash_ledger.h and the checks below).
// Rounds are drawn from a seeded RNG (BACKFILL_CRASH_SEED repeats a failure). Kill moments: a
// move run is killed after a random number of printed lines plus 0-3 ms (or 0-8 ms after its
// start); a pick or undo (one action per process) at a random moment within 1.5 times the time
// a whole run of it took, so the kill lands in start-up, in the transaction, between commit and
// print, or after. Small on purpose: under ASan the whole test runs in well under 30 s.

#include "e2e/crash_child.h"
#include "e2e/crash_ledger.h"
#include "ledger/CheckDigit.h"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <signal.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <tuple>
#include <vector>

namespace fs = std::filesystem;
using backfill::test::CrashChild;
using backfill::test::CrashDb;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kProducts = 12;
constexpr int kOrders = 30;
constexpr int kRounds = 36;
constexpr const char* kToday = "2026-11-28";

std::string gtinOf(int product)
{
    char data[13];
    std::snprintf(data, sizeof data, "4006383%05d", product);
    return std::string(data) + static_cast<char>('0' + backfill::ledger::gs1CheckDigit(data));
}
std::string skuOf(int product)
{
    char sku[16];
    std::snprintf(sku, sizeof sku, "OP-%02d", product);
    return sku;
}

std::string envOr(const char* name, const std::string& fallback)
{
    const char* v = std::getenv(name);
    return v && *v ? v : fallback;
}

void writeFile(const fs::path& path, const std::string& text)
{
    std::ofstream out(path, std::ios::binary);
    out << text;
    REQUIRE(out.good());
}

struct Workspace {
    fs::path dir;
    std::string bin;
    std::string db;
    Workspace()
    {
        bin = envOr("BACKFILL_BIN", "");
        REQUIRE_MESSAGE(!bin.empty(), "BACKFILL_BIN must name the backfill binary");
        std::string pattern = (fs::path(envOr("BACKFILL_BUILD", fs::temp_directory_path().string())) / "ops-crash-XXXXXX").string();
        REQUIRE(::mkdtemp(pattern.data()) != nullptr);
        dir = pattern;
        db = (dir / "terminal.db").string();
    }
    ~Workspace()
    {
        std::error_code ignored;
        if (envOr("BACKFILL_KEEP_TMP", "").empty()) fs::remove_all(dir, ignored);
    }
    std::vector<std::string> command(const std::vector<std::string>& args) const
    {
        std::vector<std::string> argv{bin, "--db", db, "--today", kToday};
        argv.insert(argv.end(), args.begin(), args.end());
        return argv;
    }
    std::string errPath() const { return (dir / "stderr.txt").string(); }
    // runOk runs a command to its end and requires exit status 0; gives its stdout lines.
    std::vector<std::string> runOk(const std::vector<std::string>& args) const
    {
        const auto [status, lines] = backfill::test::runToEnd(command(args), errPath());
        INFO(args[0] << ": " << backfill::test::readFile(errPath()));
        std::string printed;
        for (const auto& line : lines) printed += line + "\n";
        INFO("stdout: " << printed);
        REQUIRE(WIFEXITED(status));
        REQUIRE(WEXITSTATUS(status) == 0);
        return lines;
    }
};

// OpsState is what the database holds after a kill, for the round's exact comparisons.
struct OpsState {
    int64_t ops = 0;
    std::vector<std::string> moveScans;       // `scan` of every move op, in device_seq order
    int64_t picks = 0;                        // pick ops
    std::vector<std::string> undone;          // `undoes` of every undo op, in device_seq order
    std::map<std::string, int64_t> pickedOf;  // "order/line" -> picked
    int64_t counts = 0;                       // count ops
};

// checkOps runs every consistency check on the database and returns what it holds.
OpsState checkOps(const std::string& path)
{
    {
        std::string text;
        for (const auto& p : backfill::test::ledgerProblems(path)) text += p + "\n";
        INFO(text);
        CHECK(text.empty());
    }
    CrashDb db(path);
    OpsState s;
    const auto integrity = db.rows("PRAGMA integrity_check");
    REQUIRE(integrity.size() == 1);
    CHECK(integrity[0][0] == "ok");
    s.ops = db.integer("SELECT COUNT(*) FROM outbox");
    CHECK(db.integer("SELECT COALESCE(MAX(device_seq), 0) FROM outbox") == s.ops);
    CHECK(db.integer("SELECT COALESCE(MIN(device_seq), 1) FROM outbox") == 1);
    for (const auto& row : db.rows("SELECT kind, payload FROM outbox ORDER BY device_seq")) {
        const auto payload = json::parse(row[1]);
        if (row[0] == "move") s.moveScans.push_back(payload.at("scan").get<std::string>());
        if (row[0] == "pick") ++s.picks;
        if (row[0] == "count") ++s.counts;
        if (row[0] == "undo") s.undone.push_back(payload.at("undoes").get<std::string>());
    }
    // Every action's op has its events, every event's op is in the outbox.
    CHECK(db.integer("SELECT COUNT(*) FROM outbox o WHERE o.kind IN ('receive', 'move', 'pick', 'undo') AND NOT EXISTS("
                     "SELECT 1 FROM events e WHERE e.op_id = o.op_id)") == 0);
    CHECK(db.integer("SELECT COUNT(*) FROM events WHERE op_id IS NOT NULL AND op_id NOT IN (SELECT op_id FROM outbox)") == 0);
    // Stock rows are the ledger, place by place.
    using Key = std::tuple<std::string, std::string, std::string>;
    std::map<Key, int64_t> stock, derived;
    for (const auto& r : db.rows("SELECT product_id, location, lot, qty FROM stock WHERE qty <> 0"))
        stock[{r[0], r[1], r[2]}] = std::stoll(r[3]);
    for (const auto& r : db.rows("SELECT product_id, location, lot, qty FROM events WHERE kind = 'received' "
                                 "UNION ALL SELECT product_id, to_location, lot, qty FROM events WHERE kind = 'moved' "
                                 "UNION ALL SELECT product_id, location, lot, -qty FROM events WHERE kind = 'moved' "
                                 "UNION ALL SELECT product_id, location, lot, -qty FROM events WHERE kind = 'picked' "
                                 "UNION ALL SELECT product_id, location, lot, qty FROM events WHERE kind = 'adjusted'"))
        derived[{r[0], r[1], r[2]}] += std::stoll(r[3]);
    std::erase_if(derived, [](const auto& kv) { return kv.second == 0; });
    CHECK(stock == derived);
    // A line's picked units are its picked events; allocation is eager.
    CHECK(db.integer("SELECT COUNT(*) FROM order_lines l WHERE l.picked <> (SELECT COALESCE(SUM(qty), 0) FROM events e "
                     "WHERE e.kind = 'picked' AND e.order_line_id = l.id)") == 0);
    CHECK(db.integer(backfill::test::kProductTotals +
                     "SELECT COUNT(*) FROM t WHERE on_hand - quarantined > allocated AND EXISTS(SELECT 1 FROM order_lines l "
                     "WHERE l.product_id = t.id AND l.cancelled = 0 AND l.qty > l.allocated + l.picked)") == 0);
    for (const auto& r : db.rows("SELECT order_id || '/' || line, picked FROM order_lines"))
        s.pickedOf[r[0]] = std::stoll(r[1]);
    return s;
}

// Master data and stock: products at A-01 and A-02 (and their allocated units on the lanes),
// order lines to pick.
void setUp(const Workspace& w, std::mt19937& rng)
{
    std::string catalog = "sku,description,gtin,case_gtin,case_qty\n";
    for (int p = 0; p < kProducts; ++p) catalog += skuOf(p) + ",Ops item " + std::to_string(p) + "," + gtinOf(p) + ",,\n";
    writeFile(w.dir / "catalog.csv", catalog);
    writeFile(w.dir / "locations.csv",
              "code,kind,sequence\nDOCK-1,receiving,1\nA-01,storage,10\nA-02,storage,11\nOUT-1,staging,100\nOUT-2,staging,101\n");
    std::string backorders = "order_id,line,customer,sku,qty,priority,ordered_at\n";
    std::uniform_int_distribution<int> product(0, kProducts - 1), qty(1, 4), lines(1, 3);
    for (int order = 0; order < kOrders; ++order)
        for (int line = 1, n = lines(rng); line <= n; ++line)
            backorders += "SO-" + std::to_string(100 + order) + "," + std::to_string(line) + ",C" + std::to_string(order) + "," +
                          skuOf(product(rng)) + "," + std::to_string(qty(rng)) + ",0,2026-11-" +
                          std::to_string(10 + order % 15) + "\n";
    writeFile(w.dir / "backorders.csv", backorders);
    for (const char* kind : {"locations", "catalog", "backorders"})
        w.runOk({"import", kind, (w.dir / (std::string(kind) + ".csv")).string()});
    std::vector<std::string> receipts{"receive", "--location", "A-01"};
    for (int p = 0; p < kProducts; ++p) receipts.push_back("(01)0" + gtinOf(p) + "(30)40");
    w.runOk(receipts);
    receipts[2] = "A-02";
    w.runOk(receipts);
}

// KillAt is when a one-action process dies: after `delay` from its start.
std::chrono::microseconds drawDelay(std::mt19937& rng, std::chrono::microseconds fullRun)
{
    return std::chrono::microseconds(
        std::uniform_int_distribution<int64_t>(0, fullRun.count() * 3 / 2)(rng));
}

// runKilled starts `argv` and SIGKILLs it `delay` after its start (unless it ended before);
// gives its printed lines and whether it was killed.
std::pair<std::vector<std::string>, bool> runKilled(const Workspace& w, const std::vector<std::string>& args,
                                                    std::chrono::microseconds delay)
{
    CrashChild child(w.command(args), w.errPath());
    const auto killAt = Clock::now() + delay;
    bool ended = false;
    while (Clock::now() < killAt)
        if (!child.pump(std::chrono::milliseconds(0))) {
            ended = true;
            break;
        }
    const int status = ended ? child.finish() : child.killNow();
    const bool killed = WIFSIGNALED(status);
    if (killed) CHECK(WTERMSIG(status) == SIGKILL);
    return {child.lines(), killed};
}

std::chrono::microseconds timed(const std::function<void()>& run)
{
    const auto start = Clock::now();
    run();
    return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start);
}

} // namespace

TEST_CASE("move, pick, undo and count survive SIGKILL at random moments: every printed action is recorded, the ledger stays "
          "consistent")
{
    ::signal(SIGPIPE, SIG_IGN); // a killed child closes its stdin under our writes
    const unsigned seed = static_cast<unsigned>(std::stoul(envOr("BACKFILL_CRASH_SEED", "20261204")));
    MESSAGE("seed " << seed << " (set BACKFILL_CRASH_SEED to repeat another)");
    std::mt19937 rng(seed);
    Workspace w;
    setUp(w, rng);
    OpsState state = checkOps(w.db);
    REQUIRE(state.ops == 2 * kProducts);

    // How long one whole pick and one whole undo take on this machine and build.
    std::chrono::microseconds pickRun{}, undoRun{}, countRun{};
    int kills = 0, beyondPrinted = 0, movesRecorded = 0;
    std::uniform_int_distribution<int> product(0, kProducts - 1);
    for (int round = 0; round < kRounds; ++round) {
        CAPTURE(round);
        const int kind = round < 3 ? round + 1 : static_cast<int>(rng() % 4); // 0 move, 1 pick, 2 undo, 3 count
        if (kind == 0) {
            const bool toA2 = rng() % 2 == 0;
            std::vector<std::string> scans;
            for (int i = 0, n = std::uniform_int_distribution<int>(10, 40)(rng); i < n; ++i)
                scans.push_back("(01)0" + gtinOf(product(rng)));
            size_t killAfter = std::uniform_int_distribution<size_t>(0, scans.size() - 1)(rng);
            auto delay = std::chrono::microseconds(std::uniform_int_distribution<int>(0, 3000)(rng));
            if (rng() % 6 == 0) {
                killAfter = 0;
                delay = std::chrono::microseconds(std::uniform_int_distribution<int>(0, 8000)(rng));
            }
            CAPTURE(killAfter);
            CAPTURE(delay.count());
            CrashChild child(w.command({"move", "--from", toA2 ? "A-01" : "A-02", "--to", toA2 ? "A-02" : "A-01", "-"}),
                             w.errPath());
            for (const auto& s : scans) child.send(s + "\n");
            std::optional<Clock::time_point> killAt;
            const auto giveUp = Clock::now() + std::chrono::seconds(60);
            bool ended = false;
            while (true) {
                const auto now = Clock::now();
                REQUIRE_MESSAGE(now < giveUp, "no progress: " << child.lines().size() << " lines of " << scans.size());
                if (!killAt && child.lines().size() >= killAfter) killAt = now + delay;
                if (killAt && now >= *killAt) break;
                if (!child.pump(std::chrono::milliseconds(1))) {
                    ended = true; // stdin stays open: it ends only by dying
                    break;
                }
            }
            const int status = child.killNow();
            INFO("stderr: " << backfill::test::readFile(w.errPath()));
            REQUIRE_FALSE(ended);
            REQUIRE(WIFSIGNALED(status));
            ++kills;
            const auto& lines = child.lines();
            REQUIRE(lines.size() <= scans.size());
            std::vector<std::string> printedOk;
            for (size_t i = 0; i < lines.size(); ++i) {
                const auto doc = json::parse(lines[i]);
                CHECK(doc.at("scan") == scans[i]);
                if (doc.at("ok") == true)
                    printedOk.push_back(scans[i]);
                else
                    CHECK(doc.at("code") == "insufficient_stock");
            }
            const auto before = state.moveScans.size();
            state = checkOps(w.db);
            const std::vector<std::string> recorded(state.moveScans.begin() + static_cast<long>(before), state.moveScans.end());
            auto withNext = printedOk;
            if (lines.size() < scans.size()) withNext.push_back(scans[lines.size()]);
            CHECK((recorded == printedOk || recorded == withNext));
            if (recorded.size() > printedOk.size()) ++beyondPrinted;
            movesRecorded += static_cast<int>(recorded.size());
        } else if (kind == 1) {
            // A line with allocated units to pick one of.
            std::vector<std::pair<std::string, std::string>> pickable;
            for (const auto& r : CrashDb(w.db).rows("SELECT order_id, line FROM order_lines WHERE allocated > 0 ORDER BY id"))
                pickable.emplace_back(r[0], r[1]);
            REQUIRE_FALSE(pickable.empty());
            const auto [orderId, line] = pickable[rng() % pickable.size()];
            const std::string key = orderId + "/" + line;
            const int64_t pickedBefore = state.pickedOf.at(key);
            const int64_t picksBefore = state.picks;
            std::vector<std::string> lines;
            bool killed = false;
            if (pickRun.count() == 0) {
                pickRun = timed([&] { lines = w.runOk({"pick", orderId, line, "1"}); });
            } else {
                const auto delay = drawDelay(rng, pickRun);
                CAPTURE(delay.count());
                std::tie(lines, killed) = runKilled(w, {"pick", orderId, line, "1"}, delay);
            }
            kills += killed;
            state = checkOps(w.db);
            CAPTURE(key);
            REQUIRE(lines.size() <= 1);
            if (lines.size() == 1 && json::parse(lines[0]).at("ok") == true) {
                CHECK(state.picks == picksBefore + 1);
                CHECK(state.pickedOf.at(key) == pickedBefore + 1);
            } else if (lines.size() == 1) {
                CHECK(state.picks == picksBefore);
            } else {
                CHECK(killed);
                CHECK(state.picks - picksBefore <= 1);
                CHECK(state.pickedOf.at(key) - pickedBefore == state.picks - picksBefore);
                beyondPrinted += static_cast<int>(state.picks - picksBefore);
            }
        } else if (kind == 3) {
            // A blind count of one product at a storage location, killed: a count that matches
            // the book, or differs by a few units (applied, recount or pending: one count op each).
            const int p = product(rng);
            const std::string location = rng() % 2 == 0 ? "A-01" : "A-02";
            const std::string qty = std::to_string(std::uniform_int_distribution<int>(30, 50)(rng));
            const std::vector<std::string> args{"count", "--location", location, "--sku", skuOf(p), "--qty", qty};
            const int64_t countsBefore = state.counts;
            std::vector<std::string> lines;
            bool killed = false;
            if (countRun.count() == 0) {
                countRun = timed([&] { lines = w.runOk(args); });
            } else {
                const auto delay = drawDelay(rng, countRun);
                CAPTURE(delay.count());
                std::tie(lines, killed) = runKilled(w, args, delay);
            }
            kills += killed;
            state = checkOps(w.db);
            REQUIRE(lines.size() <= 1);
            if (lines.size() == 1) {
                const auto doc = json::parse(lines[0]);
                CHECK(doc.contains("count_id"));
                CHECK((doc.at("state") == "applied" || doc.at("state") == "recount" || doc.at("state") == "pending"));
                CHECK(state.counts == countsBefore + 1);
            } else {
                CHECK(killed);
                CHECK(state.counts - countsBefore <= 1);
                beyondPrinted += static_cast<int>(state.counts - countsBefore);
            }
        } else {
            // A receipt (run to its end), then its undo, killed.
            const int p = product(rng);
            w.runOk({"receive", "--location", "DOCK-1", "(01)0" + gtinOf(p) + "(30)" + std::to_string(1 + rng() % 5)});
            const std::string receipt =
                CrashDb(w.db).rows("SELECT op_id FROM outbox WHERE kind = 'receive' ORDER BY device_seq DESC LIMIT 1").at(0).at(0);
            const auto undosBefore = state.undone.size();
            std::vector<std::string> lines;
            bool killed = false;
            if (undoRun.count() == 0) {
                undoRun = timed([&] { lines = w.runOk({"undo"}); });
            } else {
                const auto delay = drawDelay(rng, undoRun);
                CAPTURE(delay.count());
                std::tie(lines, killed) = runKilled(w, {"undo"}, delay);
            }
            kills += killed;
            state = checkOps(w.db);
            REQUIRE(lines.size() <= 1);
            const std::vector<std::string> recorded(state.undone.begin() + static_cast<long>(undosBefore), state.undone.end());
            if (lines.size() == 1) {
                const auto doc = json::parse(lines[0]);
                CHECK(doc.at("ok") == true); // nothing touched the receipt
                CHECK(doc.at("undone_op_id") == receipt);
                CHECK(recorded == std::vector<std::string>{receipt});
            } else {
                CHECK(killed);
                CHECK(recorded.size() <= 1);
                if (!recorded.empty()) CHECK(recorded[0] == receipt);
                beyondPrinted += static_cast<int>(recorded.size());
            }
        }
    }
    MESSAGE(kRounds << " rounds, " << kills << " kills, " << movesRecorded << " moves recorded; " << beyondPrinted
                    << " rounds recorded an action whose line was not printed; a whole pick took " << pickRun.count()
                    << " us, an undo " << undoRun.count() << " us, a count " << countRun.count() << " us");

    // The database still serves normal runs, and the CLI reads the totals the ledger gives.
    w.runOk({"move", "--from", "A-01", "--to", "A-02", "--sku", skuOf(0), "--qty", "1"});
    state = checkOps(w.db);
    const auto stockLines = w.runOk({"stock"});
    REQUIRE(stockLines.size() == 1);
    int64_t onHand = 0;
    for (const auto& row : json::parse(stockLines[0])) onHand += row.at("on_hand").get<int64_t>();
    CHECK(onHand == CrashDb(w.db).integer("SELECT SUM(CASE kind WHEN 'received' THEN qty WHEN 'adjusted' THEN qty WHEN 'picked' THEN -qty "
                                          "ELSE 0 END) "
                                          "FROM events"));
}

// The deterministic simulation of issue 11 (DESIGN.md 2, P1-P5 and P7): several terminals,
// each a real TerminalStore SQLite file speaking through the real sync/link, and the real
// server Applier over a real SQLite file, in one process. Between them a network that drops
// requests and replies, delivers requests late and out of order (after the terminal gave up
// and resent them), duplicates them, and restarts the server between applying a push and
// replying. Terminals work offline for random stretches (every op kind: receive, pallet
// receive, move, pick, short, count, count approval and rejection, undo) and sync now and
// then. Many seeds; after every step P3 and P6 are checked at the server, and at the end
// (faults healed) P7, P1, P2/P4 and P5. P6: every count the server applied ends as
// max(counted + the movements at its key its counter did not know, 0), where the test
// works out on its own, from the log, what the counter knew: the log up to the cursor its
// terminal had pulled when it counted (noted by the test at that moment) and its own earlier
// ops; and a count is flagged stale_count exactly when other devices' movements were unknown.

#include "ledger/CheckDigit.h"
#include "link/Link.h"
#include "protocol/Codec.h"
#include "server/Apply.h"
#include "server/Imports.h"
#include "server/SqliteServerStore.h"
#include "store/TerminalStore.h"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <random>
#include <set>
#include <string>
#include <tuple>

using namespace backfill;
using Json = nlohmann::json;
namespace fs = std::filesystem;
using ledger::Qty;

namespace {

const std::vector<std::string> kSkus{"SKU-A", "SKU-B"};
const std::vector<std::string> kOrders{"SO-1", "SO-2", "SO-3", "SO-4"};
const std::vector<std::string> kPlaces{"DOCK", "A-1", "Q", "OUT"};

std::string gtinOf(int n)
{
    std::string body = "095011015300" + std::to_string(n);
    return body + std::to_string(ledger::gs1CheckDigit(body));
}

std::string ssccOf(int n)
{
    std::string body = "3761042500212345" + std::to_string(n);
    return body + std::to_string(ledger::gs1CheckDigit(body));
}

// Net is the faulty network and the server behind it. `faults` off: every request is
// delivered once and answered.
struct Net {
    std::mt19937& rng;
    fs::path db;
    std::unique_ptr<server::SqliteServerStore> store;
    std::unique_ptr<server::Applier> applier;
    std::vector<std::string> late; // requests still on their way
    bool faults = true;
    std::map<std::string, int> counts;

    Net(std::mt19937& r, fs::path file) : rng(r), db(std::move(file)) { start(); }

    void start()
    {
        auto opened = server::SqliteServerStore::open(db.string());
        REQUIRE(opened);
        store = std::move(*opened);
        applier = std::make_unique<server::Applier>(*store);
    }
    void restart()
    {
        applier.reset();
        store.reset();
        start();
        ++counts["restart"];
    }
    std::string deliver(const std::string& request) { return applier->handle(request); }

    ledger::Result<std::string> exchange(const std::string& request)
    {
        auto timeout = [] { return ledger::fail("timeout", "simulated: no reply"); };
        if (!faults) return deliver(request);
        // Requests sent earlier arrive now, out of order, their replies lost.
        while (!late.empty() && rng() % 3 == 0) {
            const size_t i = rng() % late.size();
            deliver(late[i]);
            late.erase(late.begin() + static_cast<long>(i));
            ++counts["late"];
        }
        const unsigned r = rng() % 100;
        if (r < 8) return ++counts["drop_request"], timeout();
        if (r < 14) return late.push_back(request), ++counts["delay"], timeout();
        if (r < 20) return deliver(request), ++counts["drop_reply"], timeout();
        if (r < 24) {
            deliver(request);
            restart(); // between apply and reply: the push is committed, the reply never sent
            return ledger::fail("unreachable", "simulated: the server restarted");
        }
        if (r < 30) {
            deliver(request);
            ++counts["duplicate"];
        }
        return deliver(request);
    }

    void drainLate()
    {
        for (const auto& request : late) deliver(request);
        late.clear();
    }
};

struct Terminal {
    std::string name;
    std::unique_ptr<store::TerminalStore> store;
    store::Actor actor;
};

struct World {
    fs::path dir;
    std::mt19937 rng;
    std::unique_ptr<Net> net;
    std::vector<Terminal> terminals;
    std::map<std::string, int> outcomes;
    ledger::Timestamp clock = 1'800'000'000;
    // countCursors: the server cursor each count's terminal had pulled when it counted, by
    // the count's op id (what P6's check takes the counter to have known).
    std::map<std::string, int64_t> countCursors;

    explicit World(unsigned seed) : rng(seed)
    {
        dir = fs::temp_directory_path() / ("backfill_sim_" + std::to_string(::getpid()) + "_" + std::to_string(seed));
        fs::remove_all(dir);
        fs::create_directories(dir);
        net = std::make_unique<Net>(rng, dir / "server.db");
        auto& s = *net->store;
        REQUIRE(server::importLocations(s, ledger::parseLocationsCsv("code,kind,sequence\nDOCK,receiving,1\nA-1,storage,2\nQ,quarantine,3\nOUT,staging,4\n"))->imported == 4);
        REQUIRE(server::importCatalog(s, ledger::parseCatalogCsv("sku,description,gtin\nSKU-A,A," + gtinOf(1) + "\nSKU-B,B," + gtinOf(2) + "\n"))->imported == 2);
        REQUIRE(server::importReasons(s, ledger::parseReasonsCsv("code,kind,description\nNF,short,not found\nLOST,adjust,lost\n"))->imported == 2);
        REQUIRE(server::importBackorders(s, ledger::parseBackordersCsv("order_id,line,customer,sku,qty,priority,ordered_at\n"
                                                                        "SO-1,1,C,SKU-A,6,0,2026-01-03\nSO-2,1,C,SKU-A,4,2,2026-01-02\n"
                                                                        "SO-3,1,C,SKU-B,5,0,2026-01-01\nSO-4,1,C,SKU-B,3,1,2026-01-05\n"))
                    ->imported == 4);
        REQUIRE(server::importInbound(s, ledger::parseInboundCsv("inbound_id,supplier,sku,qty,eta,sscc\nASN-1,S,SKU-A,5,2026-02-01," + ssccOf(1) +
                                                                  "\nPO-2,S,SKU-B,6,2026-02-02,\n"))
                    ->imported == 2);
        for (int t = 0; t < 3; ++t) {
            Terminal term;
            term.name = "HH-" + std::to_string(t);
            auto opened = store::TerminalStore::open((dir / (term.name + ".db")).string());
            REQUIRE(opened);
            term.store = std::move(*opened);
            term.actor.device = term.name;
            term.actor.today = *ledger::parseDate("2026-01-10");
            auto token = server::addDevice(*net->store, term.name);
            REQUIRE(token);
            net->faults = false;
            auto port = term.store->linkStore(clock);
            auto enrolled = link::enrol(*port, {"sim://server", term.name, 0, *token, "", ""}, options());
            REQUIRE_MESSAGE(enrolled.has_value(), (enrolled ? std::string() : enrolled.error().error.message));
            terminals.push_back(std::move(term));
        }
        net->faults = true;
    }
    ~World()
    {
        terminals.clear();
        net.reset();
        fs::remove_all(dir);
    }

    link::LinkOptions options()
    {
        link::LinkOptions o;
        o.retries = 3;
        o.exchange = [this](const std::string&, const std::string& request, std::chrono::milliseconds) { return net->exchange(request); };
        o.pause = [](std::chrono::milliseconds) {};
        o.pushesInFlight = 1; // one exchange at a time: the simulation's network is deterministic
        return o;
    }

    unsigned pick(unsigned n) { return rng() % n; }

    // act makes terminal `t` do one random thing offline; refusals are part of the game.
    void act(Terminal& t)
    {
        t.actor.at = ++clock;
        auto& s = *t.store;
        const std::string sku = kSkus[pick(2)];
        const std::string order = kOrders[pick(4)];
        const std::string place = kPlaces[pick(2)];
        switch (pick(10)) {
        case 0:
        case 1:
        case 2: {
            ledger::ReceiptRequest r;
            r.location = place == "A-1" ? "DOCK" : place;
            if (pick(6) == 0) {
                r.sscc = ssccOf(1); // the same pallet may reach several terminals
            } else {
                r.gtin = gtinOf(sku == "SKU-A" ? 1 : 2);
                r.count = 1 + pick(4);
            }
            r.scan = r.sscc ? *r.sscc : *r.gtin;
            const auto received = s.receive(r, t.actor);
            ++outcomes[received ? "receive" : "receive refused"];
            if (received)
                for (const auto& l : *received)
                    for (const auto& a : l.allocations)
                        if (a.staged > 0) ++outcomes["receive staged"];
            break;
        }
        case 3: {
            ledger::MoveRequest m;
            m.sku = sku;
            m.count = 1 + pick(2);
            // Any place to any other, the staging lane OUT among them (receipts carry units
            // allocated to orders there).
            const unsigned from = pick(4);
            m.from = kPlaces[from];
            m.to = kPlaces[(from + 1 + pick(3)) % 4];
            ++outcomes[s.move(m, t.actor) ? "move" : "move refused"];
            break;
        }
        case 4:
            ++outcomes[s.pickLot(order, 1, 1, std::nullopt, std::nullopt, t.actor) ? "pick" : "pick refused"];
            break;
        case 5:
            ++outcomes[s.shortPick({order, 1, place, 0, "NF"}, t.actor) ? "short" : "short refused"];
            break;
        case 6: {
            store::TerminalStore::CountRequest c;
            c.sku = sku;
            c.location = place;
            // Half the counts go where pallets arrive: after a second receipt of one pallet (no
            // stock at the server) or a refused undo, the terminal's own book differs from the
            // server's at its basis, and only the basis rule gets P6 right.
            if (pick(2) == 0) {
                c.sku = "SKU-A";
                c.location = "DOCK";
            }
            c.counted = pick(6);
            const int64_t cursor = *s.syncCursor();
            auto counted = s.count(c, t.actor);
            ++outcomes[counted ? "count" : "count refused"];
            if (counted) countCursors[counted->count.opId] = cursor;
            break;
        }
        case 7: {
            // A supervisor decides the oldest count waiting: approved (its variance applied at
            // its basis) or rejected.
            const auto pending = *s.counts(store::TerminalStore::CountState::Pending);
            const auto recount = *s.counts(store::TerminalStore::CountState::Recount);
            if (pending.empty() && recount.empty()) {
                ++outcomes["decide: nothing waits"];
            } else if (pending.empty()) {
                // Nothing to decide yet: the count asked for is made (it may go pending).
                store::TerminalStore::CountRequest c;
                c.sku = recount[0].sku;
                c.location = recount[0].location;
                c.lot = recount[0].lot;
                c.counted = pick(6);
                const int64_t cursor = *s.syncCursor();
                auto counted = s.count(c, t.actor);
                ++outcomes[counted ? "recount" : "recount refused"];
                if (counted) countCursors[counted->count.opId] = cursor;
            } else if (pick(3) > 0) {
                ++outcomes[s.approveCount(pending[0].countId, "LOST", std::nullopt, t.actor) ? "count_approve" : "count_approve refused"];
            } else {
                ++outcomes[s.rejectCount(pending[0].countId, "miscount", t.actor) ? "count_reject" : "count_reject refused"];
            }
            break;
        }
        default:
            ++outcomes[s.undoLastReceipt(t.actor) ? "undo" : "undo refused"];
            break;
        }
    }

    // sync runs one round for `t`; over the faulty network it may fail, to be retried later.
    bool sync(Terminal& t)
    {
        auto port = t.store->linkStore(++clock);
        auto round = link::sync(*port, options());
        if (!round) {
            ++outcomes["sync failed " + round.error().error.code];
            return false;
        }
        for (const auto& r : round->rejected) ++outcomes["rejected " + r.code];
        ++outcomes["sync ok"];
        return true;
    }

    // P3 at the server: never more allocated than allocatable per product, nor than a line
    // still needs.
    void checkBounds()
    {
        auto& s = *net->store;
        for (const auto& sku : kSkus) {
            Qty allocated = 0;
            const auto open = *s.openLines(sku);
            for (const auto& l : open) {
                CHECK(l.allocated >= 0);
                CHECK(l.allocated <= l.qty - l.picked);
                allocated += l.allocated;
            }
            CHECK(allocated <= std::max<Qty>(*s.allocatableOnHand(sku), 0));
        }
    }
};

using StockKey = std::tuple<std::string, std::string, std::string>;
using StockMap = std::map<StockKey, std::pair<Qty, Qty>>;
using LineMap = std::map<std::string, std::pair<Qty, Qty>>; // order -> allocated, picked

StockMap serverStock(server::ServerStore& s)
{
    StockMap out;
    const auto rows = *s.stock("");
    for (const auto& r : rows) out[{r.sku, r.location, r.lot}] = {r.qty, r.held};
    return out;
}

LineMap serverLines(server::ServerStore& s)
{
    LineMap out;
    const auto all = *s.orderLines();
    for (const auto& l : all) out[l.orderId] = {l.allocated, l.picked};
    return out;
}

// Replayer folds the server log, entry by entry, into stock and lines (P4; P2: on hand =
// the sum of the logged deltas), keeping every on-hand change with the op that made it (P6).
struct Replayer {
    struct Change {
        int64_t seq;
        std::string device;
        int64_t deviceSeq;
        StockKey key;
        Qty qty;
    };
    StockMap stock;
    LineMap lines;
    std::vector<Change> changes;
    int64_t cursor = 0;

    std::pair<Qty, Qty>& cell(const Json& sku, const Json& location, const Json& lot)
    {
        return stock[{sku.get<std::string>(), location.get<std::string>(), lot.get<std::string>()}];
    }
    void onHand(const protocol::LogEntry& entry, const Json& e, const Json& sku, const Json& location, const Json& lot, Qty qty)
    {
        cell(sku, location, lot).first += qty;
        if (qty == 0) return; // a count that found the book: nothing moved
        changes.push_back({entry.seq, e["device"].get<std::string>(), e["device_seq"].get<int64_t>(),
                           {sku.get<std::string>(), location.get<std::string>(), lot.get<std::string>()}, qty});
    }
    void apply(const protocol::LogEntry& entry)
    {
        const Json e = Json::parse(entry.payload);
        const std::string& k = entry.kind;
        cursor = entry.seq;
        if (k == "order_line") lines[e["order_id"].get<std::string>()];
        // A receipt's line stays at its location but for its `staged` parts, carried on to
        // orders' lanes; its undo takes them back from the same places.
        auto receiptLine = [&](const Json& l, Qty sign) {
            Qty staged = 0;
            for (const auto& st : l.value("staged", Json::array())) {
                onHand(entry, e, l["sku"], st["stage"], l["lot"], sign * st["qty"].get<Qty>());
                staged += st["qty"].get<Qty>();
            }
            onHand(entry, e, l["sku"], e["location"], l["lot"], sign * (l["qty"].get<Qty>() - staged));
        };
        if (k == "receive") {
            for (const auto& l : e["lines"]) receiptLine(l, 1);
        } else if (k == "move") {
            for (const auto& l : e["lots"]) {
                onHand(entry, e, e["sku"], e["from"], l["lot"], -l["qty"].get<Qty>());
                onHand(entry, e, e["sku"], e["to"], l["lot"], l["qty"].get<Qty>());
            }
        } else if (k == "pick") {
            for (const auto& l : e["lots"]) onHand(entry, e, e["sku"], e["location"], l["lot"], -l["qty"].get<Qty>());
            lines[e["order_id"].get<std::string>()].second += e["qty"].get<Qty>();
            lines[e["order_id"].get<std::string>()].first -= e["deallocated"].get<Qty>();
        } else if (k == "short") {
            for (const auto& h : e["held"]) cell(e["sku"], e["location"], h["lot"]).second += h["qty"].get<Qty>();
            lines[e["order_id"].get<std::string>()].first -= e["deallocated"].get<Qty>();
        } else if (k == "undo") {
            for (const auto& l : e["lines"]) receiptLine(l, -1);
            for (const auto& d : e["deallocated"]) lines[d["order_id"].get<std::string>()].first -= d["qty"].get<Qty>();
        } else if ((k == "count" || k == "count_approve") && e.contains("adjusted")) {
            onHand(entry, e, e["sku"], e["location"], e["lot"], e["adjusted"].get<Qty>());
            cell(e["sku"], e["location"], e["lot"]).second -= e["holds_cleared"].get<Qty>();
        }
        if (e.contains("allocations"))
            for (const auto& a : e["allocations"]) lines[a["order_id"].get<std::string>()].first += a["qty"].get<Qty>();
        if (e.contains("releases"))
            for (const auto& r : e["releases"]) lines[r["order_id"].get<std::string>()].first -= r["qty"].get<Qty>();
    }
    std::pair<StockMap, LineMap> state() const
    {
        StockMap s = stock;
        std::erase_if(s, [](const auto& kv) { return kv.second.first == 0 && kv.second.second == 0; });
        return {s, lines};
    }
};

// replay folds the server log from scratch (P4; P2).
std::pair<StockMap, LineMap> replay(server::ServerStore& s)
{
    Replayer r;
    const auto log = *s.entriesAfter(0, 1'000'000);
    for (const auto& entry : log) r.apply(entry);
    return r.state();
}

// checkCounts (P6) folds the log entries written since the last call and checks every count
// the server applied among them against what the test itself works out: the stock at its
// key just before it, plus its counter's unknown movements (entries after the cursor the
// terminal had pulled when it counted, except its own ops up to that count), gives
// max(counted + unknown, 0) right after it; stale_count exactly when another device moved
// units there unknown to the counter.
void checkCounts(server::ServerStore& s, Replayer& r, const std::map<std::string, int64_t>& countCursors,
                 std::map<std::string, int>& tally)
{
    const auto entries = *s.entriesAfter(r.cursor, 1'000'000);
    for (const auto& entry : entries) {
        const bool isCount = entry.kind == "count" || entry.kind == "count_approve";
        const Json e = Json::parse(entry.payload);
        if (!isCount || !e.contains("adjusted")) {
            r.apply(entry);
            continue;
        }
        CAPTURE(entry.payload);
        const std::string device = e["device"].get<std::string>();
        // The counting op: the count itself, or for an approval the count it approves.
        const std::string countOp = entry.kind == "count" ? e["op_id"].get<std::string>() : e["count_op_id"].get<std::string>();
        const auto noted = countCursors.find(countOp);
        REQUIRE(noted != countCursors.end());
        const auto counting = *s.appliedOp(countOp);
        REQUIRE(counting);
        // The basis the server used is the one the terminal had.
        CHECK(e["basis_cursor"].get<int64_t>() == noted->second);
        CHECK(e["basis_epoch"].get<int64_t>() == 1);
        CHECK(e["basis_device_seq"].get<int64_t>() == counting->deviceSeq - 1);

        const StockKey key{e["sku"].get<std::string>(), e["location"].get<std::string>(), e["lot"].get<std::string>()};
        const Qty before = r.stock[key].first;
        Qty unknown = 0;
        int byOthers = 0;
        for (const auto& c : r.changes) {
            if (c.key != key || c.seq <= noted->second) continue;
            if (c.device == device && c.deviceSeq < counting->deviceSeq) continue; // its own, known
            unknown += c.qty;
            if (c.device != device) ++byOthers;
        }
        r.apply(entry);
        const Qty after = r.stock[key].first;
        CHECK(after == std::max<Qty>(e["counted"].get<Qty>() + unknown, 0));
        CHECK(e["book_at_basis"].get<Qty>() == before - unknown);
        const auto op = *s.appliedOp(e["op_id"].get<std::string>());
        REQUIRE(op);
        CHECK((op->code == "stale_count") == (byOthers > 0));
        ++tally["p6 counts"];
        // The terminal's variance (counted - its own book) was not the server's at the basis.
        if (entry.kind == "count" && e["variance"].get<Qty>() != e["counted"].get<Qty>() - e["book_at_basis"].get<Qty>())
            ++tally["p6 view differed"];
        if (unknown != 0) ++tally["p6 unknown"];
        if (byOthers > 0) ++tally["p6 stale"];
        if (counting->deviceSeq - 1 > 0 && noted->second < entry.seq - 1) ++tally["p6 behind"];
    }
}

StockMap terminalStock(store::TerminalStore& t)
{
    StockMap out;
    for (const auto& sku : kSkus) {
        const auto rows = *t.stock(sku);
        for (const auto& row : rows)
            for (const auto& l : row.locations)
                if (l.qty != 0 || l.held != 0) out[{sku, l.location, l.lot.value_or("")}] = {l.qty, l.held};
    }
    return out;
}

LineMap terminalLines(store::TerminalStore& t)
{
    LineMap out;
    const auto rows = *t.backorders();
    for (const auto& b : rows) out[b.line.orderId] = {b.line.allocated, b.line.picked};
    return out;
}

} // namespace

TEST_CASE("simulation: terminals offline and syncing over a faulty network keep P1-P7")
{
    std::map<std::string, int> outcomes, faults;
    for (unsigned seed = 1; seed <= 30; ++seed) {
        CAPTURE(seed);
        World w(seed);
        Replayer p6;
        for (int step = 0; step < 80; ++step) {
            auto& t = w.terminals[w.pick(3)];
            // Offline stretches: a terminal syncs on about one step in four.
            if (w.pick(4) == 0)
                w.sync(t);
            else
                w.act(t);
            w.checkBounds();
            checkCounts(*w.net->store, p6, w.countCursors, w.outcomes);
        }
        // Faults heal (requests still in flight arrive), then every outbox drains within a
        // bounded number of rounds (P7), and one more round each brings every view to the
        // server's head.
        w.net->drainLate();
        w.net->faults = false;
        for (auto& t : w.terminals) {
            int rounds = 0;
            while (*t.store->outboxCount() > 0 && rounds < 3) {
                w.sync(t);
                ++rounds;
            }
            CHECK_MESSAGE(*t.store->outboxCount() == 0, t.name, " still has unsent ops after 3 rounds");
        }
        for (auto& t : w.terminals) REQUIRE(w.sync(t));
        w.checkBounds();
        checkCounts(*w.net->store, p6, w.countCursors, w.outcomes);

        auto& s = *w.net->store;
        // P1: every op of every terminal was handled exactly once and took effect once: one
        // applied_ops row each, and one log entry of its own at most (none when rejected).
        std::map<std::string, int> entriesOfOp;
        const auto log = *s.entriesAfter(0, 1'000'000);
        for (const auto& e : log) {
            if (e.kind == "correction") continue;
            const Json j = Json::parse(e.payload);
            if (j.contains("op_id")) ++entriesOfOp[j["op_id"].get<std::string>()];
        }
        for (auto& t : w.terminals) {
            // Every op the terminal wrote is at the server under its device_seq, once.
            std::vector<std::pair<std::string, int64_t>> written;
            sqlite3* db = nullptr;
            REQUIRE(sqlite3_open_v2((w.dir / (t.name + ".db")).c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
            sqlite3_stmt* q = nullptr;
            REQUIRE(sqlite3_prepare_v2(db, "SELECT op_id, device_seq FROM outbox ORDER BY device_seq", -1, &q, nullptr) == SQLITE_OK);
            while (sqlite3_step(q) == SQLITE_ROW)
                written.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(q, 0)), sqlite3_column_int64(q, 1));
            sqlite3_finalize(q);
            sqlite3_close(db);
            CHECK(*s.lastDeviceSeq(t.name, 1) == static_cast<int64_t>(written.size()));
            for (const auto& [opId, seq] : written) {
                auto applied = *s.appliedOp(opId);
                REQUIRE_MESSAGE(applied, t.name, " op ", opId, " never reached the server");
                CHECK(applied->deviceId == t.name);
                CHECK(applied->deviceSeq == seq);
            }
        }
        for (const auto& [opId, n] : entriesOfOp) {
            CAPTURE(opId);
            CHECK(n == 1);
            auto applied = *s.appliedOp(opId);
            REQUIRE(applied);
            CHECK(applied->status != protocol::OpStatus::Rejected);
        }
        // P2, P4: the log replayed from scratch gives the server's stock and lines.
        const auto [stock, lines] = replay(s);
        CHECK(stock == serverStock(s));
        CHECK(lines == serverLines(s));
        // P5: after the final push and pull every terminal's view equals the server's.
        for (auto& t : w.terminals) {
            CAPTURE(t.name);
            CHECK(terminalStock(*t.store) == serverStock(s));
            CHECK(terminalLines(*t.store) == serverLines(s));
        }
        for (const auto& [k, n] : w.outcomes) outcomes[k] += n;
        for (const auto& [k, n] : w.net->counts) faults[k] += n;
    }
    std::string summary;
    for (const auto& [k, n] : outcomes) summary += k + "=" + std::to_string(n) + " ";
    for (const auto& [k, n] : faults) summary += "net " + k + "=" + std::to_string(n) + " ";
    MESSAGE("over all seeds: ", summary);
    // The runs are not vacuous: every op kind was made and every fault happened.
    for (const char* k : {"receive", "receive staged", "move", "pick", "short", "count", "count_approve", "count_reject", "undo", "sync ok"})
        CHECK(outcomes[k] > 0);
    // P6 was tested where it matters: counts that missed movements, other devices' among them.
    // ("p6 view differed", a terminal's own book unlike the server's at the basis, stays rare
    // here: a second receipt of one pallet needs two terminals offline; apply_test has it.)
    for (const char* k : {"p6 counts", "p6 unknown", "p6 stale"}) CHECK(outcomes[k] > 0);
    for (const char* k : {"drop_request", "delay", "late", "drop_reply", "restart", "duplicate"}) CHECK(faults[k] > 0);
}

// The deterministic simulation of issue 11 (DESIGN.md 2, P1-P5 and P7): several terminals,
// each a real TerminalStore SQLite file speaking through the real sync/link, and the real
// server Applier over a real SQLite file, in one process. Between them a network that drops
// requests and replies, delivers requests late and out of order (after the terminal gave up
// and resent them), duplicates them, and restarts the server between applying a push and
// replying. Terminals work offline for random stretches (every op kind: receive, pallet
// receive, move, pick, short, count, undo) and sync now and then. Many seeds; after every
// step P3 is checked at the server, and at the end (faults healed) P7, P1, P2/P4 and P5.
// P6 (a count ends as counted + what its counter did not know) is not checked here: the
// server applies the terminal's variance (docs/server.md, Op kinds applied).

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
const std::vector<std::string> kPlaces{"DOCK", "A-1", "Q"};

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

    explicit World(unsigned seed) : rng(seed)
    {
        dir = fs::temp_directory_path() / ("backfill_sim_" + std::to_string(::getpid()) + "_" + std::to_string(seed));
        fs::remove_all(dir);
        fs::create_directories(dir);
        net = std::make_unique<Net>(rng, dir / "server.db");
        auto& s = *net->store;
        REQUIRE(server::importLocations(s, ledger::parseLocationsCsv("code,kind,sequence\nDOCK,receiving,1\nA-1,storage,2\nQ,quarantine,3\n"))->imported == 3);
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
        switch (pick(9)) {
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
            ++outcomes[s.receive(r, t.actor) ? "receive" : "receive refused"];
            break;
        }
        case 3: {
            ledger::MoveRequest m;
            m.sku = sku;
            m.count = 1 + pick(2);
            m.from = kPlaces[pick(3)];
            m.to = kPlaces[(pick(2) + 1 + static_cast<unsigned>(std::find(kPlaces.begin(), kPlaces.end(), m.from) - kPlaces.begin())) % 3];
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
            c.counted = pick(6);
            ++outcomes[s.count(c, t.actor) ? "count" : "count refused"];
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

// replay folds the server log from scratch (P4; P2: on hand = the sum of the logged deltas).
std::pair<StockMap, LineMap> replay(server::ServerStore& s)
{
    StockMap stock;
    LineMap lines;
    auto cell = [&](const Json& sku, const Json& location, const Json& lot) -> std::pair<Qty, Qty>& {
        return stock[{sku.get<std::string>(), location.get<std::string>(), lot.get<std::string>()}];
    };
    const auto log = *s.entriesAfter(0, 1'000'000);
    for (const auto& entry : log) {
        const Json e = Json::parse(entry.payload);
        const std::string& k = entry.kind;
        if (k == "order_line") lines[e["order_id"].get<std::string>()];
        if (k == "receive") {
            for (const auto& l : e["lines"]) cell(l["sku"], e["location"], l["lot"]).first += l["qty"].get<Qty>();
        } else if (k == "move") {
            for (const auto& l : e["lots"]) {
                cell(e["sku"], e["from"], l["lot"]).first -= l["qty"].get<Qty>();
                cell(e["sku"], e["to"], l["lot"]).first += l["qty"].get<Qty>();
            }
        } else if (k == "pick") {
            for (const auto& l : e["lots"]) cell(e["sku"], e["location"], l["lot"]).first -= l["qty"].get<Qty>();
            lines[e["order_id"].get<std::string>()].second += e["qty"].get<Qty>();
            lines[e["order_id"].get<std::string>()].first -= e["deallocated"].get<Qty>();
        } else if (k == "short") {
            for (const auto& h : e["held"]) cell(e["sku"], e["location"], h["lot"]).second += h["qty"].get<Qty>();
            lines[e["order_id"].get<std::string>()].first -= e["deallocated"].get<Qty>();
        } else if (k == "undo") {
            for (const auto& l : e["lines"]) cell(l["sku"], e["location"], l["lot"]).first -= l["qty"].get<Qty>();
            for (const auto& d : e["deallocated"]) lines[d["order_id"].get<std::string>()].first -= d["qty"].get<Qty>();
        } else if ((k == "count" || k == "count_approve") && e.contains("adjusted")) {
            auto& c = cell(e["sku"], e["location"], e["lot"]);
            c.first += e["adjusted"].get<Qty>();
            c.second -= e["holds_cleared"].get<Qty>();
        }
        if (e.contains("allocations"))
            for (const auto& a : e["allocations"]) lines[a["order_id"].get<std::string>()].first += a["qty"].get<Qty>();
        if (e.contains("releases"))
            for (const auto& r : e["releases"]) lines[r["order_id"].get<std::string>()].first -= r["qty"].get<Qty>();
    }
    std::erase_if(stock, [](const auto& kv) { return kv.second.first == 0 && kv.second.second == 0; });
    return {stock, lines};
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

TEST_CASE("simulation: terminals offline and syncing over a faulty network keep P1-P5 and P7")
{
    std::map<std::string, int> outcomes, faults;
    for (unsigned seed = 1; seed <= 30; ++seed) {
        CAPTURE(seed);
        World w(seed);
        for (int step = 0; step < 80; ++step) {
            auto& t = w.terminals[w.pick(3)];
            // Offline stretches: a terminal syncs on about one step in four.
            if (w.pick(4) == 0)
                w.sync(t);
            else
                w.act(t);
            w.checkBounds();
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
    for (const char* k : {"receive", "move", "pick", "short", "count", "undo", "sync ok"}) CHECK(outcomes[k] > 0);
    for (const char* k : {"drop_request", "delay", "late", "drop_reply", "restart", "duplicate"}) CHECK(faults[k] > 0);
}

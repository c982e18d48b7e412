// Properties of applying pushes (DESIGN.md P1, P3, P4, P8), over many seeds: three devices'
// random ops (receive with random claims and shared pallets, move in and out of quarantine,
// pick, short, count, undo of an own receipt) pushed in random interleavings and batch splits, with resends
// (duplicates) and skipped ops (gaps) before a final drain. Checked after every push: never
// more allocated than allocatable or than a line still needs (P3). At the end: every op took
// effect exactly once (P1), replaying the log rebuilds stock and line state (P4), and without
// counts the physical state does not depend on the interleaving (P8).

#include "server/Apply.h"
#include "server/Imports.h"
#include "server/SqliteServerStore.h"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <random>
#include <set>
#include <string>
#include <tuple>

using namespace backfill;
using namespace backfill::server;
using Json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

const std::vector<std::string> kSkus{"SKU-A", "SKU-B"};
const std::vector<std::pair<std::string, std::string>> kLines{{"SO-1", "SKU-A"}, {"SO-2", "SKU-A"}, {"SO-3", "SKU-A"},
                                                              {"SO-4", "SKU-B"}, {"SO-5", "SKU-B"}};
const std::vector<std::string> kLocations{"DOCK", "A-1", "Q"};

struct Device {
    std::string id;
    protocol::Credentials credentials;
    std::vector<protocol::Op> ops;
};

// makeOps writes `n` random ops for a device. With `counts` false no count and no undo is made
// (counts clamp at 0 on the book they meet, and an undo is blocked or not by what other
// devices did at its location first, so their effect depends on the order: P8 excludes them).
std::vector<protocol::Op> makeOps(std::mt19937& rng, int device, int n, bool counts)
{
    auto pick = [&](int hi) { return static_cast<int>(rng() % static_cast<unsigned>(hi)); };
    std::vector<protocol::Op> ops;
    std::vector<std::string> receipts; // op ids of this device's receipts, for undos
    for (int i = 1; i <= n; ++i) {
        Json p;
        std::string kind;
        char id[37];
        std::snprintf(id, sizeof id, "00000000-0000-4000-8%03d-%012d", device, i);
        const int what = pick(counts ? 12 : 9);
        if (what >= 10 && !receipts.empty()) {
            // An undo, mostly of the device's last receipt, sometimes of an older one (it may
            // be undone already, or blocked by what happened at its location since).
            kind = "undo";
            const std::string& undoes = pick(3) == 0 ? receipts[static_cast<size_t>(pick(static_cast<int>(receipts.size())))] : receipts.back();
            Json claims = Json::array();
            const auto& claimed = kLines[static_cast<size_t>(pick(static_cast<int>(kLines.size())))].first;
            if (pick(3) == 0) claims.push_back({{"order_id", claimed}, {"line", 1}, {"qty", 1 + pick(2)}});
            p = {{"undoes", undoes}, {"scan", ""}, {"lines", Json::array()}, {"released", Json::array()}, {"claims", claims}};
            ops.push_back({id, i, 1, kind, p.dump(), 1'800'000'000});
            continue;
        }
        const auto& [order, lineSku] = kLines[static_cast<size_t>(pick(static_cast<int>(kLines.size())))];
        if (what < 4) {
            kind = "receive";
            const bool pallet = pick(4) == 0;
            const std::string sku = pallet ? "SKU-A" : kSkus[static_cast<size_t>(pick(2))];
            Json claims = Json::array();
            for (int c = pick(3); c > 0; --c) {
                const auto& [o, s] = kLines[static_cast<size_t>(pick(static_cast<int>(kLines.size())))];
                if (s == sku) claims.push_back({{"order_id", o}, {"line", 1}, {"qty", 1 + pick(3)}});
            }
            // A pallet is the same wherever it is received: the second receipt is flagged.
            p = {{"location", pallet ? "DOCK" : kLocations[static_cast<size_t>(pick(3))]},
                 {"lines", Json::array({{{"sku", sku},
                                         {"qty", pallet ? 6 : 1 + pick(6)},
                                         {"lot", ""},
                                         {"sscc", pallet ? "37610425002123456" + std::to_string(pick(2)) : ""},
                                         {"claims", claims}}})}};
        } else if (what < 6) {
            kind = "move";
            const int from = pick(3);
            const int to = (from + 1 + pick(2)) % 3;
            const int qty = 1 + pick(3);
            p = {{"from", kLocations[static_cast<size_t>(from)]}, {"to", kLocations[static_cast<size_t>(to)]},
                 {"sku", kSkus[static_cast<size_t>(pick(2))]},     {"qty", qty},
                 {"lots", Json::array({{{"lot", ""}, {"qty", qty}}})}, {"claims", Json::array()}};
        } else if (what < 8) {
            kind = "pick";
            const int qty = 1 + pick(2);
            p = {{"order_id", order}, {"line", 1}, {"qty", qty}, {"location", pick(2) ? "DOCK" : "A-1"}, {"lot", ""},
                 {"lots", Json::array({{{"lot", ""}, {"qty", qty}}})}};
        } else if (what < 9) {
            kind = "short";
            p = {{"order_id", order}, {"line", 1}, {"location", "DOCK"}, {"sku", lineSku}, {"missing", 1}, {"reason", "NF"},
                 {"held", Json::array({{{"lot", ""}, {"qty", 1}}})}, {"claims", Json::array()}};
        } else if (what == 9) {
            kind = "count";
            p = {{"count_id", i}, {"state", "applied"}, {"sku", kSkus[static_cast<size_t>(pick(2))]},
                 {"location", kLocations[static_cast<size_t>(pick(2))]}, {"lot", ""}, {"counted", 0}, {"variance", pick(7) - 3},
                 {"claims", Json::array()}};
        } else {
            kind = "count_reject"; // an undo with no receipt yet to undo
            p = {{"count_id", i}, {"count_op_id", ""}, {"note", "none"}};
        }
        if (kind == "receive") receipts.push_back(id);
        ops.push_back({id, i, 1, kind, p.dump(), 1'800'000'000});
    }
    return ops;
}

struct World {
    fs::path dir;
    std::unique_ptr<SqliteServerStore> store;
    std::unique_ptr<Applier> applier;
    std::vector<Device> devices;
    std::map<std::string, int> outcomes; // status or code -> how many, to show the runs are not vacuous

    explicit World(const std::string& name)
    {
        dir = fs::temp_directory_path() / ("backfilld_prop_" + std::to_string(::getpid()) + "_" + name);
        fs::remove_all(dir);
        fs::create_directories(dir);
        auto opened = SqliteServerStore::open((dir / "server.db").string());
        REQUIRE(opened);
        store = std::move(*opened);
        applier = std::make_unique<Applier>(*store);
        REQUIRE(importLocations(*store, ledger::parseLocationsCsv("code,kind,sequence\nDOCK,receiving,1\nA-1,storage,2\nQ,quarantine,3\n"))
                    ->imported == 3);
        REQUIRE(importCatalog(*store, ledger::parseCatalogCsv("sku,description\nSKU-A,A\nSKU-B,B\n"))->imported == 2);
        REQUIRE(importBackorders(*store, ledger::parseBackordersCsv("order_id,line,customer,sku,qty,priority,ordered_at\n"
                                                                     "SO-1,1,C,SKU-A,6,0,2026-01-03\nSO-2,1,C,SKU-A,4,2,2026-01-02\n"
                                                                     "SO-3,1,C,SKU-A,9,0,2026-01-01\nSO-4,1,C,SKU-B,5,0,2026-01-01\n"
                                                                     "SO-5,1,C,SKU-B,3,1,2026-01-05\n"))
                    ->imported == 5);
        for (int d = 0; d < 3; ++d) {
            const std::string id = "HH-" + std::to_string(d);
            auto token = enrolDevice(*store, id);
            auto ack = std::get<protocol::HelloAck>(applier->hello({1, id, 0, *token}));
            devices.push_back({id, {id, ack.epoch, *token}, {}});
        }
    }
    ~World()
    {
        applier.reset();
        store.reset();
        fs::remove_all(dir);
    }

    // checkBounds is P3 after a push.
    void checkBounds()
    {
        for (const auto& sku : kSkus) {
            const auto lines = *store->openLines(sku);
            Qty allocated = 0;
            for (const auto& l : lines) {
                CHECK(l.allocated >= 0);
                CHECK(l.allocated <= l.qty - l.picked);
                allocated += l.allocated;
            }
            CHECK(allocated <= std::max<Qty>(*store->allocatableOnHand(sku), 0));
        }
    }

    // run pushes every device's ops in a random interleaving and batch split, with resends
    // and gaps, then drains every queue.
    void run(std::mt19937& rng)
    {
        std::vector<size_t> next(devices.size(), 0);
        auto pick = [&](size_t hi) { return rng() % hi; };
        for (int step = 0; step < 200; ++step) {
            const size_t d = pick(devices.size());
            auto& dev = devices[d];
            if (next[d] >= dev.ops.size()) continue;
            size_t from = next[d];
            if (pick(5) == 0 && from > 0) from -= 1 + pick(std::min<size_t>(from, 3)); // a resend: duplicates
            if (pick(8) == 0) from += 1;                                               // a lost op: a gap
            from = std::min(from, dev.ops.size() - 1);
            const size_t count = 1 + pick(3);
            std::vector<protocol::Op> batch(dev.ops.begin() + static_cast<long>(from),
                                            dev.ops.begin() + static_cast<long>(std::min(from + count, dev.ops.size())));
            auto ack = std::get<protocol::PushAck>(applier->push({dev.credentials, batch}));
            for (const auto& r : ack.results) {
                CHECK(r.code != "unknown_op");
                ++outcomes[r.code.empty() ? protocol::opStatusName(r.status) : r.code];
                const auto it = std::find_if(batch.begin(), batch.end(), [&](const protocol::Op& o) { return o.opId == r.opId; });
                if (it != batch.end() && it->kind == "undo") ++outcomes["undo " + (r.code.empty() ? std::string(protocol::opStatusName(r.status)) : r.code)];
            }
            // The device advances past what the server has handled for it.
            next[d] = static_cast<size_t>(*store->lastDeviceSeq(dev.id, 1));
            checkBounds();
        }
        for (size_t d = 0; d < devices.size(); ++d) {
            auto& dev = devices[d];
            std::vector<protocol::Op> rest(dev.ops.begin() + static_cast<long>(next[d]), dev.ops.end());
            if (rest.empty()) continue;
            auto ack = std::get<protocol::PushAck>(applier->push({dev.credentials, rest}));
            CHECK(ack.expectedSeq == 0);
            checkBounds();
        }
    }

    using StockKey = std::tuple<std::string, std::string, std::string>;
    std::map<StockKey, std::pair<Qty, Qty>> physical()
    {
        std::map<StockKey, std::pair<Qty, Qty>> out;
        const auto rows = store->stock("");
        for (const auto& r : *rows) out[{r.sku, r.location, r.lot}] = {r.qty, r.held};
        return out;
    }
};

World::StockKey key(const Json& sku, const Json& location, const Json& lot)
{
    return {sku.get<std::string>(), location.get<std::string>(), lot.get<std::string>()};
}

// replayLog folds the log's entries into stock and line state (P4).
void checkReplay(World& w)
{
    std::map<World::StockKey, std::pair<Qty, Qty>> stock;
    std::map<std::string, std::pair<Qty, Qty>> lines; // order -> allocated, picked
    auto allocations = [&](const Json& e) {
        for (const auto& a : e.value("allocations", Json::array())) lines[a["order_id"].get<std::string>()].first += a["qty"].get<Qty>();
        for (const auto& r : e.value("releases", Json::array())) lines[r["order_id"].get<std::string>()].first -= r["qty"].get<Qty>();
    };
    const auto entries = w.store->entriesAfter(0, 1'000'000);
    REQUIRE(entries);
    for (const auto& entry : *entries) {
        const Json e = Json::parse(entry.payload);
        const std::string& k = entry.kind;
        if (k == "receive") {
            for (const auto& l : e["lines"]) stock[key(l["sku"], e["location"], l["lot"])].first += l["qty"].get<Qty>();
        } else if (k == "move") {
            for (const auto& l : e["lots"]) {
                stock[key(e["sku"], e["from"], l["lot"])].first -= l["qty"].get<Qty>();
                stock[key(e["sku"], e["to"], l["lot"])].first += l["qty"].get<Qty>();
            }
        } else if (k == "pick") {
            for (const auto& l : e["lots"]) stock[key(e["sku"], e["location"], l["lot"])].first -= l["qty"].get<Qty>();
            lines[e["order_id"].get<std::string>()].second += e["qty"].get<Qty>();
            lines[e["order_id"].get<std::string>()].first -= e["deallocated"].get<Qty>();
        } else if (k == "short") {
            for (const auto& h : e["held"]) stock[key(e["sku"], e["location"], h["lot"])].second += h["qty"].get<Qty>();
            lines[e["order_id"].get<std::string>()].first -= e["deallocated"].get<Qty>();
        } else if (k == "undo") {
            for (const auto& l : e["lines"]) stock[key(l["sku"], e["location"], l["lot"])].first -= l["qty"].get<Qty>();
            for (const auto& d : e["deallocated"]) lines[d["order_id"].get<std::string>()].first -= d["qty"].get<Qty>();
        } else if (k == "count" || k == "count_approve") {
            if (e.contains("adjusted")) {
                auto& cell = stock[key(e["sku"], e["location"], e["lot"])];
                cell.first += e["adjusted"].get<Qty>();
                cell.second -= e["holds_cleared"].get<Qty>();
            }
        }
        allocations(e);
    }
    std::erase_if(stock, [](const auto& kv) { return kv.second.first == 0 && kv.second.second == 0; });
    CHECK(stock == w.physical());
    for (const auto& [order, sku] : kLines) {
        const auto line = **w.store->orderLine(order, 1);
        CHECK(lines[order].first == line.allocated);
        CHECK(lines[order].second == line.picked);
    }
}

} // namespace

TEST_CASE("P1, P3, P4 over random interleavings with duplicates and gaps")
{
    std::map<std::string, int> seen;
    for (unsigned seed = 1; seed <= 15; ++seed) {
        CAPTURE(seed);
        std::mt19937 rng(seed);
        World w("p" + std::to_string(seed));
        for (int d = 0; d < 3; ++d) w.devices[static_cast<size_t>(d)].ops = makeOps(rng, d, 18, true);
        w.run(rng);
        // P1: every op handled exactly once, none waiting.
        for (const auto& dev : w.devices) {
            CHECK(*w.store->lastDeviceSeq(dev.id, 1) == static_cast<int64_t>(dev.ops.size()));
            for (const auto& op : dev.ops) {
                auto applied = *w.store->appliedOp(op.opId);
                REQUIRE(applied);
                CHECK(applied->deviceSeq == op.deviceSeq);
            }
        }
        checkReplay(w);
        for (const auto& [k, n] : w.outcomes) seen[k] += n;
    }
    // Every path was taken: duplicates, gaps, flags, claims cut.
    std::string summary;
    for (const auto& [k, n] : seen) summary += k + "=" + std::to_string(n) + " ";
    MESSAGE("outcomes over all seeds: ", summary);
    for (const char* k : {"duplicate", "expected_seq", "sscc_received", "negative_stock", "applied", "undo applied", "undo undo_blocked",
                          "undo already_undone"})
        CHECK(seen[k] > 0);
}

TEST_CASE("P8: without counts, the physical state does not depend on the interleaving or the batch split")
{
    for (unsigned seed = 1; seed <= 10; ++seed) {
        CAPTURE(seed);
        std::mt19937 make(seed);
        std::vector<std::vector<protocol::Op>> ops;
        for (int d = 0; d < 3; ++d) ops.push_back(makeOps(make, d, 15, false));
        std::map<World::StockKey, std::pair<Qty, Qty>> first;
        for (unsigned order = 0; order < 2; ++order) {
            World w("o" + std::to_string(seed) + "_" + std::to_string(order));
            for (size_t d = 0; d < 3; ++d) w.devices[d].ops = ops[d];
            std::mt19937 rng(seed * 1000 + order);
            w.run(rng);
            checkReplay(w);
            if (order == 0)
                first = w.physical();
            else
                CHECK(w.physical() == first);
        }
    }
}

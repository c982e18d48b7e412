// Property test of the warehouse operations (issue 10, Must show): random sequences of
// receive, move (into and out of quarantine), pick, short, count, recount, approve, reject and
// undo over a small warehouse, many seeds, through the real store on a real database file.
// After every step:
//  - the derived rows equal the replay of the ledger (stock per product/location/lot with its
//    holds, allocated and picked per line): on hand is the sum of the ledger, and a fresh fold
//    of the events gives the same stock and allocations;
//  - per product, allocated <= on hand - quarantined - held - expired;
//  - per line, allocated + picked <= qty; no unit of an expired lot is ever picked;
//  - no line waits while free stock of its product sits unallocated;
//  - the outbox has one op per confirmed action (none for a refusal), device_seq 1..n.

#include "ledger/MasterDataCsv.h"
#include "ledger/Replay.h"
#include "ledger/TestRng.h"
#include "store/StoreTestSupport.h"
#include "store/TerminalStore.h"

#include <doctest/doctest.h>

#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

using namespace backfill;
using backfill::test::Lcg;
using backfill::test::PlainDb;
using backfill::test::TempDb;

namespace {

constexpr const char* kCatalog = "sku,description,gtin,case_gtin,case_qty,safety_stock,lead_time_days\n"
                                 "MUG,Mug,9501101010079,19501101010076,6,0,5\n"
                                 "TEA,Tea,9501101010147,,,0,5\n";
constexpr const char* kLocations = "code,kind,sequence\n"
                                   "DOCK,receiving,1\n"
                                   "A1,storage,10\n"
                                   "A2,storage,20\n"
                                   "OUT1,staging,30\n"
                                   "OUT2,staging,31\n"
                                   "Q,quarantine,40\n";
constexpr const char* kBackorders = "order_id,line,customer,email,sku,qty,priority,ordered_at,promised_at\n"
                                    "SO-1,1,Acme,a@example.com,MUG,7,1,2026-11-01,\n"
                                    "SO-1,2,Acme,a@example.com,TEA,3,1,2026-11-01,\n"
                                    "SO-2,1,Bolt,b@example.com,MUG,12,0,2026-11-02,2026-12-10\n"
                                    "SO-3,1,Cole,c@example.com,TEA,5,0,2026-10-30,\n"
                                    "SO-3,2,Cole,c@example.com,MUG,4,2,2026-10-30,\n";

constexpr const char* kReasons = "code,kind,description\n"
                                 "NOT_FOUND,short,Not there\n"
                                 "COUNT_ERROR,adjust,Book was wrong\n";

const std::vector<std::string> kLocationCodes{"DOCK", "A1", "A2", "OUT1", "OUT2", "Q"};
const std::vector<std::string> kSkus{"MUG", "TEA"};
const std::vector<std::string> kLots{"L1", "L2", "L3"};
const std::vector<std::pair<std::string, int64_t>> kLines{{"SO-1", 1}, {"SO-1", 2}, {"SO-2", 1}, {"SO-3", 1}, {"SO-3", 2}};
// Lots with their expiry: L1 expired before kToday, L2 and L3 good, "" no lot.
const ledger::Date kToday = *ledger::parseDate("2026-12-04");

std::filesystem::path shmDir()
{
    std::error_code ec;
    return std::filesystem::is_directory("/dev/shm", ec) ? std::filesystem::path("/dev/shm")
                                                         : std::filesystem::temp_directory_path();
}

struct Warehouse {
    TempDb file;
    std::unique_ptr<store::TerminalStore> store;
    store::Actor actor;

    // The file lives in memory-backed /dev/shm when there is one: this test is about the rules,
    // and 6,400 fsyncs on a shared disk would only make it slow (durability has its own tests).
    explicit Warehouse(uint64_t seed) : file("property", std::to_string(seed), shmDir())
    {
        auto opened = store::TerminalStore::open(file.path.string());
        REQUIRE(opened);
        store = std::move(*opened);
        actor.today = kToday;
        actor.at = ledger::startOf(kToday);
        REQUIRE(store->importCatalog(ledger::parseCatalogCsv(kCatalog), actor)->errors.empty());
        REQUIRE(store->importLocations(ledger::parseLocationsCsv(kLocations), actor)->errors.empty());
        REQUIRE(store->importBackorders(ledger::parseBackordersCsv(kBackorders), actor)->errors.empty());
        REQUIRE(store->importReasons(ledger::parseReasonsCsv(kReasons), actor)->errors.empty());
    }
};

// Book is what the database says, read from outside the store.
struct Book {
    ledger::LedgerState derived;
    std::map<std::string, ledger::Qty> allocatable; // per sku: on hand - quarantine - held - expired
    std::map<std::string, ledger::Qty> allocated;   // per sku
    std::map<std::string, bool> waiting;            // per sku: some open line still needs units
    std::vector<std::string> overAllocatedLines;
    int64_t outboxOps = 0;
    int64_t maxSeq = 0;
    int64_t expiredPicked = 0; // units of lot L1 (expired before kToday) picked once known expired
};

Book readBook(const std::filesystem::path& path)
{
    PlainDb db(path);
    Book b;
    for (const auto& row : db.rows("SELECT p.sku, s.location, s.lot, s.qty, s.held FROM stock s JOIN products p "
                                   "ON p.id = s.product_id WHERE s.qty <> 0 OR s.held <> 0")) {
        std::vector<std::string> c;
        size_t start = 0;
        for (size_t i = 0; i <= row.size(); ++i)
            if (i == row.size() || row[i] == '|') {
                c.push_back(row.substr(start, i - start));
                start = i + 1;
            }
        b.derived.stock[{c[0], c[1], c[2]}] = {std::stoll(c[3]), std::stoll(c[4])};
    }
    for (const auto& row : db.rows("SELECT order_id || '|' || line, allocated, picked FROM order_lines "
                                   "WHERE allocated <> 0 OR picked <> 0")) {
        const auto bar = row.find('|');
        const auto bar2 = row.find('|', bar + 1);
        const auto bar3 = row.find('|', bar2 + 1);
        b.derived.lines[{row.substr(0, bar), std::stoll(row.substr(bar + 1, bar2 - bar - 1))}] = {
            std::stoll(row.substr(bar2 + 1, bar3 - bar2 - 1)), std::stoll(row.substr(bar3 + 1))};
    }
    for (const auto& sku : kSkus) {
        b.allocatable[sku] = db.integer(
            "SELECT COALESCE(SUM(s.qty - s.held), 0) FROM stock s JOIN products p ON p.id = s.product_id "
            "WHERE p.sku = '" + sku + "' AND s.location <> 'Q' AND NOT EXISTS(SELECT 1 FROM lots x WHERE "
            "x.product_id = s.product_id AND x.lot = s.lot AND x.expiry < " + std::to_string(kToday.days) + ")");
        b.allocated[sku] = db.integer("SELECT COALESCE(SUM(l.allocated), 0) FROM order_lines l JOIN products p ON "
                                      "p.id = l.product_id WHERE p.sku = '" + sku + "'");
        b.waiting[sku] = db.integer("SELECT COUNT(*) FROM order_lines l JOIN products p ON p.id = l.product_id WHERE "
                                    "p.sku = '" + sku + "' AND l.cancelled = 0 AND l.qty > l.allocated + l.picked") > 0;
    }
    b.overAllocatedLines = db.rows("SELECT order_id || '/' || line FROM order_lines WHERE allocated + picked > qty "
                                   "OR allocated < 0 OR picked < 0");
    // (A lot's expiry is known from its first receipt with one: units of L1 counted in before
    // that are not known to be expired and may be picked.)
    b.expiredPicked = db.integer("SELECT COALESCE(SUM(p.qty), 0) FROM events p WHERE p.kind = 'picked' AND p.lot = 'L1' "
                                 "AND EXISTS(SELECT 1 FROM events r WHERE r.kind = 'received' AND r.lot = 'L1' AND "
                                 "r.product_id = p.product_id AND r.expiry IS NOT NULL AND r.id < p.id)");
    b.outboxOps = db.integer("SELECT COUNT(*) FROM outbox");
    b.maxSeq = db.integer("SELECT COALESCE(MAX(device_seq), 0) FROM outbox");
    return b;
}

ledger::LedgerState replayed(store::TerminalStore& store)
{
    auto events = store.events();
    REQUIRE(events);
    return ledger::replay(*events);
}

// Step is one random action: its name (for the failure message) and whether it was confirmed.
struct Step {
    std::string what;
    bool confirmed = false;
};

Step receiveStep(Warehouse& w, Lcg& rng)
{
    ledger::ReceiptRequest r;
    const bool tea = rng.below(3) == 0;
    const bool asCase = !tea && rng.below(3) == 0;
    r.gtin = tea ? "09501101010147" : asCase ? "19501101010076" : "09501101010079";
    r.count = 1 + static_cast<ledger::Qty>(rng.below(5));
    const size_t where = rng.below(12);
    r.location = where == 0 ? "NOWHERE" : where < 3 ? "Q" : "DOCK"; // NOWHERE: unknown_location
    switch (rng.below(4)) {
    case 0: break;
    case 1: r.lot = "L1", r.expiry = ledger::Date{kToday.days - 3}; break;
    case 2: r.lot = "L2", r.expiry = ledger::Date{kToday.days + 30}; break;
    default: r.lot = "L3", r.expiry = ledger::Date{kToday.days + 90}; break;
    }
    r.scan = *r.gtin;
    auto done = w.store->receive(r, w.actor);
    return {"receive " + *r.gtin + " x" + std::to_string(r.count) + " lot " + r.lot.value_or("-") + " at " + r.location,
            bool(done)};
}

Step moveStep(Warehouse& w, Lcg& rng)
{
    ledger::MoveRequest m;
    m.sku = kSkus[rng.below(kSkus.size())];
    m.count = 1 + static_cast<ledger::Qty>(rng.below(8));
    m.from = kLocationCodes[rng.below(kLocationCodes.size())];
    m.to = kLocationCodes[rng.below(kLocationCodes.size())];
    if (rng.below(3) == 0) m.lot = rng.below(2) ? "L2" : "L1";
    auto done = w.store->move(m, w.actor);
    return {"move " + *m.sku + " x" + std::to_string(m.count) + " " + m.from + "->" + m.to, bool(done)};
}

Step pickStep(Warehouse& w, Lcg& rng)
{
    const auto& [order, line] = kLines[rng.below(kLines.size())];
    const ledger::Qty qty = 1 + static_cast<ledger::Qty>(rng.below(4));
    std::optional<std::string> at;
    if (rng.below(3) == 0) at = kLocationCodes[rng.below(kLocationCodes.size())];
    std::optional<std::string> lot;
    if (rng.below(4) == 0) lot = kLots[rng.below(kLots.size())];
    auto done = w.store->pickLot(order, line, qty, at, lot, w.actor);
    return {"pick " + order + "/" + std::to_string(line) + " x" + std::to_string(qty) + " at " + at.value_or("(auto)") +
                " lot " + lot.value_or("(FEFO)"),
            bool(done)};
}

Step shortStep(Warehouse& w, Lcg& rng)
{
    const auto& [order, line] = kLines[rng.below(kLines.size())];
    store::ShortRequest r;
    r.orderId = order;
    r.line = line;
    r.location = kLocationCodes[rng.below(kLocationCodes.size())];
    r.found = static_cast<ledger::Qty>(rng.below(3));
    r.reason = rng.below(8) == 0 ? "COUNT_ERROR" : "NOT_FOUND"; // an adjust code is refused
    auto done = w.store->shortPick(r, w.actor);
    return {"short " + order + "/" + std::to_string(line) + " at " + r.location + " found " + std::to_string(r.found) + " " +
                r.reason,
            bool(done)};
}

// countStep counts one key near its book (sometimes far from it, for recounts and approvals),
// with a basis now or a few events back (movements after it still count, P6).
Step countStep(Warehouse& w, Lcg& rng)
{
    store::TerminalStore::CountRequest r;
    r.sku = kSkus[rng.below(kSkus.size())];
    r.location = rng.below(15) == 0 ? "NOWHERE" : kLocationCodes[rng.below(kLocationCodes.size())];
    std::string lot = rng.below(4) == 0 ? "" : kLots[rng.below(kLots.size())];
    // Half the time, recount a count that asked for one (so some end pending, for a supervisor).
    auto recounts = w.store->counts(store::TerminalStore::CountState::Recount);
    REQUIRE(recounts);
    const bool recount = !recounts->empty() && rng.below(2) == 0;
    if (recount) {
        const auto& c = (*recounts)[rng.below(recounts->size())];
        r.sku = c.sku;
        r.location = c.location;
        lot = c.lot.value_or("");
    }
    if (!lot.empty()) r.lot = lot;
    const Book b = readBook(w.file.path);
    const auto cell = b.derived.stock.find({r.sku, r.location, lot});
    const ledger::Qty book = cell == b.derived.stock.end() ? 0 : cell->second.qty;
    const int64_t swing = recount || rng.below(3) == 0 ? 12 : 3;
    r.counted = std::max<ledger::Qty>(0, book + static_cast<ledger::Qty>(rng.below(static_cast<size_t>(2 * swing + 1))) - swing);
    if (rng.below(3) == 0) {
        auto latest = w.store->latestEventId();
        REQUIRE(latest);
        r.basis = std::max<int64_t>(0, *latest - static_cast<int64_t>(rng.below(4)));
    }
    auto done = w.store->count(r, w.actor);
    return {"count " + r.sku + " at " + r.location + " lot " + lot + " = " + std::to_string(r.counted) +
                (done ? std::string(" -> ") + std::string(store::TerminalStore::countStateName(done->count.state)) : ""),
            bool(done)};
}

// decideStep approves or rejects a pending count (or tries one that is not pending).
Step decideStep(Warehouse& w, Lcg& rng)
{
    auto pending = w.store->counts(store::TerminalStore::CountState::Pending);
    REQUIRE(pending);
    int64_t id = 1 + static_cast<int64_t>(rng.below(5));
    if (!pending->empty() && rng.below(4) != 0) id = (*pending)[rng.below(pending->size())].countId;
    if (rng.below(2) == 0) {
        auto done = w.store->approveCount(id, rng.below(6) == 0 ? "NOT_FOUND" : "COUNT_ERROR", std::nullopt, w.actor);
        return {"approve count " + std::to_string(id), bool(done)};
    }
    auto done = w.store->rejectCount(id, "looks wrong", w.actor);
    return {"reject count " + std::to_string(id), bool(done)};
}

Step undoStep(Warehouse& w, Lcg&)
{
    auto done = w.store->undoLastReceipt(w.actor);
    return {"undo" + (done ? std::string() : " (" + done.error().code + ")"), bool(done)};
}

// describe writes a state as text, so a failed comparison shows both sides.
std::string describe(const ledger::LedgerState& s)
{
    std::string out;
    for (const auto& [k, c] : s.stock)
        out += std::get<0>(k) + "@" + std::get<1>(k) + "/" + std::get<2>(k) + "=" + std::to_string(c.qty) + "(held " +
               std::to_string(c.held) + ") ";
    for (const auto& [k, c] : s.lines)
        out += k.first + "/" + std::to_string(k.second) + ":a" + std::to_string(c.allocated) + ",p" + std::to_string(c.picked) + " ";
    return out;
}

void checkInvariants(Warehouse& w, const Book& before, const Step& step, int stepNo)
{
    const Book b = readBook(w.file.path);
    const std::string what = "step " + std::to_string(stepNo) + ": " + step.what + (step.confirmed ? " (confirmed)" : " (refused)");
    INFO(what);
    // Derived rows = the replay of the ledger.
    const auto fold = replayed(*w.store);
    CHECK(describe(b.derived) == describe(fold));
    // Allocation bounds and the allocation rule's promise.
    CHECK(b.overAllocatedLines.empty());
    CHECK(b.expiredPicked == 0);
    for (const auto& sku : kSkus) {
        INFO(sku << ": allocatable " << b.allocatable.at(sku) << ", allocated " << b.allocated.at(sku));
        CHECK(b.allocated.at(sku) <= b.allocatable.at(sku));
        if (b.waiting.at(sku)) CHECK(b.allocated.at(sku) >= b.allocatable.at(sku));
    }
    // One op per confirmed action, none for a refusal, device_seq gap-free.
    CHECK(b.outboxOps == before.outboxOps + (step.confirmed ? 1 : 0));
    CHECK(b.maxSeq == b.outboxOps);
    // A refusal changes nothing.
    if (!step.confirmed) CHECK(describe(b.derived) == describe(before.derived));
}

using Action = std::function<Step(Warehouse&, Lcg&)>;

// Tally counts confirmed and refused steps per action, so the test fails if an action never
// gets through (or is never refused), which would leave its rules untested.
struct Tally {
    std::map<size_t, int> confirmed, refused;
};

void runSeed(uint64_t seed, int steps, const std::vector<std::pair<int, Action>>& actions, Tally& tally)
{
    Warehouse w(seed);
    Lcg rng{seed * 0x9E3779B97F4A7C15ULL + 1};
    int total = 0;
    for (const auto& [weight, _] : actions) total += weight;
    Book before = readBook(w.file.path);
    for (int i = 0; i < steps; ++i) {
        int pickN = static_cast<int>(rng.below(static_cast<size_t>(total)));
        size_t k = 0;
        while (pickN >= actions[k].first) pickN -= actions[k++].first;
        const Step step = actions[k].second(w, rng);
        ++(step.confirmed ? tally.confirmed : tally.refused)[k];
        INFO("seed " << seed);
        checkInvariants(w, before, step, i);
        before = readBook(w.file.path);
    }
}

} // namespace

TEST_CASE("operations keep the ledger, stock, allocations and outbox consistent over random sequences")
{
    const std::vector<std::pair<int, Action>> actions{
        {5, receiveStep},
        {4, moveStep},
        {4, pickStep},
        {2, shortStep},
        {3, countStep},
        {2, decideStep},
        {1, undoStep},
    };
    Tally tally;
    for (uint64_t seed = 1; seed <= 40; ++seed) runSeed(seed, 80, actions, tally);
    for (size_t k = 0; k < actions.size(); ++k) {
        INFO("action " << k << ": " << tally.confirmed[k] << " confirmed, " << tally.refused[k] << " refused");
        CHECK(tally.confirmed[k] >= 10);
        CHECK(tally.refused[k] >= 1);
        MESSAGE("action " << k << ": " << tally.confirmed[k] << " confirmed, " << tally.refused[k] << " refused");
    }
}

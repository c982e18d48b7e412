// Pushes in flight (docs/sync.md, Pushes in flight): a terminal catching up sends its next
// push while the one before it is applied. The server here is the real Applier serving
// through its WriteQueue (as `backfilld serve` does), on a real SQLite file, behind the
// link's exchange seam, so the test can hold one request back.

#include "ledger/CheckDigit.h"
#include "link/Link.h"
#include "protocol/Codec.h"
#include "server/Apply.h"
#include "server/Imports.h"
#include "server/SqliteServerStore.h"
#include "server/WriteQueue.h"
#include "store/TerminalStore.h"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

using namespace backfill;
namespace fs = std::filesystem;

namespace {

std::string gtin()
{
    const std::string body = "095011015300" + std::to_string(7);
    return body + std::to_string(ledger::gs1CheckDigit(body));
}

// Catchup is a server with SKU-A and DOCK, and a terminal enrolled to it holding `receipts`
// unsent receipts of one unit each (pushes of 500).
struct Catchup {
    fs::path dir;
    std::unique_ptr<server::SqliteServerStore> store;
    std::string db;
    std::unique_ptr<server::WriteQueue> queue;
    std::unique_ptr<store::TerminalStore> terminal;
    // hold, when set, is how long the exchange keeps a Push whose first op has device_seq 1
    // the first time it sees one (the push the others follow).
    std::chrono::milliseconds hold{0};
    // waitFor: how many pushes the first waits to see inside the exchange at once (at most 5 s).
    int waitFor = 2;
    std::atomic<bool> held{false};
    std::atomic<int> gapReplies{0};
    // Pushes inside the exchange at once, and the most there were.
    std::atomic<int> pushesInside{0}, mostInside{0};

    explicit Catchup(int receipts)
    {
        static int n = 0;
        dir = fs::temp_directory_path() / ("backfill_inflight_" + std::to_string(::getpid()) + "_" + std::to_string(n++));
        fs::remove_all(dir);
        fs::create_directories(dir);
        db = (dir / "server.db").string();
        auto s = server::SqliteServerStore::open(db);
        REQUIRE(s);
        store = std::move(*s);
        REQUIRE(server::importLocations(*store, ledger::parseLocationsCsv("code,kind,sequence\nDOCK,receiving,1\n"))->imported == 1);
        REQUIRE(server::importCatalog(*store, ledger::parseCatalogCsv("sku,description,gtin\nSKU-A,A," + gtin() + "\n"))->imported == 1);
        auto token = server::addDevice(*store, "HH-1");
        REQUIRE(token);
        auto writer = server::SqliteServerStore::open(db);
        REQUIRE(writer);
        queue = std::make_unique<server::WriteQueue>(std::move(*writer));

        auto t = store::TerminalStore::open((dir / "terminal.db").string());
        REQUIRE(t);
        terminal = std::move(*t);
        auto port = terminal->linkStore(1'800'000'000);
        auto enrolled = link::enrol(*port, {"inproc://server", "HH-1", 0, *token, "", ""}, linkOptions());
        REQUIRE_MESSAGE(enrolled.has_value(), (enrolled ? std::string() : enrolled.error().error.message));

        store::Actor actor;
        actor.device = "HH-1";
        actor.today = *ledger::parseDate("2026-12-07");
        REQUIRE(terminal->begin());
        for (int i = 0; i < receipts; ++i) {
            actor.at = 1'800'000'000 + i;
            ledger::ReceiptRequest r;
            r.scan = gtin();
            r.gtin = gtin();
            r.location = "DOCK";
            REQUIRE(terminal->receive(r, actor));
        }
        REQUIRE(terminal->commit());
    }
    ~Catchup()
    {
        queue.reset();
        store.reset();
        terminal.reset();
        fs::remove_all(dir);
    }

    link::LinkOptions linkOptions()
    {
        link::LinkOptions o;
        o.exchange = [this](const std::string&, const std::string& request, std::chrono::milliseconds) -> ledger::Result<std::string> {
            auto message = protocol::decode(request);
            const auto* push = message ? std::get_if<protocol::Push>(&*message) : nullptr;
            struct Inside {
                Catchup& c;
                bool push;
                Inside(Catchup& cc, bool p) : c(cc), push(p)
                {
                    if (!push) return;
                    const int now = ++c.pushesInside;
                    for (int most = c.mostInside; now > most && !c.mostInside.compare_exchange_weak(most, now);) {}
                }
                ~Inside()
                {
                    if (push) --c.pushesInside;
                }
            } inside(*this, push != nullptr);
            if (push && !push->ops.empty() && push->ops.front().deviceSeq == 1 && !held.exchange(true)) {
                // The first push waits here until the next ones are sent (`waitFor` in flight),
                // at most 5 s, then for `hold`.
                for (int i = 0; i < 5000 && mostInside < waitFor; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
                std::this_thread::sleep_for(hold);
            }
            // As `backfilld serve`: each request on a connection of its own, writes through the queue.
            auto mine = server::SqliteServerStore::open(db);
            if (!mine) return ledger::unexpected(mine.error());
            server::ApplierOptions options;
            options.writes = queue.get();
            std::string reply = server::Applier(**mine, options).handle(request);
            auto answer = protocol::decode(reply);
            if (answer)
                if (const auto* a = std::get_if<protocol::PushAck>(&*answer); a && a->expectedSeq > 0) ++gapReplies;
            return reply;
        };
        return o;
    }

    link::SyncReport sync()
    {
        auto port = terminal->linkStore(1'900'000'000);
        auto report = link::sync(*port, linkOptions());
        REQUIRE_MESSAGE(report.has_value(), (report ? std::string() : report.error().error.message));
        return *report;
    }

    // receiptSeqs: the device_seq of every receipt in the server's log, in log order.
    std::vector<int64_t> receiptSeqs()
    {
        std::vector<int64_t> seqs;
        auto entries = store->entriesAfter(0, 10'000);
        REQUIRE(entries);
        for (const auto& e : *entries)
            if (e.kind == "receive") seqs.push_back(nlohmann::json::parse(e.payload)["device_seq"].get<int64_t>());
        return seqs;
    }
};

std::vector<int64_t> oneTo(int n)
{
    std::vector<int64_t> v;
    for (int i = 1; i <= n; ++i) v.push_back(i);
    return v;
}

} // namespace

TEST_CASE("a catch-up keeps three pushes in flight: 1,100 receipts applied once each, in device_seq order")
{
    static_assert(link::kPushesInFlight == 3);
    Catchup c(1'100); // three pushes: 500, 500, 100
    c.waitFor = 3;
    const auto report = c.sync();
    CHECK(c.mostInside == 3); // the second and third pushes were sent before the first was answered
    CHECK(report.pushed == 1'100);
    CHECK(c.receiptSeqs() == oneTo(1'100));
    CHECK(c.sync().pushed == 0); // nothing left unsent
}

TEST_CASE("a push sent ahead that waited at the server longer than kEarlyPushWait is answered expected_seq and goes again")
{
    // The first push is held back past the server's wait: the one sent ahead of it is
    // answered expected_seq 1 (its predecessor has not come). The link takes it for what it
    // is, not a gap in its outbox: it sends those ops again, once the first is applied.
    Catchup c(600);
    c.hold = server::kEarlyPushWait + std::chrono::milliseconds(150);
    const auto report = c.sync();
    CHECK(c.held);
    CHECK(c.gapReplies == 1);
    CHECK(report.pushed == 600);
    CHECK(c.receiptSeqs() == oneTo(600));
    CHECK(c.sync().pushed == 0);
}

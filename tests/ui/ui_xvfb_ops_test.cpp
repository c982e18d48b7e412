// End-to-end: a put-away, a pick and a count done on the real `backfill` window under its own
// Xvfb (issue 12, "Must show": "the same for a move, a pick and a count"). Scans are typed by
// xdotool as a wedge scanner types them (fast keys + Return, no field focused); the count's
// quantity is tapped on the on-screen keypad with the pointer. The window tells the test what
// it shows through `--probe FILE` (the screen, the last result, every touch target with its
// rectangle), so the test waits for a result instead of sleeping, and clicks a key by its
// label. Afterwards the CLI shows each action: stock moved to the suggested bin, the order
// line picked, the count recorded.

#include "ui/XvfbHarness.h"

#include <chrono>
#include <thread>

using namespace backfill::e2e;
using namespace backfill::e2e::xvfb;
using namespace std::chrono_literals;

namespace {

const char* kLocations = "code,kind,sequence\nDOCK-1,receiving,1\nA-01,storage,100\nB-01,storage,200\nOUT-1,staging,300\n";
const char* kCatalog = "sku,description,gtin\nMUG,Mug,9501101010079\nTEA,Tea,9501101010147\n";
const char* kOrders = "order_id,line,customer,email,sku,qty,priority,ordered_at\nSO-1,1,Acme,a@example.com,MUG,1,1,2026-01-05\n";
const std::string kMug = "(01)09501101010079";

// Window is one `backfill --start SCREEN` process on `x`, with its probe file.
class Window : public ProbedWindow {
public:
    Window(const CliHarness& cli, const Xvfb& x, const std::string& screen)
        : ProbedWindow(x, {"--db", cli.db(), "--today", CliHarness::kToday, "--start", screen, "--exit-after", "60000", "--sound", "none"},
                       (cli.dir() / ("probe-" + screen + ".json")).string(), (cli.dir() / ("ui-" + screen + ".txt")).string(), screen)
    {
    }

    // scans types each of `texts` like a scanner (300 ms apart) and waits until `done` holds.
    // On a loaded 2-core machine xdotool can be descheduled in mid burst, and the wedge rightly
    // takes the keys for typing; so xdotool runs at a higher priority, and a sequence that did
    // not end in `done` within 8 s is typed once more after any refusal it caused was
    // acknowledged (every sequence here may be repeated without a second effect).
    template <class Pred>
    void scans(const std::vector<std::string>& texts, Pred done) const
    {
        for (int attempt = 0; attempt < 2; ++attempt) {
            if (hasTarget(probe(), "Tap to acknowledge")) tap("Tap to acknowledge");
            for (const auto& text : texts) {
                std::vector<std::string> args{"nice", "-n", "-10", "xdotool", "key", "--delay", "2"};
                for (auto& k : keysyms(text)) args.push_back(k);
                args.push_back("Return");
                Child c(args, {"DISPLAY=" + x().display()});
                REQUIRE(c.wait() == 0);
                std::this_thread::sleep_for(300ms);
            }
            if (waitFor(done, attempt == 0 ? 8s : 20s)) return;
            MESSAGE("scans not taken in time, typing them once more; the window shows " << probe().dump());
        }
        FAIL("the window did not take the scans; it shows " << probe().dump());
    }
    // tap clicks the centre of the touch target labelled `label`.
    void tap(const std::string& label) const { click(label); }
};


} // namespace

TEST_CASE("a put-away, a pick and a count done on the window are what the CLI shows")
{
    CliHarness cli;
    REQUIRE(cli.run({"import", "locations", cli.writeFile("l.csv", kLocations)}).status == 0);
    REQUIRE(cli.run({"import", "catalog", cli.writeFile("c.csv", kCatalog)}).status == 0);
    REQUIRE(cli.run({"import", "backorders", cli.writeFile("o.csv", kOrders)}).status == 0);
    // 5 mugs at DOCK-1: 1 staged at OUT-1 for SO-1, 4 waiting to be put away (suggested A-01).
    REQUIRE(cli.receive({kMug + "(30)5"}).status == 0);
    REQUIRE(cli.run({"putaway"}).json() ==
            Json::parse(R"([{"sku":"MUG","lot":null,"expiry":null,"from":"DOCK-1","qty":4,"suggest":"A-01","suggest_holds":0}])"));

    Xvfb x;
    {
        // Put away: the product's label picks its line, the suggested bin's label puts it there.
        Window w(cli, x, "putaway");
        w.scans({kMug, "LOC:A-01"}, [](const Json& p) { return p["feedback"] == "ACCEPTED"; });
    }
    CHECK(cli.run({"putaway"}).json() == Json::array());
    CHECK(cli.stockDetail("MUG")[0]["locations"] ==
          Json::parse(R"([{"location":"A-01","lot":null,"expiry":null,"qty":4,"held":0},
                          {"location":"OUT-1","lot":null,"expiry":null,"qty":1,"held":0}])"));
    {
        // Pick: the location, then the product; one unit needs no keypad.
        Window w(cli, x, "pick");
        w.scans({"LOC:OUT-1", kMug}, [](const Json& p) { return p["feedback"] == "ACCEPTED"; });
    }
    CHECK(cli.run({"picklist"}).json() == Json::array());
    CHECK(cli.backorders() ==
          Json::parse(R"([{"order_id":"SO-1","line":1,"sku":"MUG","qty":1,"allocated":0,"picked":1,"state":"picked","eta":null}])"));
    {
        // Count: the location, the product, then 3 on the keypad (the book says 4; a count
        // is blind, so the screen says only what was counted; a variance of one unit is
        // applied at once).
        Window w(cli, x, "count");
        w.scans({"LOC:A-01", kMug}, [](const Json& p) { return Window::hasTarget(p, "OK") && Window::hasTarget(p, "3"); });
        w.tap("3");
        w.tap("OK");
        REQUIRE_MESSAGE(w.waitFor([](const Json& p) { return p["feedback"] == "ACCEPTED"; }, 20s), w.probe().dump());
        CHECK(w.probe()["result"] == "MUG at A-01: 3 counted\n");
    }
    const Json counts = cli.run({"counts"}).json();
    INFO(counts.dump());
    REQUIRE(counts.size() == 1);
    CHECK(counts[0]["location"] == "A-01");
    CHECK(counts[0]["sku"] == "MUG");
    CHECK(counts[0]["counted"] == 3);
    CHECK(counts[0]["book_at_basis"] == 4);
    CHECK(counts[0]["variance"] == -1);
    CHECK(counts[0]["state"] == "applied"); // a variance of one unit is within the tolerance
    CHECK(counts[0]["adjusted"] == -1);
    CHECK(counts[0]["operator"] == "cli");
    CHECK(cli.stockDetail("MUG")[0]["locations"][0] == Json::parse(R"({"location":"A-01","lot":null,"expiry":null,"qty":3,"held":0})"));
}

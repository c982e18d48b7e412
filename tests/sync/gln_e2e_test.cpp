// GS1 location labels on an enrolled terminal, end to end (docs/sync.md, The terminal's
// view): the real backfilld ($BACKFILLD_BIN) imports locations with their gln columns and
// serves on tcp://127.0.0.1; a real `backfill` ($BACKFILL_BIN) enrols and syncs; then a scan
// of a (414)(254) label, read on the terminal's database by the function every touch screen
// reads scans with (app::readScan), names the location. Two locations trade labels at the
// server while it serves; the next sync brings the trade, which the terminal's unique index
// must not refuse half-way.
#include "e2e/BackfilldProcess.h"
#include "e2e/CliHarness.h"

#include "app/UiScan.h"
#include "store/TerminalStore.h"

#include <doctest/doctest.h>

using namespace backfill;
using namespace backfill::e2e;

namespace {

const char* kNow = "2026-01-15T10:00:00Z";

// The site's GLN 9501101000018 with a (254) extension per bin; the staging lane's own GLN;
// DOCK has no label.
const char* kLocations = "code,kind,sequence,gln,gln_extension\n"
                         "DOCK,receiving,1,,\n"
                         "A1,storage,10,9501101000018,A1\n"
                         "A2,storage,20,9501101000018,\n"
                         "OUT1,staging,30,9501101000025,\n";

struct Terminal : CliHarness {
    Json at(const std::vector<std::string>& args) const
    {
        std::vector<std::string> all{"--now", kNow};
        all.insert(all.end(), args.begin(), args.end());
        auto r = run(all);
        INFO(r);
        REQUIRE(r.status == 0);
        return r.json();
    }
    // scan is what a touch screen makes of `text` on this terminal: "location CODE (kind)" or
    // "refused CODE".
    std::string scan(const std::string& text) const
    {
        auto store = store::TerminalStore::open(db());
        REQUIRE(store);
        app::GlobalOptions g;
        g.todayText = CliHarness::kToday;
        const auto m = app::readScan(**store, g, text);
        if (m.kind != app::ScanMeaning::Kind::Location) return "refused " + m.code;
        return "location " + m.location + " (" + std::string(ledger::locationKindName(m.locationKind)) + ")";
    }
};

} // namespace

TEST_CASE("a GS1 location label imported at the server names its location on an enrolled terminal, and a label trade arrives")
{
    CliHarness serverDir;
    Backfilld s(serverDir);
    s.import("locations", kLocations, 4);
    s.serve();

    Terminal t;
    // Before enrolment the terminal knows no label.
    CHECK(t.scan("(414)9501101000018(254)A1") == "refused unknown_location");
    const Json enrolled = t.at({"enroll", "--server", s.url(), "--device", "HH-01", "--token", s.addDevice("HH-01")});
    CHECK(enrolled["pulled"] == 4);
    CHECK(t.scan("(414)9501101000018(254)A1") == "location A1 (storage)");
    CHECK(t.scan("4149501101000018254A1") == "location A1 (storage)"); // the element string, as a wedge sends it
    CHECK(t.scan("(414)9501101000018") == "location A2 (storage)");
    CHECK(t.scan("(414)9501101000025") == "location OUT1 (staging)");
    CHECK(t.scan("(414)9501101000018(254)A9") == "refused unknown_location");
    CHECK(t.query("SELECT code, coalesce(gln, '-'), gln_ext FROM locations ORDER BY code") ==
          std::vector<std::string>{"A1|9501101000018|A1", "A2|9501101000018|", "DOCK|-|", "OUT1|9501101000025|"});

    // A1 and A2 trade labels and OUT1's goes to a new quarantine location Q (OUT1 gets
    // another), imported while the server serves; a file without the columns keeps DOCK's
    // none and A1's new one.
    s.import("locations",
             "code,kind,sequence,gln,gln_extension\n"
             "A1,storage,10,9501101000018,\n"
             "A2,storage,20,9501101000018,A1\n"
             "Q,quarantine,40,9501101000025,\n"
             "OUT1,staging,30,9501101000032,\n",
             4);
    s.import("locations", "code,kind,sequence\nDOCK,receiving,1\nA1,storage,11\n", 2);
    CHECK(t.at({"sync"}) == Json{{"pushed", 0}, {"pulled", 6}, {"corrections", Json::array()}});
    CHECK(t.scan("(414)9501101000018(254)A1") == "location A2 (storage)");
    CHECK(t.scan("(414)9501101000018") == "location A1 (storage)");
    CHECK(t.scan("(414)9501101000025") == "location Q (quarantine)");
    CHECK(t.scan("(414)9501101000032") == "location OUT1 (staging)");
    CHECK(t.query("SELECT code, sequence, coalesce(gln, '-'), gln_ext FROM locations ORDER BY code") ==
          std::vector<std::string>{"A1|11|9501101000018|", "A2|20|9501101000018|A1", "DOCK|1|-|", "OUT1|30|9501101000032|",
                                   "Q|40|9501101000025|"});
    // The server holds the same labels (its log, replayed by the terminal, is its state).
    const Json log = s.json({"log"});
    CHECK(log.back()["payload"] == Json::parse(R"({"code":"A1","kind":"storage","sequence":11,"gln":"9501101000018"})"));
    CHECK(s.kill(SIGTERM) == 0);
}

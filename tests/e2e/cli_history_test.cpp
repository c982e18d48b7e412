// End to end, issue 14 "After a crash": `backfill history [--limit N]` lists this terminal's
// latest receipts and picks newest first, one entry per product line, with the scan as
// delivered, so an operator can tell whether a scan whose line never printed was recorded.
#include "e2e/CliHarness.h"

#include <doctest/doctest.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

using namespace backfill::e2e;

namespace {

const std::string kApple13 = withCheckDigit("400000000001");
const std::string kApple = "0" + kApple13;
const std::string kPear = "0" + withCheckDigit("400000000002");
const std::string kPallet = withCheckDigit("34000000000000001");

int64_t nowSeconds()
{
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// isoSeconds reads `YYYY-MM-DDTHH:MM:SSZ` back into seconds since 1970 (UTC); -1 when the
// text is not exactly that.
int64_t isoSeconds(const std::string& text)
{
    int y = 0, mo = 0, d = 0, hh = 0, mm = 0, ss = 0;
    char z = 0;
    if (text.size() != 20 || std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c", &y, &mo, &d, &hh, &mm, &ss, &z) != 7 ||
        z != 'Z')
        return -1;
    // Days from civil (Howard Hinnant's algorithm).
    y -= mo <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const int64_t yoe = y - era * 400;
    const int64_t doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (era * 146097 + doe - 719468) * 86400 + hh * 3600 + mm * 60 + ss;
}

struct Entry {
    int64_t eventId;
    std::string kind;
    std::optional<std::string> scan;
    std::string sku;
    int64_t qty;
    std::string location;
    std::optional<std::string> lot;
    std::optional<std::string> expiry;
    std::optional<std::string> sscc;
    std::optional<std::string> orderId;
    std::optional<int64_t> line;
    int64_t deviceSeq;
};

Json opt(const std::optional<std::string>& v) { return v ? Json(*v) : Json(nullptr); }

// entryJson is the history contract's entry; `at` and op_id are taken from the run and the
// outbox (checked separately).
Json entryJson(const CliHarness& h, const Entry& e, const std::string& at)
{
    const auto opId = h.query("SELECT op_id FROM outbox WHERE device_seq = " + std::to_string(e.deviceSeq));
    REQUIRE(opId.size() == 1);
    return Json{{"event_id", e.eventId},
                {"at", at},
                {"kind", e.kind},
                {"scan", opt(e.scan)},
                {"sku", e.sku},
                {"qty", e.qty},
                {"location", e.location},
                {"lot", opt(e.lot)},
                {"expiry", opt(e.expiry)},
                {"sscc", opt(e.sscc)},
                {"order_id", opt(e.orderId)},
                {"line", e.line ? Json(*e.line) : Json(nullptr)},
                {"op_id", opId[0]},
                {"device_seq", e.deviceSeq},
                {"operator", "cli"}, // a terminal without users runs as the built-in operator
                {"device", "local"}};
}

Json history(const CliHarness& h, const std::vector<std::string>& options = {})
{
    std::vector<std::string> args{"history"};
    args.insert(args.end(), options.begin(), options.end());
    const auto r = h.run(args);
    INFO(r);
    REQUIRE(r.status == 0);
    CHECK(r.err.empty());
    return r.json();
}

} // namespace

TEST_CASE("history: receipts and picks newest first, one entry per product line, with the scan as delivered")
{
    CliHarness h;
    h.importOk("catalog", "sku,description,gtin\nAPPLE,Apple," + kApple13 + "\nPEAR,Pear," + kPear.substr(1) + "\n", 2);
    h.importOk("inbound",
               "inbound_id,supplier,sku,qty,eta,sscc\n"
               "ASN-1,Acme,PEAR,4,2026-02-10," + kPallet + "\n"
               "ASN-1,Acme,APPLE,10,2026-02-10," + kPallet + "\n",
               2);
    h.importOk("backorders", "order_id,line,customer,sku,qty,ordered_at\nSO-1,1,A,APPLE,2,2026-01-02\n", 1);
    CHECK(history(h) == Json::array());

    const int64_t before = nowSeconds();
    const std::string loose = "(01)" + kApple + "(10)L1(17)260630";
    const std::string pallet = "(00)" + kPallet;
    h.receiveOk({loose});     // events 1 received, 2 allocated (SO-1 1 unit)
    h.receiveOk({pallet});    // 3 received PEAR, 4 received APPLE, 5 allocated (SO-1 1 unit)
    h.pickOk({"SO-1", "1", "2"}); // first expiry first: 6 picked 1 of lot L1, 7 picked 1 lot-less unit
    h.receiveOk({kPear});     // 8 received
    const int64_t after = nowSeconds();

    const Json all = history(h);
    REQUIRE(all.size() == 6);
    for (const auto& e : all) {
        const int64_t at = isoSeconds(e["at"].get<std::string>());
        CHECK(at >= before);
        CHECK(at <= after);
    }
    const std::vector<Entry> expected{
        {8, "receive", kPear, "PEAR", 1, "DOCK", {}, {}, {}, {}, {}, 4},
        {7, "pick", {}, "APPLE", 1, "DOCK", {}, {}, {}, "SO-1", 1, 3},
        {6, "pick", {}, "APPLE", 1, "DOCK", "L1", {}, {}, "SO-1", 1, 3},
        {4, "receive", pallet, "APPLE", 10, "DOCK", {}, {}, kPallet, {}, {}, 2},
        {3, "receive", pallet, "PEAR", 4, "DOCK", {}, {}, kPallet, {}, {}, 2},
        {1, "receive", loose, "APPLE", 1, "DOCK", "L1", "2026-06-30", {}, {}, {}, 1},
    };
    for (size_t i = 0; i < expected.size(); ++i) {
        CAPTURE(i);
        CHECK(all[i] == entryJson(h, expected[i], all[i]["at"].get<std::string>()));
    }
    // --limit keeps the newest entries; the pallet's two lines count as two.
    const Json two = history(h, {"--limit", "2"});
    CHECK(two == Json::array({all[0], all[1]}));
    CHECK(history(h, {"--limit", "4"}) == Json::array({all[0], all[1], all[2], all[3]}));
    CHECK(history(h, {"--limit", "1"}) == Json::array({all[0]}));
    CHECK(history(h, {"--limit", "10000"}) == all);
}

TEST_CASE("history: 20 entries by default, the newest")
{
    CliHarness h;
    h.importOk("catalog", "sku,description,gtin\nAPPLE,Apple," + kApple13 + "\n", 1);
    std::string input;
    for (int i = 1; i <= 25; ++i) input += "(01)" + kApple + "(30)" + std::to_string(i) + "\n";
    const auto r = h.receive({"-"}, input);
    INFO(r);
    REQUIRE(r.status == 0);
    const Json entries = history(h);
    REQUIRE(entries.size() == 20);
    for (size_t i = 0; i < entries.size(); ++i) {
        CAPTURE(i);
        const int64_t n = 25 - static_cast<int64_t>(i);
        CHECK(entries[i]["event_id"] == n);
        CHECK(entries[i]["device_seq"] == n);
        CHECK(entries[i]["qty"] == n);
        CHECK(entries[i]["scan"] == "(01)" + kApple + "(30)" + std::to_string(n));
    }
}

TEST_CASE("history: --limit outside 1..10000 or not a number is bad usage (exit 3, nothing printed)")
{
    CliHarness h;
    h.importOk("catalog", "sku,description,gtin\nAPPLE,Apple," + kApple13 + "\n", 1);
    for (const std::string bad : {"0", "-1", "10001", "abc", "1.5", ""}) {
        CAPTURE(bad);
        const auto r = h.run({"history", "--limit", bad});
        INFO(r);
        CHECK(r.status == 3);
        CHECK(r.out.empty());
        REQUIRE(r.errLines().size() == 1);
        CHECK(r.errLines()[0] == Json{{"code", "bad_usage"}, {"error", "--limit: Value " + bad + " not in range 1 to 10000"}});
    }
}

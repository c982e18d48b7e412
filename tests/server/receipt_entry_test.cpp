// A receipt's log entry written as text (server/ReceiptEntry.h) must be exactly what the
// JSON tree gives when dumped, and its movements what movementsOf reads from that tree, for
// every receipt the text covers; the rest (non-ASCII text, staged units) is left to the tree.

#include "server/Movements.h"
#include "server/ReceiptEntry.h"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <random>

using namespace backfill;
using namespace backfill::server;
using namespace backfill::server::detail;

namespace {

// Texts with everything dump() escapes, and plain ones.
std::string someText(std::mt19937& rng)
{
    static const std::vector<std::string> pieces = {"", "A", "SKU-1", "\"", "\\", "\n", "\t", "\b\f\r", std::string(1, '\x01'),
                                                    "/", "x y", "0042", "{}", "[1]", std::string(1, '\x1f'), "LOT-7"};
    std::string out;
    const int n = static_cast<int>(rng() % 4);
    for (int i = 0; i < n; ++i) out += pieces[rng() % pieces.size()];
    return out;
}

Json settlementList(std::mt19937& rng, bool withClaimed)
{
    Json list = Json::array();
    const int n = static_cast<int>(rng() % 3);
    for (int i = 0; i < n; ++i) {
        Json a = Json::object();
        a["order_id"] = "SO-" + someText(rng);
        a["line"] = static_cast<int64_t>(rng() % 9) + 1;
        a["qty"] = static_cast<int64_t>(rng() % 50) + 1;
        if (withClaimed) a["claimed"] = rng() % 2 == 0;
        list.push_back(std::move(a));
    }
    return list;
}

} // namespace

TEST_CASE("receiptText is the dump of receiptEntry with the settlement, byte for byte; receiptMovements is movementsOf")
{
    std::mt19937 rng(20261208);
    for (int round = 0; round < 3000; ++round) {
        const OpContext op{"HH-" + someText(rng), "op-" + someText(rng), static_cast<int64_t>(rng() % 100000) + 1, 1, nullptr};
        const std::string location = "DOCK" + someText(rng);
        std::vector<ReceivedLine> lines;
        const int n = static_cast<int>(rng() % 4) + 1;
        for (int i = 0; i < n; ++i) {
            ReceivedLine l;
            l.sku = "SKU" + someText(rng);
            l.lot = someText(rng);
            l.sscc = rng() % 3 == 0 ? "00312345600000000" + std::to_string(rng() % 10) : "";
            l.qty = static_cast<Qty>(rng() % 1000) + 1;
            if (rng() % 3 == 0) l.expiry = ledger::parseDate("2027-0" + std::to_string(rng() % 9 + 1) + "-1" + std::to_string(rng() % 10));
            l.overReceipt = static_cast<Qty>(rng() % 3 == 0 ? rng() % l.qty : 0);
            lines.push_back(std::move(l));
        }
        const std::optional<int64_t> exception = rng() % 4 == 0 ? std::optional<int64_t>(rng() % 500 + 1) : std::nullopt;
        const Json allocations = settlementList(rng, true), releases = settlementList(rng, false);

        Json entry = receiptEntry(op, location, exception, lines);
        entry["allocations"] = allocations;
        entry["releases"] = releases;
        const auto text = receiptText(op, location, exception, lines, allocations, releases);
        REQUIRE(text);
        CHECK(*text == entry.dump());
        const auto movements = receiptMovements(location, lines);
        const auto expected = movementsOf("receive", entry);
        REQUIRE(movements.size() == expected.size());
        for (size_t i = 0; i < movements.size(); ++i) {
            CHECK(movements[i].sku == expected[i].sku);
            CHECK(movements[i].location == expected[i].location);
            CHECK(movements[i].lot == expected[i].lot);
            CHECK(movements[i].qty == expected[i].qty);
        }
    }
}

TEST_CASE("receipts the text does not cover: non-ASCII text and staged units are left to the tree, whose movements still agree")
{
    const OpContext op{"HH-01", "op-1", 7, 1, nullptr};
    std::vector<ReceivedLine> lines{{"SKU-A", "", "", 10, std::nullopt, 0, {}}};
    CHECK(receiptText(op, "DOCK", std::nullopt, lines, Json::array(), Json::array()));
    CHECK(!receiptText(op, "QUAI-\xC3\xA9", std::nullopt, lines, Json::array(), Json::array()));
    lines[0].lot = "L\xC3\xB6t";
    CHECK(!receiptText(op, "DOCK", std::nullopt, lines, Json::array(), Json::array()));
    lines[0].lot = "L1";
    lines[0].staged = {{"OUT-1", 4}, {"OUT-2", 6}};
    CHECK(!receiptText(op, "DOCK", std::nullopt, lines, Json::array(), Json::array()));
    // All ten carried on: nothing stays at DOCK, 4 and 6 arrive at the lanes.
    Json entry = receiptEntry(op, "DOCK", std::nullopt, lines);
    CHECK(entry.dump() == R"({"op_id":"op-1","device":"HH-01","device_seq":7,"location":"DOCK","lines":[{"sku":"SKU-A","qty":10,"lot":"L1",)"
                          R"("sscc":"","over_receipt":0,"staged":[{"stage":"OUT-1","qty":4},{"stage":"OUT-2","qty":6}]}]})");
    const auto movements = receiptMovements("DOCK", lines);
    REQUIRE(movements.size() == 2);
    CHECK(movements[0].location == "OUT-1");
    CHECK(movements[0].qty == 4);
    CHECK(movements[1].location == "OUT-2");
    CHECK(movements[1].qty == 6);
    CHECK(movementsOf("receive", entry).size() == 2);
}

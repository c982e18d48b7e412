// The back office at the server (issue 13) in process over a real SQLite file: supplier
// imports (refusals change nothing, a product's list is replaced), promotions, replenishment
// gathered from stock, inbound and lines, reports and exports from the timed log. Every
// expected figure is worked out by hand in the comments.

#include "ledger/Date.h"
#include "server/Apply.h"
#include "server/Exports.h"
#include "server/Imports.h"
#include "server/Replenish.h"
#include "server/Reports.h"
#include "server/ServerSchema.h"
#include "server/SqliteServerStore.h"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <string>

using namespace backfill;
using namespace backfill::server;
using Json = nlohmann::ordered_json;
namespace fs = std::filesystem;

namespace {

ledger::Date day(const char* ymd) { return *ledger::parseDate(ymd); }
ledger::Timestamp at(const char* text) { return *ledger::parseTimestamp(text); }

std::string uuid(int n)
{
    std::string tail = std::to_string(n);
    return "00000000-0000-4000-8000-" + std::string(12 - tail.size(), '0') + tail;
}

// Warehouse is a fresh server database with the scenario every case starts from (T = 2026-12-01):
//
//   catalog   SKU-A safety 5, catalog lead 30; SKU-B safety 0, lead 4; SKU-C safety 0, lead 0
//   suppliers SKU-A: Slow (14 days, min 5, 1.00), Acme (10 days, min 12, 2.50); B, C none
//   lines     SO-1 Ann A 30 (11-10), SO-2 Bob A 12 (11-30 12:00), SO-3 Bob A 7 (11-02),
//             SO-4 Cy B 42 (12-01 08:00), SO-5 Ann B 3 (11-05), SO-7 Dan B 1 (10-01)
//   inbound   ASN-1 Acme A 50 (eta 12-10)
//   11-28 10:00 receive DOCK: A 40 (-> SO-3 7, SO-1 30, SO-2 3 by the rule), C 3
//   11-28 11:00 receive Q (quarantine): A 5
//   11-29 09:00 pick SO-1 30 A at DOCK
//   11-30 (import) SO-6 Eve C 2 (11-29): allocated from stock
//   11-30 12:00 pick SO-6 2 C at DOCK
//   11-30 13:00 count 1 recount C DOCK; 14:00 count_approve 1 C DOCK counted 2, variance +1, FOUND
//   11-30 15:00 count 2 pending A A-1 counted 0 variance -3; 16:00 count_reject 2 "miscounted"
struct Warehouse {
    fs::path dir;
    std::unique_ptr<SqliteServerStore> store;
    std::unique_ptr<Applier> applier;
    protocol::Credentials device;
    int64_t seq = 0;

    Warehouse()
    {
        static int counter = 0;
        dir = fs::temp_directory_path() / ("backfilld_office_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
        fs::remove_all(dir);
        fs::create_directories(dir);
        auto s = SqliteServerStore::open((dir / "server.db").string());
        REQUIRE(s);
        store = std::move(*s);
        ApplierOptions options;
        options.now = [] { return at("2026-12-01T00:00Z"); };
        applier = std::make_unique<Applier>(*store, options);

        store->setLogTime(at("2026-11-25T00:00Z"));
        REQUIRE(importLocations(*store, ledger::parseLocationsCsv("code,kind,sequence\nDOCK,receiving,1\nA-1,storage,2\nQ,quarantine,3\n"))
                    ->imported == 3);
        REQUIRE(importCatalog(*store, ledger::parseCatalogCsv("sku,description,safety_stock,lead_time_days\n"
                                                              "SKU-A,Widget,5,30\nSKU-B,Gadget,0,4\nSKU-C,Gizmo,0,0\n"))
                    ->imported == 3);
        REQUIRE(importSuppliers(*store, ledger::parseSuppliersCsv("sku,supplier,lead_time_days,min_order_qty,unit_cost\n"
                                                                  "SKU-A,Slow,14,5,1.00\nSKU-A,Acme,10,12,2.50\n"))
                    ->imported == 2);
        REQUIRE(importBackorders(*store, ledger::parseBackordersCsv("order_id,line,customer,sku,qty,ordered_at\n"
                                                                     "SO-1,1,Ann,SKU-A,30,2026-11-10\n"
                                                                     "SO-2,1,Bob,SKU-A,12,2026-11-30T12:00Z\n"
                                                                     "SO-3,1,Bob,SKU-A,7,2026-11-02\n"
                                                                     "SO-4,1,Cy,SKU-B,42,2026-12-01T08:00Z\n"
                                                                     "SO-5,1,Ann,SKU-B,3,2026-11-05\n"
                                                                     "SO-7,1,Dan,SKU-B,1,2026-10-01\n"))
                    ->imported == 6);
        REQUIRE(importInbound(*store, ledger::parseInboundCsv("inbound_id,supplier,sku,qty,eta\nASN-1,Acme,SKU-A,50,2026-12-10\n"))
                    ->imported == 1);
        store->setLogTime(std::nullopt);

        auto token = enrolDevice(*store, "HH-01");
        REQUIRE(token);
        auto hello = applier->hello({protocol::kProtocolVersion, "HH-01", 0, *token});
        REQUIRE(std::holds_alternative<protocol::HelloAck>(hello));
        device = {"HH-01", 1, *token};

        push("receive", R"({"location":"DOCK","lines":[{"sku":"SKU-A","qty":40},{"sku":"SKU-C","qty":3}]})", "2026-11-28T10:00Z");
        push("receive", R"({"location":"Q","lines":[{"sku":"SKU-A","qty":5}]})", "2026-11-28T11:00Z");
        push("pick", R"({"order_id":"SO-1","line":1,"qty":30,"location":"DOCK","lots":[{"lot":"","qty":30}]})", "2026-11-29T09:00Z");
        store->setLogTime(at("2026-11-30T00:00Z"));
        REQUIRE(importBackorders(*store, ledger::parseBackordersCsv("order_id,line,customer,sku,qty,ordered_at\nSO-6,1,Eve,SKU-C,2,2026-11-29\n"))
                    ->imported == 1);
        store->setLogTime(std::nullopt);
        push("pick", R"({"order_id":"SO-6","line":1,"qty":2,"location":"DOCK","lots":[{"lot":"","qty":2}]})", "2026-11-30T12:00Z");
        push("count", R"({"count_id":1,"state":"recount","sku":"SKU-C","location":"DOCK","lot":"","counted":3,"variance":2})",
             "2026-11-30T13:00Z");
        push("count_approve",
             R"({"count_id":1,"sku":"SKU-C","location":"DOCK","lot":"","counted":2,"variance":1,"count_op_id":")" + uuid(5) +
                 R"(","reason":"FOUND"})",
             "2026-11-30T14:00Z");
        push("count", R"({"count_id":2,"state":"pending","sku":"SKU-A","location":"A-1","lot":"","counted":0,"variance":-3})",
             "2026-11-30T15:00Z");
        push("count_reject", R"({"count_id":2,"count_op_id":")" + uuid(7) + R"(","note":"miscounted"})", "2026-11-30T16:00Z");
    }
    ~Warehouse()
    {
        applier.reset();
        store.reset();
        fs::remove_all(dir);
    }

    // push sends one op the device made at `when`; it must be applied.
    int64_t push(const std::string& kind, const std::string& payload, const char* when)
    {
        ++seq;
        auto reply = applier->push({device, {{uuid(static_cast<int>(seq)), seq, 1, kind, payload, at(when)}}});
        REQUIRE(std::holds_alternative<protocol::PushAck>(reply));
        const auto& ack = std::get<protocol::PushAck>(reply);
        REQUIRE(ack.results.size() == 1);
        REQUIRE_MESSAGE(ack.results[0].status == protocol::OpStatus::Applied, std::string(ack.results[0].code + ": " + ack.results[0].message));
        return ack.results[0].globalSeq;
    }

    const ledger::Replenishment* find(const std::vector<ledger::Replenishment>& rows, const std::string& sku)
    {
        for (const auto& r : rows)
            if (r.sku == sku) return &r;
        return nullptr;
    }
};

} // namespace

TEST_CASE("the log keeps when each entry happened: the op's device time, else the pinned or system clock")
{
    Warehouse w;
    const std::vector<std::string> kinds{"receive", "product", "allocation"};
    auto entries = w.store->logEntries(0, 100, kinds);
    REQUIRE(entries);
    REQUIRE(entries->size() == 6); // 3 products, receive, receive, SO-6's allocation
    CHECK(entries->at(0).kind == "product");
    CHECK(entries->at(0).at == at("2026-11-25T00:00Z"));
    CHECK(entries->at(3).kind == "receive");
    CHECK(entries->at(3).at == at("2026-11-28T10:00Z"));
    CHECK(entries->at(5).kind == "allocation");
    CHECK(entries->at(5).at == at("2026-11-30T00:00Z"));
    // An op sent without a time gets the server's clock (ApplierOptions::now).
    const auto s = w.push("receive", R"({"location":"DOCK","lines":[{"sku":"SKU-B","qty":1}]})", "1970-01-01T00:00Z");
    auto last = w.store->logEntries(s - 1, 1, {});
    REQUIRE(last->size() == 1);
    CHECK(last->at(0).at == at("2026-12-01T00:00Z"));
}

TEST_CASE("import suppliers: unknown skus refused by line, nothing changed; a product's list is replaced")
{
    Warehouse w;
    const auto head = *w.store->headSeq();
    auto refused = importSuppliers(*w.store, ledger::parseSuppliersCsv("sku,supplier,lead_time_days,unit_cost\n"
                                                                        "SKU-B,Acme,3,1\nSKU-X,Acme,3,1\nSKU-Y,Acme,3,1\n"));
    REQUIRE(refused);
    REQUIRE(refused->errors.size() == 2);
    CHECK(refused->errors[0].format("s.csv") == "s.csv:3: column sku: unknown sku 'SKU-X'");
    CHECK(refused->errors[0].code == "unknown_sku");
    CHECK(refused->errors[1].line == 4);
    CHECK(refused->imported == 0);
    CHECK(*w.store->headSeq() == head);
    CHECK(w.store->suppliers()->size() == 2);

    // SKU-A gets Slow alone (Acme gone); SKU-B gets one; the log says so per product.
    auto ok = importSuppliers(*w.store, ledger::parseSuppliersCsv("sku,supplier,lead_time_days,min_order_qty,unit_cost\n"
                                                                   "SKU-A,Slow,14,5,0.99\nSKU-B,Beta,2,10,0.0125\n"));
    REQUIRE(ok);
    CHECK(ok->imported == 2);
    const auto all = *w.store->suppliers();
    REQUIRE(all.size() == 2);
    CHECK((all[0].sku == "SKU-A" && all[0].supplier == "Slow" && all[0].unitCost.scaled == 9900));
    CHECK((all[1].sku == "SKU-B" && all[1].supplier == "Beta" && all[1].minOrderQty == 10 && all[1].leadTimeDays == 2));
    auto log = w.store->entriesAfter(head, 10);
    REQUIRE(log->size() == 2);
    CHECK(log->at(0).kind == "suppliers");
    CHECK(log->at(0).payload ==
          R"({"sku":"SKU-A","suppliers":[{"supplier":"Slow","lead_time_days":14,"min_order_qty":5,"unit_cost":"0.99"}]})");
}

TEST_CASE("promotions: refusals, the log entry, the largest active factor")
{
    Warehouse w;
    auto unknown = addPromotion(*w.store, "SKU-X", "1.5", day("2026-12-24"));
    REQUIRE_FALSE(unknown);
    CHECK(unknown.error().code == "unknown_sku");
    for (const char* bad : {"0", "0.0000", "-1", "abc", "1.23456", ""}) {
        CAPTURE(bad);
        auto r = addPromotion(*w.store, "SKU-A", bad, day("2026-12-24"));
        REQUIRE_FALSE(r);
        CHECK(r.error().code == "bad_factor");
    }
    CHECK(addPromotion(*w.store, "SKU-A", "0", day("2026-12-24")).error().message == "--factor '0': a factor must be more than 0");
    CHECK(w.store->promotions()->empty());

    auto p = addPromotion(*w.store, "SKU-A", "1.5", day("2026-12-01"));
    REQUIRE(p);
    CHECK(p->id == 1);
    CHECK(w.store->entriesAfter(*w.store->headSeq() - 1, 1)->at(0).payload ==
          R"({"id":1,"sku":"SKU-A","factor":"1.50","until":"2026-12-01"})");
    REQUIRE(addPromotion(*w.store, "SKU-A", "3", day("2026-11-30")));   // expired on T
    REQUIRE(addPromotion(*w.store, "SKU-B", "1.25", day("2026-12-31")));
    const auto all = *w.store->promotions();
    REQUIRE(all.size() == 3);
    CHECK(all[0].id == 1);
    CHECK(all[1].id == 2);
    CHECK(all[2].sku == "SKU-B");
}

TEST_CASE("replenishment gathered from the server: with and without uplift, several suppliers, no supplier")
{
    Warehouse w;
    const ledger::ReplenishmentPolicy policy;
    auto rows = replenishment(*w.store, day("2026-12-01"), policy);
    REQUIRE(rows);
    REQUIRE(rows->size() == 3);

    // SKU-A: on hand 10 (DOCK 40 - 30 picked; Q's 5 are quarantined), inbound 50 - 40 - 5 = 5,
    // allocated SO-3 7 + SO-2 3 = 10, waiting SO-2 9: P = 10 + 5 - 10 - 9 = -4.
    // Demand over [11-03, 12-01): SO-1 30 + SO-2 12 = 42 (SO-3 on 11-02 and none today): D = 1.5.
    // Acme (10 days) beats Slow (14): ROP = ceil(5 + 15) = 20; suggested = max(12, 20 + 11 + 4) = 35.
    const auto* a = w.find(*rows, "SKU-A");
    REQUIRE(a);
    CHECK(a->onHand == 10);
    CHECK(a->inbound == 5);
    CHECK(a->allocated == 10);
    CHECK(a->waiting == 9);
    CHECK(a->projected == -4);
    CHECK(a->demandUnits == 42);
    CHECK(a->reorderPoint == 20);
    CHECK(a->reorder);
    CHECK(a->suggestedQty == 35);
    CHECK(a->supplier == "Acme");
    CHECK(a->leadTimeDays == 10);

    // SKU-B: no stock, no supplier (catalog lead 4); waiting 42 + 3 + 1 = 46: P = -46.
    // Demand: SO-5 3 (SO-4 is today's, SO-7 before the window): D = 3/28 = 0.107;
    // ROP = ceil(3 x 4 / 28 = 0.43) = 1; cover ceil(3 x 7 / 28 = 0.75) = 1; suggested = 1 + 1 + 46 = 48.
    const auto* b = w.find(*rows, "SKU-B");
    REQUIRE(b);
    CHECK(b->projected == -46);
    CHECK(ledger::formatDailyDemand(b->demandUnits, b->windowDays) == "0.11");
    CHECK(b->reorderPoint == 1);
    CHECK(b->suggestedQty == 48);
    CHECK_FALSE(b->supplier);
    CHECK(b->leadTimeDays == 4);

    // SKU-C: 3 received, 2 picked, +1 approved: on hand 2, nothing waits: P = 2 > ROP 0.
    const auto* c = w.find(*rows, "SKU-C");
    REQUIRE(c);
    CHECK(c->onHand == 2);
    CHECK(c->projected == 2);
    CHECK(c->reorderPoint == 0);
    CHECK_FALSE(c->reorder);
    CHECK(c->suggestedQty == 0);

    // A promotion 1.5 until T (inclusive) beside an expired 3: ROP = 5 + ceil(22.5) = 28,
    // cover ceil(15.75) = 16: suggested = max(12, 28 + 16 + 4) = 48. The day after, it is gone.
    REQUIRE(addPromotion(*w.store, "SKU-A", "1.5", day("2026-12-01")));
    REQUIRE(addPromotion(*w.store, "SKU-A", "3", day("2026-11-30")));
    auto uplifted = replenishment(*w.store, day("2026-12-01"), policy);
    CHECK(w.find(*uplifted, "SKU-A")->reorderPoint == 28);
    CHECK(w.find(*uplifted, "SKU-A")->suggestedQty == 48);
    // On 12-02 the window [11-04, 12-02) holds SO-1 30, SO-2 12: D = 1.5 again, no uplift.
    auto after = replenishment(*w.store, day("2026-12-02"), policy);
    CHECK(w.find(*after, "SKU-A")->reorderPoint == 20);
    CHECK(w.find(*after, "SKU-A")->suggestedQty == 35);
}

TEST_CASE("reports: backorder aging, fill rate by day, velocity, counts with reasons")
{
    Warehouse w;
    // Waiting on 12-01: SO-2 Bob A 9 (1 day), SO-4 Cy B 42 (0), SO-5 Ann B 3 (26), SO-7 Dan B 1 (61).
    auto aging = backorderAgingReport(*w.store, day("2026-12-01"));
    REQUIRE(aging);
    REQUIRE(aging->byCustomer.size() == 4);
    CHECK(aging->byCustomer[0].key == "Ann");
    CHECK(aging->byCustomer[0].units == std::array<ledger::Qty, 4>{0, 0, 3, 0});
    CHECK(aging->byCustomer[1].key == "Bob");
    CHECK(aging->byCustomer[1].units == std::array<ledger::Qty, 4>{9, 0, 0, 0});
    CHECK(aging->byCustomer[2].lines == std::array<int64_t, 4>{1, 0, 0, 0});
    CHECK(aging->byCustomer[3].key == "Dan");
    CHECK(aging->byCustomer[3].units == std::array<ledger::Qty, 4>{0, 0, 0, 1});
    REQUIRE(aging->byProduct.size() == 2);
    CHECK(aging->byProduct[0].units == std::array<ledger::Qty, 4>{9, 0, 0, 0});
    CHECK(aging->byProduct[1].lines == std::array<int64_t, 4>{1, 0, 1, 1});
    CHECK(aging->byProduct[1].units == std::array<ledger::Qty, 4>{42, 0, 3, 1});

    // 11-28: the DOCK receipt gave SO-3 7, SO-1 30, SO-2 3 (from inbound); 11-30: SO-6's
    // import took 2 from stock.
    auto fill = fillRateReport(*w.store, day("2026-11-03"), day("2026-12-01"));
    REQUIRE(fill);
    REQUIRE(fill->size() == 2);
    CHECK((*fill)[0].day == day("2026-11-28"));
    CHECK((*fill)[0].linesFromInbound == 3);
    CHECK((*fill)[0].unitsFromInbound == 40);
    CHECK((*fill)[0].unitsFromStock == 0);
    CHECK((*fill)[1].day == day("2026-11-30"));
    CHECK((*fill)[1].linesFromStock == 1);
    CHECK((*fill)[1].unitsFromStock == 2);
    CHECK(fillRateReport(*w.store, day("2026-11-29"), day("2026-11-30"))->empty());

    auto v = velocityReport(*w.store, day("2026-11-03"), day("2026-12-01"));
    REQUIRE(v);
    REQUIRE(v->size() == 2);
    CHECK(((*v)[0].rank == 1 && (*v)[0].sku == "SKU-A" && (*v)[0].units == 30 && (*v)[0].picks == 1));
    CHECK(((*v)[1].rank == 2 && (*v)[1].sku == "SKU-C" && (*v)[1].units == 2));
    CHECK(velocityReport(*w.store, day("2026-11-30"), day("2026-12-01"))->size() == 1);

    auto counts = countsReport(*w.store);
    REQUIRE(counts);
    REQUIRE(counts->size() == 4);
    CHECK((*counts)[0].state == "recount");
    CHECK_FALSE((*counts)[0].adjusted);
    CHECK((*counts)[1].kind == "count_approve");
    CHECK((*counts)[1].state == "approved");
    CHECK((*counts)[1].reason == "FOUND");
    CHECK((*counts)[1].variance == 1);
    CHECK((*counts)[1].adjusted == 1);
    CHECK((*counts)[1].at == at("2026-11-30T14:00Z"));
    CHECK((*counts)[2].state == "pending");
    CHECK((*counts)[3].state == "rejected");
    CHECK((*counts)[3].note == "miscounted");
    CHECK((*counts)[3].sku == "SKU-A"); // from the count it rejects
    CHECK((*counts)[3].location == "A-1");
}

TEST_CASE("exports: records with their cursor; resumed from the cursor, exactly the new ones")
{
    Warehouse w;
    auto receipts = exportSince(*w.store, ExportKind::Receipts, 0);
    REQUIRE(receipts);
    REQUIRE(receipts->records.size() == 2);
    const Json first = Json::parse(receipts->records[0]);
    CHECK(first["type"] == "receipt");
    CHECK(first["at"] == "2026-11-28T10:00:00Z");
    CHECK(first["device"] == "HH-01");
    CHECK(first["location"] == "DOCK");
    CHECK(first["lines"].dump() == R"([{"sku":"SKU-A","qty":40,"lot":"","sscc":""},{"sku":"SKU-C","qty":3,"lot":"","sscc":""}])");
    CHECK(Json::parse(receipts->records[1])["location"] == "Q");
    CHECK(receipts->nextCursor == Json::parse(receipts->records[1])["cursor"].get<int64_t>());

    auto picks = exportSince(*w.store, ExportKind::Picks, 0);
    REQUIRE(picks->records.size() == 2);
    CHECK(Json::parse(picks->records[1])["order_id"] == "SO-6");
    CHECK(Json::parse(picks->records[1])["qty"] == 2);

    // Only the approval changed stock; the recount and the pending count did not.
    auto adjustments = exportSince(*w.store, ExportKind::Adjustments, 0);
    REQUIRE(adjustments->records.size() == 1);
    const Json adj = Json::parse(adjustments->records[0]);
    CHECK(adj["sku"] == "SKU-C");
    CHECK(adj["qty"] == 1);
    CHECK(adj["reason"] == "FOUND");
    CHECK(adj["at"] == "2026-11-30T14:00:00Z");
    // The pending count 2 after it was examined: the cursor is past it.
    CHECK(adjustments->nextCursor > adj["cursor"].get<int64_t>());

    // More happens; the ERP resumes from its cursors.
    const auto r3 = w.push("receive", R"({"location":"DOCK","lines":[{"sku":"SKU-B","qty":4}]})", "2026-12-01T09:00Z");
    const auto p3 = w.push("pick", R"({"order_id":"SO-7","line":1,"qty":1,"location":"DOCK","lots":[{"lot":"","qty":1}]})",
                           "2026-12-01T10:00Z");
    auto moreReceipts = exportSince(*w.store, ExportKind::Receipts, receipts->nextCursor);
    REQUIRE(moreReceipts->records.size() == 1);
    CHECK(Json::parse(moreReceipts->records[0])["cursor"] == r3);
    auto morePicks = exportSince(*w.store, ExportKind::Picks, picks->nextCursor);
    REQUIRE(morePicks->records.size() == 1);
    CHECK(Json::parse(morePicks->records[0])["cursor"] == p3);
    CHECK(Json::parse(morePicks->records[0])["order_id"] == "SO-7");
    auto none = exportSince(*w.store, ExportKind::Receipts, moreReceipts->nextCursor);
    CHECK(none->records.empty());
    CHECK(none->nextCursor == moreReceipts->nextCursor);

    // A limit pages through the same records without gaps or repeats.
    std::vector<std::string> paged;
    int64_t cursor = 0;
    for (int i = 0; i < 10; ++i) {
        auto page = exportSince(*w.store, ExportKind::Receipts, cursor, 1);
        REQUIRE(page);
        if (page->records.empty()) break;
        CHECK(page->records.size() == 1);
        paged.insert(paged.end(), page->records.begin(), page->records.end());
        cursor = page->nextCursor;
    }
    auto whole = exportSince(*w.store, ExportKind::Receipts, 0);
    CHECK(paged == whole->records);
    CHECK(paged.size() == 3);
}

TEST_CASE("a database of schema 1 upgrades: its log entries keep no time, new ones get one")
{
    const fs::path dir = fs::temp_directory_path() / ("backfilld_office_v1_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    const std::string path = (dir / "server.db").string();
    {
        sqlite3* db = nullptr;
        REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
        const std::string v1 = std::string(kServerMigrations[0]) +
                               "PRAGMA user_version=1; PRAGMA application_id=" + std::to_string(kServerApplicationId) + ";"
                               "INSERT INTO log(seq, kind, payload) VALUES(1, 'receive', "
                               "'{\"op_id\":\"x\",\"device\":\"HH-01\",\"location\":\"DOCK\",\"lines\":[{\"sku\":\"SKU-A\",\"qty\":2,\"lot\":\"\",\"sscc\":\"\"}]}');";
        REQUIRE(sqlite3_exec(db, v1.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
        sqlite3_close(db);
    }
    {
        auto store = SqliteServerStore::open(path);
        REQUIRE(store);
        auto old = (*store)->logEntries(0, 10, {});
        REQUIRE(old->size() == 1);
        CHECK_FALSE(old->at(0).at);
        auto batch = exportSince(**store, ExportKind::Receipts, 0);
        REQUIRE(batch->records.size() == 1);
        CHECK(batch->records[0] ==
              R"({"cursor":1,"type":"receipt","at":null,"op_id":"x","device":"HH-01","location":"DOCK","lines":[{"sku":"SKU-A","qty":2,"lot":"","sscc":""}]})");
        (*store)->setLogTime(at("2026-12-01T00:00Z"));
        REQUIRE(importCatalog(**store, ledger::parseCatalogCsv("sku,description\nSKU-A,Widget\n"))->imported == 1);
        CHECK((*store)->logEntries(1, 10, {})->at(0).at == at("2026-12-01T00:00Z"));
        CHECK((*store)->suppliers()->empty());
    }
    fs::remove_all(dir);
}

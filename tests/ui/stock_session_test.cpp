// Stock screen (issue 12 item 7) headless: the card's texts, 100k rows clipped to what is in
// sight, and the real UiSession: a product by scan (also from Home) or by search, with on hand
// by location and lot, allocated, free, held and the lines waiting for it.

#include "ui/SessionHarness.h"

#include "ui/StockScreen.h"

using namespace backfill;
using backfill::uitest::SessionHarness;
using backfill::uitest::UiHarness;

namespace {

// device is the identity of an enrolled terminal as the pull checks it (its id only).
link::Identity device(std::string id)
{
    link::Identity i;
    i.deviceId = std::move(id);
    return i;
}

} // namespace

TEST_CASE("stock screen: texts, search, and 100k rows laid out only where in sight")
{
    CHECK(ui::stockLotText({"A1", std::string("L7"), std::string("2027-03-01"), 10, 1}) == "A1  LOT L7  exp 2027-03-01  10 (1 held)");
    CHECK(ui::stockLotText({"A2", std::nullopt, std::nullopt, 4, 0}) == "A2  4");
    CHECK(ui::waitingText({"SO-1", 2, "Acme", 7, 5, "backordered", std::string("2026-12-12")}) ==
          "SO-1 line 2  Acme  5 of 7 allocated  backordered, ETA 2026-12-12");
    CHECK(ui::waitingText({"SO-2", 1, "", 3, 0, "out_of_stock", std::nullopt}) == "SO-2 line 1  0 of 3 allocated  out of stock");
    ui::StockCard card;
    card.onHand = 15;
    card.allocated = 7;
    card.free = 7;
    card.held = 1;
    CHECK(ui::stockSummary(card) == std::vector<std::string>{"on hand 15  allocated 7  free 7", "held 1  quarantined 0  expired 0"});

    UiHarness h;
    ui::StockView view;
    for (int i = 0; i < 100000; ++i) view.hits.push_back({"SKU-" + std::to_string(i), "product", std::nullopt});
    ui::StockInput input;
    auto draw = [&] { return ui::drawStockScreen(view, input, h.ctx()); };
    h.frame([&] { draw(); });
    CHECK(h.targets().size() < 20); // the rows in sight, Home, Back
    CHECK(h.has("SKU-0  product"));
    auto open = h.tap<ui::StockIntent>("SKU-1  product", draw);
    CHECK(open.back().kind == ui::StockIntent::Kind::Open);
    CHECK(open.back().index == 1);

    view.card = card;
    for (int i = 0; i < 100000; ++i) view.card->locations.push_back({"B-" + std::to_string(i), std::nullopt, std::nullopt, 1, 0});
    h.frame([&] { draw(); });
    CHECK(h.tap<ui::StockIntent>("Back", draw).back().kind == ui::StockIntent::Kind::Back);
}

TEST_CASE("stock session: by scan, from Home, and by search")
{
    SessionHarness s("stock", ui::ScreenId::Home);
    s.receive("09501101010079", 10, "L7", "2027-03-01");
    s.move("MUG", 4, "DOCK", "A1", "L7");
    s.move("MUG", 2, "DOCK", "Q", "L7");
    s.orders("SO-1,1,Acme,a@example.com,MUG,12,1,2026-11-01,\n");
    s.start();
    s.scan(uitest::kMug); // a product scanned on Home opens its stock card
    REQUIRE(s.session().screen() == ui::ScreenId::Stock);
    const auto& v = s.session().stockView();
    REQUIRE(v.card);
    CHECK(v.card->sku == "MUG");
    CHECK(v.card->description == "Mug white");
    CHECK(ui::stockSummary(*v.card) == std::vector<std::string>{"on hand 10  allocated 8  free 0", "held 0  quarantined 2  expired 0"});
    REQUIRE(v.card->locations.size() == 3);
    CHECK(ui::stockLotText(v.card->locations[0]) == "A1  LOT L7  exp 2027-03-01  4");
    CHECK(ui::stockLotText(v.card->locations[1]) == "DOCK  LOT L7  exp 2027-03-01  4");
    CHECK(ui::stockLotText(v.card->locations[2]) == "Q  LOT L7  exp 2027-03-01  2");
    REQUIRE(v.card->waiting.size() == 1);
    CHECK(ui::waitingText(v.card->waiting[0]) == "SO-1 line 1  Acme  8 of 12 allocated  partially allocated");

    s.tap("Back");
    CHECK_FALSE(v.card);
    s.scan("LOC:A1");
    CHECK(v.last.code == "not_a_product");
    s.tap("Tap to acknowledge");
    // Typing into the search field: each edit searches sku and description.
    s.ui().io().AddInputCharactersUTF8("tea");
    s.frame();
    s.frame();
    REQUIRE(v.hits.size() == 1);
    CHECK(v.hits[0].sku == "TEA");
    s.tap("TEA  Tea green");
    REQUIRE(v.card);
    CHECK(v.card->sku == "TEA");
    CHECK(v.card->locations.empty());
}

TEST_CASE("stock session: the inbound supply still due, by ETA, a late one marked, received units taken off")
{
    CHECK(ui::inboundText({"2026-12-12", "ASN-7", "CleanPro", "", 20, false}) == "ETA 2026-12-12  ASN-7  CleanPro  20 due");
    CHECK(ui::inboundText({"2026-12-01", "PO-3", "", "095011010000042001", 6, true}) ==
          "ETA 2026-12-01  PO-3  6 due  pallet 095011010000042001  LATE");

    SessionHarness s("stockinbound", ui::ScreenId::Stock);
    // Loose mugs due before today (late), a pallet of mugs after it, tea (another product),
    // and a line received in full (nothing due: not shown).
    s.inbound("ASN-2,Mug Co,MUG,6,2026-12-10,095011010000000018\n"
              "ASN-1,Mug Co,MUG,20,2026-12-01,\n"
              "ASN-3,Tea Co,TEA,5,2026-12-05,\n"
              "ASN-0,Mug Co,MUG,3,2026-11-20,\n");
    s.receive("09501101010079", 8); // loose: fills ASN-0's 3 (earliest ETA), then 5 of ASN-1's 20
    s.start();
    s.scan(uitest::kMug);
    const auto& v = s.session().stockView();
    REQUIRE(v.card);
    std::vector<std::string> rows;
    for (const auto& i : v.card->inbound) rows.push_back(ui::inboundText(i));
    CHECK(rows == std::vector<std::string>{"ETA 2026-12-01  ASN-1  Mug Co  15 due  LATE",
                                           "ETA 2026-12-10  ASN-2  Mug Co  6 due  pallet 095011010000000018"});
    s.tap("Back");
    s.scan(uitest::kTea);
    REQUIRE(v.card);
    REQUIRE(v.card->inbound.size() == 1);
    CHECK(ui::inboundText(v.card->inbound[0]) == "ETA 2026-12-05  ASN-3  Tea Co  5 due");
}

TEST_CASE("stock session with a reader: the card is read on the worker and shown when it comes; Back drops one still coming")
{
    SessionHarness s("stockreader", ui::ScreenId::Stock);
    s.inbound("ASN-1,Mug Co,MUG,20,2026-12-08,\n");
    s.receive("09501101010079", 10, "L7", "2027-03-01"); // 10 of ASN-1's 20
    app::MainQueue queue;
    auto reader = app::UiReader::start(s.options().dbPath, std::chrono::milliseconds(60000), queue);
    REQUIRE(reader);
    s.session().attachReader(reader->get());
    s.start(); // the fast movers are read on the worker
    const auto& v = s.session().stockView();
    // drainUntil runs what the worker posted until `done` holds (20 s at most).
    auto drainUntil = [&](auto done) {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (!done() && std::chrono::steady_clock::now() < deadline)
            if (queue.waitPosted(std::chrono::milliseconds(100))) queue.drain();
        return done();
    };

    // A scan's meaning is read on the worker too: then the card is asked for.
    s.scan(uitest::kMug);
    REQUIRE(drainUntil([&] { return s.session().scansReading() == 0; }));
    CHECK(v.loading == "MUG"); // the frame that took the scan did not wait for the card
    REQUIRE(drainUntil([&] { return v.card.has_value(); }));
    CHECK(v.loading.empty());
    CHECK(v.card->sku == "MUG");
    CHECK(ui::stockSummary(*v.card) == std::vector<std::string>{"on hand 10  allocated 0  free 10", "held 0  quarantined 0  expired 0"});
    REQUIRE(v.card->locations.size() == 1);
    CHECK(ui::stockLotText(v.card->locations[0]) == "DOCK  LOT L7  exp 2027-03-01  10");
    REQUIRE(v.card->inbound.size() == 1);
    CHECK(ui::inboundText(v.card->inbound[0]) == "ETA 2026-12-08  ASN-1  Mug Co  10 due");
    CHECK_FALSE(v.last.feedback == ui::Feedback::Refused);

    // Tea asked for, then Back before its card came: the tea card never opens.
    const long before = (*reader)->reads();
    s.scan(uitest::kTea);
    REQUIRE(drainUntil([&] { return s.session().scansReading() == 0; }));
    CHECK(v.loading == "TEA");
    s.tap("Back");
    CHECK(v.loading.empty());
    REQUIRE(drainUntil([&] { return (*reader)->reads() > before; }));
    queue.waitPosted(std::chrono::milliseconds(200));
    queue.drain();
    CHECK_FALSE(v.card);

    // A search is read on the worker too; the hits are the last query's.
    s.ui().io().AddInputCharactersUTF8("te");
    s.frame();
    s.ui().io().AddInputCharactersUTF8("a");
    s.frame();
    REQUIRE(drainUntil([&] { return v.hits.size() == 1; }));
    CHECK(v.hits[0].sku == "TEA");
    reader->reset();
}

TEST_CASE("stock screen: the reorder texts")
{
    ui::ReorderInfo info{true, -26, 3, 32, std::string("BETA"), 7, "0.21", "2.00"};
    CHECK(ui::reorderText(info) ==
          std::vector<std::string>{"REORDER 32 from BETA (lead 7 days)", "projected -26 <= reorder point 3, demand 0.21/day x 2.00 promotion"});
    info = {false, 55, 30, 0, std::nullopt, 5, "1.50", ""};
    CHECK(ui::reorderText(info) == std::vector<std::string>{"Stock OK", "projected 55 > reorder point 30, demand 1.50/day"});
    info = {true, 4, 9, 12, std::nullopt, 5, "1.00", ""};
    CHECK(ui::reorderText(info)[0] == "REORDER 12 (catalog lead 5 days)");
    info = {true, 0, 0, 0, std::nullopt, 5, "0.00", ""};
    CHECK(ui::reorderText(info)[0] == "At the reorder point, nothing to order");
    CHECK(ui::fastMoverText({3, 120, 28}) == "FAST MOVER #3: 120 units picked in 28 days");
    CHECK(ui::hitText({"MUG", "Mug white", 1}) == "MUG  Mug white  FAST #1");
    CHECK(ui::hitText({"TEA", "Tea green", std::nullopt}) == "TEA  Tea green");
}

TEST_CASE("stock session: the reorder state by the pulled suppliers and promotions, and the fast movers")
{
    SessionHarness s("reorder", ui::ScreenId::Stock);
    s.orders("SO-1,1,Acme,a@example.com,MUG,6,1,2026-11-20,\n");
    s.receive("09501101010079", 10); // 6 to SO-1, 4 free
    REQUIRE(s.store().pick("SO-1", 1, 6, std::nullopt, app::cliActor(s.options()))); // at 2026-12-04T09:00
    s.orders("SO-3,1,Bolt,b@example.com,MUG,30,2,2026-10-01,\n"); // before the window: 4 allocated, 26 waiting
    // The server's entries as a pull brings them: MUG's two suppliers, a promotion active on
    // the day and one whose date has passed.
    protocol::Changes pulled;
    pulled.entries = {{1, "suppliers",
                       R"({"sku":"MUG","suppliers":[{"supplier":"ACME","lead_time_days":10,"min_order_qty":50,"unit_cost":"2.00"},)"
                       R"({"supplier":"BETA","lead_time_days":7,"min_order_qty":20,"unit_cost":"3.00"}]})"},
                      {2, "promotion", R"({"id":1,"sku":"MUG","factor":"2","until":"2026-12-10"})"},
                      {3, "promotion", R"({"id":2,"sku":"MUG","factor":"3","until":"2026-12-01"})"}};
    pulled.nextCursor = 3;
    REQUIRE(s.store().applyChanges(pulled, device("HH-01")));
    // The next day, so the pick lies in the window [2026-11-07, 2026-12-05).
    s.options().todayText = "2026-12-05";
    s.start();
    s.frame(); // the search field takes the keyboard

    // Typing "mug": the hit is marked as the fastest mover; TEA, never picked, is not.
    s.ui().io().AddInputCharactersUTF8("mug");
    s.frame();
    s.frame();
    const auto& v = s.session().stockView();
    REQUIRE(v.hits.size() == 1);
    CHECK(v.hits[0].fastRank == 1);
    CHECK(s.has("MUG  Mug white  FAST #1"));
    s.tap("MUG  Mug white  FAST #1");
    REQUIRE(v.card);
    // By hand: on hand 10 - 6 = 4, allocated 4, waiting 26: P = -26. D = 6/28 (SO-3 was
    // ordered before the window), U = 2 (the active promotion), L = 7 (BETA: 7 days beats
    // ACME's 10): ROP = ceil(6/28 x 2 x 7) = 3; suggest max(20, 3 + 3 + 26) = 32.
    REQUIRE(v.card->reorder);
    CHECK(ui::reorderText(*v.card->reorder) ==
          std::vector<std::string>{"REORDER 32 from BETA (lead 7 days)", "projected -26 <= reorder point 3, demand 0.21/day x 2.00 promotion"});
    REQUIRE(v.card->fastMover);
    CHECK(ui::fastMoverText(*v.card->fastMover) == "FAST MOVER #1: 6 units picked in 28 days");
    s.frame(); // the card with its reorder band drawn, no ImGui assertion

    // The day of the pick itself is outside its own window: no fast mover then.
    s.options().todayText = "2026-12-04";
    s.tap("Home");
    s.scan(uitest::kMug); // on Home: opens the Stock screen and MUG's card
    REQUIRE(v.card);
    CHECK_FALSE(v.card->fastMover);
    REQUIRE(v.card->reorder);
    CHECK(v.card->reorder->dailyDemand == "0.21"); // SO-1 (2026-11-20) is still in [2026-11-06, 2026-12-04)

    // A pulled promotion without a valid factor is refused and nothing of its pull is kept.
    protocol::Changes bad;
    bad.entries = {{4, "promotion", R"({"id":3,"sku":"MUG","factor":"lots","until":"2026-12-31"})"}};
    bad.nextCursor = 4;
    auto refused = s.store().applyChanges(bad, device("HH-01"));
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code == "bad_log_entry");
    CHECK(*s.store().syncCursor() == 3);
}

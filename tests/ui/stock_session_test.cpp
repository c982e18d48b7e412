// Stock screen (issue 12 item 7) headless: the card's texts, 100k rows clipped to what is in
// sight, and the real UiSession: a product by scan (also from Home) or by search, with on hand
// by location and lot, allocated, free, held and the lines waiting for it.

#include "ui/SessionHarness.h"

#include "ui/StockScreen.h"

using namespace backfill;
using backfill::uitest::SessionHarness;
using backfill::uitest::UiHarness;

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
    for (int i = 0; i < 100000; ++i) view.hits.push_back({"SKU-" + std::to_string(i), "product"});
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

#pragma once
// Stock (issue 12 item 7): a product by scan or search; its card: on hand, allocated, free,
// held, quarantined and expired units, then on hand by location and lot, then the order
// lines waiting for it with their state ("backordered, ETA 2026-12-12", "out of stock"), then
// the inbound supply still due (ASN and purchase lines: ETA, supplier, units, a late one marked).
// Below the summary: the product's reorder state (issue 13: projected units against the reorder
// point, and what to order from whom when it needs reordering) and, for the 20 fastest movers,
// their rank by units picked over the demand window; the search's hits mark them too.
// Long lists are virtualised with ImGuiListClipper: only the rows in sight are laid out, so a
// product in 100k locations draws as fast as one in ten.

#include "ui/ScreenParts.h"

#include <optional>
#include <string>
#include <vector>

namespace backfill::ui {

struct StockHit {
    std::string sku;
    std::string description;
    std::optional<long long> fastRank; // among the 20 fastest movers
};

// ReorderInfo is a product's replenishment decision (ledger::Replenishment) as the card
// shows it.
struct ReorderInfo {
    bool reorder = false;        // projected <= reorder point
    long long projected = 0;     // on hand + inbound - allocated - waiting
    long long reorderPoint = 0;
    long long suggestedQty = 0;  // 0 unless reorder
    std::optional<std::string> supplier; // the best supplier; none: the catalog's lead time
    long long leadTimeDays = 0;
    std::string dailyDemand;     // "1.50"
    std::string uplift;          // a promotion's factor ("1.5"); empty when none is active
};

// FastMover: the product's rank by units picked over the window, when it is among the 20.
struct FastMover {
    long long rank = 0;
    long long units = 0;
    long long windowDays = 0;
};

struct StockLotRow {
    std::string location;
    std::optional<std::string> lot;
    std::optional<std::string> expiry; // YYYY-MM-DD
    long long qty = 0;
    long long held = 0;
};

struct WaitingLine {
    std::string orderId;
    long long line = 0;
    std::string customer;
    long long qty = 0;
    long long allocated = 0;
    std::string state;               // ledger::lineStateName: backordered, out_of_stock, ...
    std::optional<std::string> eta;  // YYYY-MM-DD
};

// InboundRow: an open inbound line of the product.
struct InboundRow {
    std::string eta;       // YYYY-MM-DD
    std::string inboundId;
    std::string supplier;
    std::string sscc;      // "" for loose units
    long long due = 0;     // units still to come
    bool late = false;     // the ETA is before today
};

struct StockCard {
    std::string sku;
    std::string description;
    long long onHand = 0;
    long long allocated = 0;
    long long free = 0;
    long long held = 0;
    long long quarantined = 0;
    long long expired = 0;
    std::optional<ReorderInfo> reorder;
    std::optional<FastMover> fastMover;
    std::vector<StockLotRow> locations;
    std::vector<WaitingLine> waiting;
    std::vector<InboundRow> inbound;
};

struct StockView {
    std::string operatorName;
    long long unsynced = -1;
    std::vector<StockHit> hits;     // the search's products
    std::optional<StockCard> card;  // the product shown
    std::string loading;            // the sku whose card is being read ("" when none)
    Outcome last;
};

struct StockInput {
    char query[64] = {};
};

struct StockIntent {
    enum class Kind { None, Home, Search, Open, Back, Acknowledge } kind = Kind::None;
    std::string query; // Search
    size_t index = 0;  // Open: the hit tapped
};

// stockSummary: "on hand 15  allocated 7  free 8" and "held 1  quarantined 0  expired 0".
std::vector<std::string> stockSummary(const StockCard& card);
// reorderText: "REORDER 40 from ACME (lead 5 days)" with "projected 12 <= reorder point 30,
// demand 1.50/day x 1.50 promotion", or "Stock OK" with "projected 55 > reorder point 30, ...";
// at the point with nothing to order (no supplier's minimum, no demand): "At the reorder
// point, nothing to order".
std::vector<std::string> reorderText(const ReorderInfo& info);
// fastMoverText: "FAST MOVER #3: 120 units picked in 28 days".
std::string fastMoverText(const FastMover& mover);
// hitText: "MUG  Mug, white" and "  FAST #3" for a fast mover.
std::string hitText(const StockHit& hit);
// stockLotText: "A1  LOT L7  exp 2027-03-01  10 (1 held)".
std::string stockLotText(const StockLotRow& row);
// waitingText: "SO-1 line 2  Acme  5 of 7 allocated  backordered, ETA 2026-12-12".
std::string waitingText(const WaitingLine& line);

// inboundText: "ETA 2026-12-12  ASN-7001  CleanPro  20 due", with "  pallet SSCC" for a
// pallet's line and "  LATE" when the ETA has passed.
std::string inboundText(const InboundRow& row);

// drawStockScreen: typing into the search field returns Search with the text (each edit);
// a hit returns Open; Back (on a card) returns to the hits; Home.
StockIntent drawStockScreen(const StockView& view, StockInput& input, const UiContext& ctx);

} // namespace backfill::ui

#pragma once
// Put away / move (issue 12 item 4): the put-away list with suggested bins, a bin scan to
// confirm (a bin other than the suggested one asks once: scanning it again puts there), and
// free moves between any two locations (from, product, to), which is also how a supervisor
// releases stock from quarantine. Scans are applied by the app (UiSession), which fills the
// view; the screen draws it and returns what was tapped.

#include "ui/ScreenParts.h"

#include <optional>
#include <string>
#include <vector>

namespace backfill::ui {

// PutawayItem is one put-away row: `qty` unallocated units of sku (lot) waiting at `from`.
struct PutawayItem {
    std::string sku;
    std::optional<std::string> lot;
    std::string from;
    long long qty = 0;
    std::optional<std::string> suggest; // the suggested storage bin; nullopt: none
};

// FreeMove is a free move being put together, step by step (from, product, to).
struct FreeMove {
    std::string from;               // empty: not scanned yet
    std::string sku;                // empty: no product yet
    long long qty = 0;              // units, from the labels scanned or the keypad
    std::optional<std::string> lot; // from the label
};

struct PutawayView {
    std::string operatorName;
    long long unsynced = -1;
    std::vector<PutawayItem> items;
    std::optional<size_t> active;        // the row being put away
    std::optional<std::string> otherBin; // a bin other than the suggested one, scanned once
    std::optional<FreeMove> freeMove;    // set: free-move mode
    bool loading = false;                // the list is being read: the one shown is the last read
                                         // ("Loading ..."; the app takes no row or list scan)
    bool recording = false;              // a move is in flight: "Recording ...", only Home acts
                                         // (the app refuses scans)
    Outcome last;
};

struct PutawayInput {
    bool qtySheet = false; // the keypad sheet for a free move's quantity is open
    std::string digits;
};

struct PutawayIntent {
    enum class Kind { None, Home, Select, FreeMove, List, Cancel, SetQty, Acknowledge } kind = Kind::None;
    size_t index = 0;  // Select: the row tapped
    long long qty = 0; // SetQty
};

// putawayRowText: "6 x MUG-0108  LOT L7  DOCK-1 -> A-01-02" ("-> ?" without a suggestion).
std::string putawayRowText(const PutawayItem& item);

// putawayPrompt is the next step in words: "Tap a line or scan a product", "Scan bin A-01-02",
// "Scan A-02-01 again to put there, or scan A-01-02", "Scan a bin for MUG-0108" ("Loading ..."
// while the list is read); in a free move "Scan the location to move from", "Scan the product
// at A-01-01", "Scan where 6 x MUG-0108 go".
std::string putawayPrompt(const PutawayView& view);

// drawPutawayScreen: rows return Select; the bar has Home, "Free move" (or "Put-away list" in
// a free move) and Cancel (drops the row chosen or the free move's steps); in a free move
// with a product, "Qty" opens the keypad sheet whose OK returns SetQty.
PutawayIntent drawPutawayScreen(const PutawayView& view, PutawayInput& input, const UiContext& ctx);

} // namespace backfill::ui

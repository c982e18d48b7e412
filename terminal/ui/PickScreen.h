#pragma once
// Pick (issue 12 item 5): the pick list grouped by order, in path sequence; one task at a time,
// large: location, product, quantity, FEFO lot, customer and order. "Scan location", then
// "scan product" (a wrong location, product or lot is refused with the reason, by the app),
// then the quantity on the keypad when more than one; Short records a short pick with a reason
// chosen from a list and the units found; Skip goes to the next task.

#include "ui/ScreenParts.h"

#include <optional>
#include <string>
#include <vector>

namespace backfill::ui {

// PickTask is one take of the pick list: `qty` units of an order line's sku (lot) at
// `location`.
struct PickTask {
    std::string orderId;
    std::string customer;
    std::optional<std::string> stage;
    long long line = 0;
    std::string sku;
    std::string location;
    std::optional<std::string> lot;
    std::optional<std::string> expiry; // YYYY-MM-DD
    long long qty = 0;
};

enum class PickStep { Location, Product, Quantity, Short };

struct ReasonChoice {
    std::string code;
    std::string description;
};

struct PickView {
    std::string operatorName;
    long long unsynced = -1;
    std::vector<PickTask> tasks;         // grouped by order, each order's takes in path order
    std::optional<size_t> current;       // the task shown large
    PickStep step = PickStep::Location;
    std::vector<ReasonChoice> reasons;   // short reasons, for the Short step
    bool loading = false;                // the pick list is being read: the one shown is the last
                                         // read, no task is acted on ("Loading ...", Short and
                                         // Skip disabled; the app refuses scans)
    bool recording = false;              // a write is in flight: "Recording ...", no task is acted
                                         // on (as while loading; the app refuses scans)
    Outcome last;
};

struct PickInput {
    std::string digits; // the keypad (units taken, or units found for a short)
    std::string reason; // the short reason chosen
};

struct PickIntent {
    enum class Kind { None, Home, Select, Confirm, Short, ShortConfirm, Skip, Cancel, Acknowledge } kind = Kind::None;
    size_t index = 0;   // Select
    long long qty = 0;  // Confirm: units taken; ShortConfirm: units found
    std::string reason; // ShortConfirm
};

// pickTaskText is a list row: "A1  7 x MUG  LOT L7".
std::string pickTaskText(const PickTask& task);
// pickOrderText is a group header: "SO-1  Acme  stage OUT1".
std::string pickOrderText(const PickTask& task);
// pickLotText: "LOT L7  expires 2027-03-01 (first to take)", or "" without a lot.
std::string pickLotText(const PickTask& task);
// pickPrompt: "Scan location A1", "Scan product MUG", "Units taken (7 to take)", "Short: units
// found and a reason", "Nothing to pick"; "Loading ..." while the list is read (the font atlas
// holds Latin-1 only, so three dots rather than an ellipsis).
std::string pickPrompt(const PickView& view);

// drawPickScreen: list rows return Select; the Quantity step (a modal sheet: the task in one
// line, the keypad) returns Confirm with the units on OK; Short returns Short (the app moves
// to the Short step: reason rows and the keypad for the units found, "Record short" returns
// ShortConfirm once a reason is chosen); Skip, Cancel (back to the location step) and Home.
PickIntent drawPickScreen(const PickView& view, PickInput& input, const UiContext& ctx);

} // namespace backfill::ui

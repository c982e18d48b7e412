#pragma once
// Count (issue 12 item 6): choose a location (scan it, or tap an open count task), scan each
// product there and key in what was counted, blind (the book is never shown to the counter),
// and submit. A count the ledger wants again comes back in amber ("Recount") with the product
// kept; a count beyond the threshold waits for a supervisor. A supervisor's approval queue
// lists the pending counts with their book and variance; each is approved with an adjust
// reason code chosen from the list, or rejected.

#include "ui/PickScreen.h" // ReasonChoice
#include "ui/ScreenParts.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace backfill::ui {

// CountTaskItem is an open count task (raised by a short pick).
struct CountTaskItem {
    std::string location;
    std::string sku;
    std::string reason;
};

// PendingCount is a count waiting for a supervisor (only supervisors see book and variance).
struct PendingCount {
    int64_t countId = 0;
    std::string sku;
    std::string location;
    std::optional<std::string> lot;
    long long counted = 0;
    long long book = 0;
    long long variance = 0;
    std::string operatorName;
};

struct CountView {
    std::string operatorName;
    long long unsynced = -1;
    std::vector<CountTaskItem> tasks;
    std::string location;            // empty: choose one
    std::string sku;                 // empty: scan a product
    std::optional<std::string> lot;
    bool recount = false;            // the product is asked for again (amber)
    std::vector<std::string> done;   // this visit's counts: "MUG: 12 counted"
    bool mayApprove = false;         // the Approvals button is shown
    bool approvals = false;          // the approval queue is open
    std::vector<PendingCount> pending;
    std::optional<size_t> chosen;    // the pending count chosen
    std::vector<ReasonChoice> adjustReasons;
    bool starting = false;           // the count's basis is being read for the location chosen:
                                     // "Starting the count at A1 ...", the keypad's OK disabled
    bool recording = false;          // a write is in flight: "Recording ...", only Home acts (the
                                     // app refuses scans)
    Outcome last;
};

struct CountInput {
    std::string digits;
    std::string reason; // the adjust reason chosen in the approval queue
};

struct CountIntent {
    enum class Kind { None, Home, SelectTask, Submit, CancelProduct, Done, Approvals, Back, SelectPending, Approve, Reject, Acknowledge } kind =
        Kind::None;
    size_t index = 0;   // SelectTask, SelectPending
    long long qty = 0;  // Submit
    std::string reason; // Approve
};

// countTaskText: "A1  TEA  (NOT_FOUND)". pendingText: "#3  A1  MUG  counted 9, book 12 (-3)  by ana".
std::string countTaskText(const CountTaskItem& task);
std::string pendingText(const PendingCount& p);
// countPrompt: "Scan a location to count, or tap a task", "Starting the count at A1 ...",
// "Scan a product at A1", "Count MUG at A1", "Recount MUG at A1", "Choose a count to decide", "Approve with a reason, or reject".
std::string countPrompt(const CountView& view);

CountIntent drawCountScreen(const CountView& view, CountInput& input, const UiContext& ctx);

} // namespace backfill::ui

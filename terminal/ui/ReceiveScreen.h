#pragma once
// Receive: the last scan's result, large, with its allocation decision; a refused scan in red
// until a tap acknowledges it; this terminal's latest receipts below (issue 12 item 3). Scans
// do not pass through this screen: the app receives them (the same store and workflow code as
// `backfill receive`) and puts the outcome into ReceiveView.

#include "ui/UiContext.h"
#include "ui/Widgets.h"

#include <optional>
#include <string>
#include <vector>

namespace backfill::ui {

// ReceiveAllocation: `qty` units of a receipt line went to a waiting order line.
struct ReceiveAllocation {
    long long qty = 0;
    std::string orderId;
    std::string customer;             // empty when unknown
    std::optional<std::string> stage; // the order's staging lane
};

// ReceiveLine is one product line of an accepted receipt.
struct ReceiveLine {
    std::string sku;
    long long qty = 0;
    std::optional<std::string> lot;
    std::string location;
    std::vector<ReceiveAllocation> allocations;
    long long toStock = 0;
    long long overReceipt = 0; // units beyond the announced quantity
};

// ReceiveResult is the outcome of the last scan: Accepted with its lines, Refused with the
// refusal's code and message (unknown_gtin, sscc_received, ...), or Attention (a double read
// shown but not applied).
struct ReceiveResult {
    Feedback feedback = Feedback::None;
    std::string scan;
    std::vector<ReceiveLine> lines;
    std::string code;
    std::string message;
    bool acknowledged = false; // a refusal stays until acknowledged
    // behind: results of later scans that came while this refusal waited for its tap (queued
    // behind a write; UiSession shows them once it is acknowledged).
    int behind = 0;
};

// RecentReceipt is one line of this terminal's history (store::latestActions, kind receive).
struct RecentReceipt {
    long long eventId = 0;
    std::string time; // "09:42" (UTC)
    std::string sku;
    long long qty = 0;
    std::optional<std::string> lot;
    std::string location;
    std::optional<std::string> sscc;
    bool undo = false; // a receipt taken back (its units negative)
};

// ExpectedPallet is a pallet an ASN announced and this terminal has not received: its lines
// are what the receiver should find on it.
struct ExpectedPallet {
    std::string sscc;
    std::string inboundId;
    std::string supplier;
    std::string eta; // YYYY-MM-DD
    std::vector<std::pair<std::string, long long>> lines; // sku, qty
};

struct ReceiveView {
    std::string location;
    std::string operatorName;
    long long unsynced = -1;
    std::optional<ReceiveResult> last;
    std::vector<RecentReceipt> recent; // newest first
    std::vector<ExpectedPallet> expected; // by ETA
    bool correctable = false;          // the last receipt is loose units whose quantity may be corrected
    std::string correctWhat;           // its words on the sheet: "MUG (scanned 12)"
    int recording = 0;                 // writes in flight: "Recording ..." until each result comes
};

struct ReceiveInput {
    bool undoArmed = false;  // "Undo" was tapped once: the button asks for a second tap
    bool correcting = false; // the quantity sheet is open
    std::string digits;      // its digits
};

struct ReceiveIntent {
    enum class Kind { None, Home, Acknowledge, Undo, Correct } kind = Kind::None;
    long long qty = 0; // Correct: the units received in fact
};

// allocationText is the decision line of one receipt line: "5 -> SO-1042 Acme, stage OUT-1;
// 7 -> stock" (parts joined by "; ", customer and stage only when known; "12 -> stock" when
// nothing was allocated; over-receipts add "(3 over the ASN)").
std::string allocationText(const ReceiveLine& line);

// allocationParts gives the parts of allocationText, one per order line and "N -> stock",
// over-receipt note included in the last.
std::vector<std::string> allocationParts(const ReceiveLine& line);

// resultHeadline is the first line of an accepted line: "12 x SKU-1  LOT L7".
std::string resultHeadline(const ReceiveLine& line);

// recentText is one row of the list: "09:42  12 x SKU-1  LOT L7  at DOCK", an undo
// "09:43  -12 x SKU-1  at DOCK  taken back".
std::string recentText(const RecentReceipt& r);

// expectedRows is the list's part for the expected pallets: per pallet "ETA 2026-12-01  ASN-7001
// CleanPro" and "SSCC 095011010000042001", then one row per line "  27 x CLN-0101".
std::vector<std::string> expectedRows(const std::vector<ExpectedPallet>& pallets);

// recordingText: "Recording ..." for one write in flight, "Recording ... (3 in line)" for more.
std::string recordingText(int inFlight);

// drawReceiveScreen: the header, the band of the last result (while writes are in flight and
// no result came since the last scan, "Recording ..."; a result with more in flight has
// recordingText below it) (its lines and decisions, or the
// refusal with "Tap to acknowledge" while not acknowledged: returns Acknowledge), one clipped
// list (rows of metrics.rowPx) of the pallets expected with their lines, then the latest
// receipts, and the bottom bar: Home returns Home; "Undo last"
// asks once ("Tap again to undo", any other tap disarms it), then returns Undo; "Correct qty"
// (while the view is correctable) opens the quantity sheet ("Received", the keypad, OK /
// Cancel), whose OK returns Correct with the units.
ReceiveIntent drawReceiveScreen(const ReceiveView& view, ReceiveInput& input, const UiContext& ctx);

} // namespace backfill::ui

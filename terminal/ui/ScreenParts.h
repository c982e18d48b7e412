#pragma once
// Parts the workflow screens share (put away, pick, count, stock): the outcome band of the
// last action, the prompt of what to scan next, tappable list rows and the quantity sheet
// (UI.md: "Numeric keypad: a bottom sheet with 3x4 keys, a big display, OK / Cancel").

#include "ui/UiContext.h"
#include "ui/Widgets.h"

#include <string>
#include <vector>

namespace backfill::ui {

// Outcome is the result of the last scan or action on a screen: green with what was done,
// amber when something needs attention (a recount, a bin that is not the suggested one), red
// with the refusal's stable code and message, which stays until a tap acknowledges it.
struct Outcome {
    Feedback feedback = Feedback::None;
    std::string title;              // large: "6 x MUG-0108 -> A-01-02"
    std::vector<std::string> lines; // body text below it
    std::string code;               // a refusal's code (wrong_lot, insufficient_stock, ...)
    bool acknowledged = false;
};

// refusal builds a red outcome "code: message" (title: the code's words, lines: the message).
Outcome refusal(const std::string& code, const std::string& message);

// needsAck: a refusal not acknowledged yet.
bool needsAck(const Outcome& outcome);

// drawOutcome draws the band (at most maxHeight high); a refusal not yet acknowledged adds
// "Tap to acknowledge" below it and returns true when that is tapped.
bool drawOutcome(const UiContext& ctx, const Outcome& outcome, float maxHeight);

// drawPrompt draws the next step ("Scan bin A-01-02") in the result font.
void drawPrompt(const UiContext& ctx, const std::string& text);

// kRecordingPrompt is what a screen says while a write it asked for is in flight (three dots:
// the font atlas holds Latin-1 only).
inline constexpr const char* kRecordingPrompt = "Recording ...";

// touchRow is a full-width, left-aligned tappable row metrics.rowPx high (label found by its
// text before "##"). `chosen` marks it with "> " and the active colour (a word, not only a
// colour).
bool touchRow(const UiContext& ctx, const std::string& text, const std::string& id, bool chosen = false);

// SheetKey is what a tap on the quantity sheet did.
enum class SheetKey { None, Edited, Ok, Cancel };

// drawQtySheet draws `label` with `digits` large, the 3x4 keypad and OK / Cancel. OK (named
// `okLabel`) is disabled while digits is empty or `okEnabled` is false.
SheetKey drawQtySheet(const UiContext& ctx, const char* id, const std::string& label, std::string& digits,
                      const char* okLabel = "OK", bool okEnabled = true);

// digitsValue reads the keypad's digits (0 when empty).
long long digitsValue(const std::string& digits);

// bottomBar positions the cursor for a row of `count` buttons at the bottom of the window
// and gives the width of each.
float bottomBar(const UiContext& ctx, int count);

// listHeight is the height left for a list above a bottom bar of one row.
float listHeight(const UiContext& ctx);

} // namespace backfill::ui

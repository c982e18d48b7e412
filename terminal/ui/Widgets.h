#pragma once
// Touch widgets shared by the screens: buttons never smaller than the minimum target, the
// header bar of every screen, the colour band of a result and the numeric keypad (UI.md).
// Immediate mode: each call draws one frame's worth and reports what was tapped.

#include "ui/UiContext.h"

#include <string>
#include <string_view>
#include <vector>

namespace backfill::ui {

// Feedback is the result class of the last scan or action (UI.md: green accepted, amber
// needs attention, red refused). Colour is never the only signal: each has a word.
enum class Feedback { None, Accepted, Attention, Refused };

// feedbackColor gives the band colour; feedbackWord the word shown with it
// ("ACCEPTED", "CHECK", "REFUSED").
ImVec4 feedbackColor(Feedback feedback);
const char* feedbackWord(Feedback feedback);

// touchButton is ImGui::Button at least metrics.minTargetPx in both directions (a size of 0
// in a direction means: the minimum, or the label's width if larger). Logged as a target.
bool touchButton(const UiContext& ctx, const char* label, ImVec2 size = ImVec2(0, 0));

// touchTile is a large button whose face holds `title` in the result font and `lines` below
// it in the body font, centred (a Home tile). `id` is its ImGui id; it is logged as a target
// labelled title and lines joined by newlines.
bool touchTile(const UiContext& ctx, const char* id, std::string_view title, const std::vector<std::string>& lines, ImVec2 size);

// beginScreen opens the full-window ImGui window of a screen (no title bar, no move, no
// resize); endScreen closes it. Always pair them. beginScreen first lets a finger's drag
// scroll the list under it (updateTouchScroll, ui/TouchScroll.h), so call it before any other
// window of the frame.
void beginScreen(const char* id);
void endScreen();

// HeaderInfo is the top line of every screen: "RECEIVE  DOCK        ana  * 3".
struct HeaderInfo {
    std::string_view title;
    std::string_view context;      // e.g. the location or ASN; may be empty
    std::string_view operatorName; // empty before sign-in
    long long unsynced = -1;       // ops waiting for the server; < 0: not shown
};
void drawHeader(const UiContext& ctx, const HeaderInfo& info);

// drawBand draws a full-width colour band with the feedback word and `text` in the result
// font (dark text on the band's light colour).
void drawBand(const UiContext& ctx, Feedback feedback, std::string_view text);

// BandLine is one line of a result band: large (result font) or body text, wrapped.
struct BandLine {
    std::string text;
    bool large = false;
};

// drawBandLines draws the band with the feedback word and `lines`, at most `maxHeight` high:
// a longer result (a pallet of many lines) scrolls inside the band.
void drawBandLines(const UiContext& ctx, Feedback feedback, const std::vector<BandLine>& lines, float maxHeight);

// operatorInput: the operator touched the screen or typed this frame (a button or wheel
// held, a character or key queued): what keeps a session from signing out when idle.
bool operatorInput();

// KeypadKey is what one keypad tap did.
enum class KeypadKey { None, Digit, Clear, Back };

// drawKeypad draws a 3x4 keypad (1-9, C, 0, <) of keys at least metrics.keypadKeyPx filling
// the available width, editing `digits` (at most maxDigits). Returns the key tapped.
KeypadKey drawKeypad(const UiContext& ctx, const char* id, std::string& digits, size_t maxDigits);

} // namespace backfill::ui

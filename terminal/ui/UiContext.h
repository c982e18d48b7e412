#pragma once
// UiContext is what every screen draws with besides its own view and input: the touch
// metrics, the fonts the platform loaded, and (for tests and audits) a log of the touch
// targets drawn this frame.

#include "ui/TouchMetrics.h"

#include <imgui.h>

#include <string>
#include <vector>

namespace backfill::ui {

// UiFonts: the two sizes of DejaVu Sans the platform loaded (platform/Fonts.h). A null font
// means ImGui's current font.
struct UiFonts {
    ImFont* body = nullptr;   // TouchMetrics::fontPx
    ImFont* result = nullptr; // TouchMetrics::resultFontPx, bold
};

// TouchTarget is one tappable control as laid out this frame: its label (the text before any
// "##") and its rectangle in screen pixels.
struct TouchTarget {
    std::string label;
    ImVec2 min;
    ImVec2 max;
    float width() const { return max.x - min.x; }
    float height() const { return max.y - min.y; }
};

struct UiContext {
    TouchMetrics metrics;
    UiFonts fonts;
    // targets: when set, every touch control appends itself here (the caller clears it per
    // frame). Headless tests find a widget by label through it.
    std::vector<TouchTarget>* targets = nullptr;
    // link: the sync link's state in words ("online", "offline", ...) for every screen's
    // header; null when the terminal is not enrolled (nothing to show).
    const char* link = nullptr;
    // notice: a platform condition every header shows in words ("NO SOUND" without a sound
    // device); null for none.
    const char* notice = nullptr;
    // busy: work the operator waits for that no screen shows itself ("reading scan ..." while
    // a scan's meaning is read off the main thread); every header shows it; null for none.
    const char* busy = nullptr;
};

} // namespace backfill::ui

#pragma once
// TouchMetrics: every size a gloved hand depends on, in one place (STYLE.md 14, UI.md). The
// screens take their sizes from it and nowhere else; applyTouchStyle puts it into ImGui's
// style once per context. tests/ui checks that every target a screen draws is at least
// minTargetPx.

namespace backfill::ui {

// The reference device: a 480x800 portrait handheld at 160 dpi is scale 1.
inline constexpr float kReferenceWidth = 480.0f;
inline constexpr float kReferenceHeight = 800.0f;

struct TouchMetrics {
    float scale = 1.0f;
    float minTargetPx = 56.0f;  // the smallest tap target (issue 12: >= 56 px at scale 1)
    float keypadKeyPx = 64.0f;  // a numeric keypad key (UI.md: at least 64 px)
    float spacingPx = 10.0f;    // between targets, so a glove does not press two
    float fontPx = 22.0f;       // body text (UI.md: at least 22 px at 160 dpi)
    float resultFontPx = 36.0f; // the last scan's result (UI.md: 32-40 px)
    float rowPx = 64.0f;        // one row of a list (UI.md: 64 px rows)
    // A scrollbar is a target like any other: as wide as minTargetPx (a tap on its track jumps
    // there), and its grab at least minTargetPx long however long the list (ImGui's
    // GrabMinSize).
    float scrollbarPx = 56.0f;
    // A finger that moves this far from where it pressed drags (scrolls the list under it)
    // instead of tapping (ui/TouchScroll.h); a quarter of minTargetPx, so a glove's wobble on a
    // row is still a tap.
    float dragStartPx = 14.0f;
};

// touchMetricsFor gives the metrics at `scale` (every size multiplied by it). A scale of 0 or
// less, or not a number, is taken as 1.
TouchMetrics touchMetricsFor(float scale);

// scaleForWindow is the scale of a window of width x height pixels against the 480x800
// reference: the smaller of the two ratios (a 1080x1920 window gives 2.25), at least 0.5.
float scaleForWindow(int width, int height);

// applyTouchStyle sets the current ImGui context's style (padding, spacing, scrollbar and
// its grab, rounding, colours: dark text on light, UI.md "Look") and its drag threshold
// (io.MouseDragThreshold = dragStartPx) from `metrics`. Call it once after creating the
// context, before the first frame.
void applyTouchStyle(const TouchMetrics& metrics);

} // namespace backfill::ui

#pragma once
// TouchScroll: a finger dragging a list scrolls it (issue 12 item 9). Dear ImGui 1.86 scrolls
// only by wheel and scrollbar, and a finger that presses a row, slides and lets go would tap
// that row, since the row slides along under the finger. beginScreen runs this once per frame,
// before any window is begun, so every list on every screen (put-away, pick, stock hits and
// card, count, the sync inbox, a long result band) scrolls this way with no code of its own.
//
// Rules:
// - A press that moves io.MouseDragThreshold (TouchMetrics::dragStartPx, applyTouchStyle) or
//   more from where it went down becomes a drag, if the window under the press, or the
//   nearest window above it that can scroll vertically (the climb ImGui's wheel makes), can
//   scroll. The window scrolls by the finger's vertical distance from the press point, the
//   part below the threshold included: dragging up by N px scrolls N px further down (whole
//   pixels, as ImGui floors every scroll position), clamped to [0, max]; at an end the content
//   holds, and it follows again as soon as the finger turns back.
// - Once it is a drag, nothing under the finger can be tapped until the next press: the drag
//   takes ImGui's active id (so no button is held, hovered or pressed on release), keeps it
//   through the release frame and gives it up on the frame after.
// - A press that moves less stays an ordinary tap. So does a press in a window with nothing to
//   scroll (as on Android: a small slide on a button still presses it).
// - A press on a scrollbar drags the scrollbar; a press in a text field selects text.
// - A drag that ImGui sees only as its release (the press and a long move and the release all
//   between two frames) scrolls and is no tap either.
//
// States of a press (all transitions in updateTouchScroll, which reads ImGui's io and active
// id at the start of a frame):
//
//     idle --press--> pressed (ImGui's: a button, a window's move id, or nothing)
//     pressed --moved >= threshold, scrollable--> dragging (active id = the drag's)
//     pressed --release--> idle (ImGui decides whether it was a tap)
//     pressed --released >= threshold away, scrollable--> released   (scrolled once)
//     dragging --finger moves--> dragging (scrolls)
//     dragging --release--> released (active id kept: the release is nobody's tap)
//     released --next frame, or a new press--> idle (active id cleared)

namespace backfill::ui {

// updateTouchScroll applies the rules above to the current ImGui context. Call it once per
// frame after ImGui::NewFrame and before the frame's first ImGui::Begin (beginScreen does);
// a second call in the same frame changes nothing.
void updateTouchScroll();

// touchScrolling: a drag holds the press (from the frame it started to its release frame).
bool touchScrolling();

} // namespace backfill::ui

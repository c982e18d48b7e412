#pragma once
// QuitConfirm: "Quit Backfill?" with Stay and Quit (issue 12 item 10). No control quits the
// terminal without this question: closing the window from the window manager opens it
// (platform::Window's close callback -> UiSession::requestClose), Quit ends the frame loop,
// Stay closes the dialog and leaves the screen below as it was.
//
// Drawn after the screen, as a window over all of it: the screen below gets no hover and no
// tap while the dialog is open (ImGui hovers the topmost window only). Both buttons are
// metrics.minTargetPx high at least and half the dialog wide, spaced by metrics.spacingPx.

#include "ui/UiContext.h"

namespace backfill::ui {

struct QuitConfirmIntent {
    enum class Kind { None, Stay, Quit } kind = Kind::None;
};

// kQuitTitle is the question shown in the result font.
inline constexpr const char* kQuitTitle = "Quit Backfill?";

// drawQuitConfirm draws the dialog over the current screen; returns Stay or Quit when tapped.
QuitConfirmIntent drawQuitConfirm(const UiContext& ctx);

} // namespace backfill::ui

#pragma once
// WedgeInput hands the wedge detector's output (scan/Wedge.h) to the frame: scans come back
// to the caller, who gives them to the current screen's owner; ordinary typing goes into
// ImGui's input queue as if it had never been held. Every key the window system delivers
// goes through the wedge first, so a scan is captured on every screen with no field focused
// and none of its characters ever reach a text field.
//
// ImGui 1.86 sees key presses only as io.KeysDown[] levels, read once per frame, so a typed
// Enter, Tab, Backspace or other key is held down for one frame and released at the start of
// the next (deliver() releases the previous frame's keys first). Two presses of the same key
// held back to one frame count as one.

#include "scan/Wedge.h"

#include <imgui.h>

#include <vector>

namespace backfill::ui {

class WedgeInput {
public:
    // deliver releases the keys pressed by the previous call, then sends `outputs` (in order)
    // to `io`: characters with AddInputCharacter, Enter / Tab / Backspace through io.KeyMap,
    // other keys by their own code (the window system's key code given to the wedge). It
    // returns the scans, in order.
    std::vector<scan::Scan> deliver(const std::vector<scan::WedgeOutput>& outputs, ImGuiIO& io);

    // pressedKeys says whether keys are held down for this frame: the loop must draw another
    // frame to release them.
    bool pressedKeys() const { return !m_pressed.empty(); }

private:
    void press(ImGuiIO& io, int code);
    std::vector<int> m_pressed;
};

} // namespace backfill::ui

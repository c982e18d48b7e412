#include "ui/TouchScroll.h"

#include <imgui.h>
#include <imgui_internal.h>

namespace backfill::ui {

namespace {

// The drag holds ImGui's active id under this id; ImGui's ActiveIdWindow is the window it
// scrolls, and that window's state storage keeps the drag's anchor under the same id.
ImGuiID dragId() { return ImHashStr("##backfill-touch-scroll"); }

// scrollTarget: the window a drag from `window` scrolls, or null. The same climb as ImGui's
// wheel (UpdateMouseWheel): a child that cannot scroll hands the drag to its parent.
ImGuiWindow* scrollTarget(ImGuiWindow* window)
{
    while (window && (window->Flags & ImGuiWindowFlags_ChildWindow) &&
           (window->ScrollMax.y <= 0.0f || (window->Flags & ImGuiWindowFlags_NoScrollWithMouse)))
        window = window->ParentWindow;
    if (!window || window->ScrollMax.y <= 0.0f) return nullptr;
    if (window->Flags & (ImGuiWindowFlags_NoScrollWithMouse | ImGuiWindowFlags_NoMouseInputs)) return nullptr;
    return window;
}

// ownsTheDrag: the press belongs to a control that makes its own use of a moving finger.
bool ownsTheDrag(const ImGuiContext& g)
{
    if (g.ActiveId == 0) return false;
    if (g.ActiveIdSource != ImGuiInputSource_Mouse) return true;
    if (g.ActiveId == g.InputTextState.ID) return true; // selecting text
    ImGuiWindow* w = g.ActiveIdWindow;
    return w && (g.ActiveId == ImGui::GetWindowScrollbarID(w, ImGuiAxis_Y) || g.ActiveId == ImGui::GetWindowScrollbarID(w, ImGuiAxis_X));
}

// follow scrolls `target` so the content under the press point stays under the finger. The
// anchor is the scroll at which the finger would be back on the press point; it moves only
// when the scroll is clamped at an end, so the content follows as soon as the finger turns.
// Absolute from the press point rather than per-frame deltas: no rounding drift.
void follow(ImGuiWindow* target, ImGuiID id)
{
    const ImGuiIO& io = ImGui::GetIO();
    if (!ImGui::IsMousePosValid(&io.MousePos)) return;
    const float moved = io.MouseClickedPos[0].y - io.MousePos.y; // finger up: scroll down
    const float anchor = target->StateStorage.GetFloat(id, target->Scroll.y);
    const float want = anchor + moved;
    const float got = ImClamp(want, 0.0f, target->ScrollMax.y);
    target->StateStorage.SetFloat(id, anchor + (got - want));
    ImGui::SetScrollY(target, got);
}

void startDrag(ImGuiContext& g, ImGuiWindow* target, ImGuiID id)
{
    target->StateStorage.SetFloat(id, target->Scroll.y);
    // Taking the active id is what cancels the tap: ButtonBehavior presses on release only
    // the button that holds it, and hovers nothing while another id holds it.
    ImGui::SetActiveID(id, target);
    // A window focused during the drag (a scan opening another screen) must not hand the
    // rest of it, and its release, to whatever lies under the finger there.
    g.ActiveIdNoClearOnFocusLoss = true;
    follow(target, id);
}

} // namespace

void updateTouchScroll()
{
    ImGuiContext& g = *ImGui::GetCurrentContext();
    const ImGuiIO& io = g.IO;
    const ImGuiID id = dragId();

    if (g.ActiveId == id) {
        if (io.MouseDown[0] && !io.MouseClicked[0] && g.ActiveIdWindow) {
            ImGui::KeepAliveID(id);
            follow(g.ActiveIdWindow, id);
            return;
        }
        if (io.MouseReleased[0]) {
            ImGui::KeepAliveID(id); // the release frame: nobody's tap
            return;
        }
        ImGui::ClearActiveID(); // the frame after, or a new press: ordinary input again
    }

    const float threshold = io.MouseDragThreshold;
    bool dragged = false;
    if (io.MouseDown[0]) {
        dragged = ImGui::IsMouseDragging(ImGuiMouseButton_Left);
    } else if (io.MouseReleased[0] && ImGui::IsMousePosValid(&io.MousePos)) {
        // ImGui updates the drag distance only while the button is down: a press that moved
        // and was released between two frames shows here only.
        const ImVec2 d(io.MousePos.x - io.MouseClickedPos[0].x, io.MousePos.y - io.MouseClickedPos[0].y);
        dragged = d.x * d.x + d.y * d.y >= threshold * threshold;
    }
    if (!dragged || ownsTheDrag(g)) return;
    ImGuiWindow* target = scrollTarget(g.ActiveId != 0 && g.ActiveIdWindow ? g.ActiveIdWindow : g.HoveredWindow);
    if (!target) return;
    startDrag(g, target, id);
}

bool touchScrolling()
{
    const ImGuiContext* g = ImGui::GetCurrentContext();
    return g && g->ActiveId == dragId();
}

} // namespace backfill::ui

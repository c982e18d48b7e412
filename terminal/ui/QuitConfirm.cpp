#include "ui/QuitConfirm.h"

#include "ui/Widgets.h"

#include <algorithm>

namespace backfill::ui {

QuitConfirmIntent drawQuitConfirm(const UiContext& ctx)
{
    QuitConfirmIntent intent;
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    const TouchMetrics& m = ctx.metrics;
    // A full-window layer dims the screen and takes every hover, so nothing below is tapped.
    ImGui::SetNextWindowPos(vp->Pos);
    ImGui::SetNextWindowSize(vp->Size);
    ImGui::SetNextWindowFocus();
    ImGui::PushStyleColor(ImGuiCol_WindowBg, ImVec4(0.0f, 0.0f, 0.0f, 0.45f));
    constexpr ImGuiWindowFlags layerFlags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                                            ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoScrollWithMouse;
    ImGui::Begin("##quit_layer", nullptr, layerFlags);
    ImGui::PopStyleColor();

    // The dialog: centred, as wide as the window allows less a margin.
    ImFont* large = ctx.fonts.result ? ctx.fonts.result : ImGui::GetFont();
    const float pad = m.spacingPx * 2;
    const float width = std::min(vp->Size.x - 2 * m.spacingPx, std::max(vp->Size.x * 0.85f, 2 * m.minTargetPx + 3 * pad));
    const float buttonH = std::max(m.minTargetPx, m.keypadKeyPx);
    const float gap = ImGui::GetStyle().ItemSpacing.y;
    constexpr const char* kWhat = "Quit closes the terminal; scans are no longer taken. Stay keeps working.";
    const float textH = ImGui::CalcTextSize(kWhat, nullptr, false, width - 2 * pad).y;
    // Padding, title, the words below it, a spacer and the buttons, each followed by a gap.
    const float height = 2 * pad + large->FontSize + gap + textH + gap + m.spacingPx + gap + buttonH + m.spacingPx;
    ImGui::SetCursorScreenPos(ImVec2(vp->Pos.x + (vp->Size.x - width) / 2, vp->Pos.y + (vp->Size.y - height) / 2));
    ImGui::PushStyleColor(ImGuiCol_ChildBg, ImGui::GetStyleColorVec4(ImGuiCol_PopupBg));
    ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(pad, pad));
    ImGui::BeginChild("##quit_dialog", ImVec2(width, height), true, ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse);
    ImGui::PushFont(large);
    ImGui::TextUnformatted(kQuitTitle);
    ImGui::PopFont();
    ImGui::PushTextWrapPos(0.0f); // wrap at the dialog's edge
    ImGui::TextUnformatted(kWhat);
    ImGui::PopTextWrapPos();
    ImGui::Dummy(ImVec2(0, m.spacingPx));
    const float buttonW = (ImGui::GetContentRegionAvail().x - m.spacingPx) / 2;
    if (touchButton(ctx, "Stay", ImVec2(buttonW, buttonH))) intent.kind = QuitConfirmIntent::Kind::Stay;
    ImGui::SameLine(0, m.spacingPx);
    if (touchButton(ctx, "Quit", ImVec2(buttonW, buttonH))) intent.kind = QuitConfirmIntent::Kind::Quit;
    ImGui::EndChild();
    ImGui::PopStyleVar();
    ImGui::PopStyleColor();
    ImGui::End();
    return intent;
}

} // namespace backfill::ui

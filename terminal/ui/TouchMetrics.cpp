#include "ui/TouchMetrics.h"

#include <imgui.h>

#include <algorithm>
#include <cmath>

namespace backfill::ui {

TouchMetrics touchMetricsFor(float scale)
{
    if (!(scale > 0.0f) || !std::isfinite(scale)) scale = 1.0f;
    TouchMetrics m;
    m.scale = scale;
    m.minTargetPx *= scale;
    m.keypadKeyPx *= scale;
    m.spacingPx *= scale;
    m.fontPx *= scale;
    m.resultFontPx *= scale;
    m.rowPx *= scale;
    m.scrollbarPx *= scale;
    m.dragStartPx *= scale;
    return m;
}

float scaleForWindow(int width, int height)
{
    if (width <= 0 || height <= 0) return 1.0f;
    const float s = std::min(static_cast<float>(width) / kReferenceWidth, static_cast<float>(height) / kReferenceHeight);
    return std::max(s, 0.5f);
}

void applyTouchStyle(const TouchMetrics& m)
{
    ImGuiStyle style;
    ImGui::StyleColorsLight(&style);
    style.WindowPadding = ImVec2(m.spacingPx, m.spacingPx);
    style.FramePadding = ImVec2(m.spacingPx, m.spacingPx * 0.8f);
    style.ItemSpacing = ImVec2(m.spacingPx, m.spacingPx);
    style.ItemInnerSpacing = ImVec2(m.spacingPx * 0.6f, m.spacingPx * 0.6f);
    style.TouchExtraPadding = ImVec2(m.spacingPx * 0.3f, m.spacingPx * 0.3f);
    style.ScrollbarSize = m.scrollbarPx;
    style.GrabMinSize = m.minTargetPx;
    style.FrameRounding = 6.0f * m.scale;
    style.WindowRounding = 0.0f;
    style.WindowBorderSize = 0.0f;
    style.FrameBorderSize = 1.0f;
    // Strong contrast in bright halls (WCAG AA): near-black text on white, buttons a
    // visible grey-blue with a dark border.
    ImVec4* c = style.Colors;
    c[ImGuiCol_Text] = ImVec4(0.05f, 0.05f, 0.07f, 1.0f);
    c[ImGuiCol_TextDisabled] = ImVec4(0.35f, 0.35f, 0.38f, 1.0f);
    c[ImGuiCol_WindowBg] = ImVec4(0.98f, 0.98f, 0.97f, 1.0f);
    c[ImGuiCol_Border] = ImVec4(0.25f, 0.27f, 0.32f, 1.0f);
    c[ImGuiCol_Button] = ImVec4(0.80f, 0.86f, 0.94f, 1.0f);
    c[ImGuiCol_ButtonHovered] = ImVec4(0.72f, 0.80f, 0.92f, 1.0f);
    c[ImGuiCol_ButtonActive] = ImVec4(0.55f, 0.68f, 0.88f, 1.0f);
    c[ImGuiCol_ScrollbarGrab] = ImVec4(0.45f, 0.48f, 0.55f, 1.0f);
    ImGui::GetStyle() = style;
    ImGui::GetIO().MouseDragThreshold = m.dragStartPx;
}

} // namespace backfill::ui

#include "ui/ScreenParts.h"

#include <algorithm>

namespace backfill::ui {

namespace {
constexpr size_t kMaxQtyDigits = 6;
}

Outcome refusal(const std::string& code, const std::string& message)
{
    Outcome o;
    o.feedback = Feedback::Refused;
    o.code = code;
    o.title = code;
    o.lines = {message};
    return o;
}

bool needsAck(const Outcome& outcome) { return outcome.feedback == Feedback::Refused && !outcome.acknowledged; }

bool drawOutcome(const UiContext& ctx, const Outcome& outcome, float maxHeight)
{
    if (outcome.feedback == Feedback::None && outcome.title.empty()) return false;
    std::vector<BandLine> lines;
    if (!outcome.title.empty()) lines.push_back({outcome.title, true});
    for (const auto& l : outcome.lines) lines.push_back({l, false});
    drawBandLines(ctx, outcome.feedback, lines, maxHeight);
    return needsAck(outcome) && touchButton(ctx, "Tap to acknowledge", ImVec2(ImGui::GetContentRegionAvail().x, 0));
}

void drawPrompt(const UiContext& ctx, const std::string& text)
{
    if (ctx.fonts.result) ImGui::PushFont(ctx.fonts.result);
    ImGui::TextWrapped("%s", text.c_str());
    if (ctx.fonts.result) ImGui::PopFont();
}

bool touchRow(const UiContext& ctx, const std::string& text, const std::string& id, bool chosen)
{
    const std::string label = (chosen ? "> " : "") + text + "##" + id;
    if (chosen) ImGui::PushStyleColor(ImGuiCol_Button, ImGui::GetStyleColorVec4(ImGuiCol_ButtonActive));
    ImGui::PushStyleVar(ImGuiStyleVar_ButtonTextAlign, ImVec2(0.0f, 0.5f));
    const bool tapped = touchButton(ctx, label.c_str(), ImVec2(ImGui::GetContentRegionAvail().x, ctx.metrics.rowPx));
    ImGui::PopStyleVar();
    if (chosen) ImGui::PopStyleColor();
    return tapped;
}

SheetKey drawQtySheet(const UiContext& ctx, const char* id, const std::string& label, std::string& digits, const char* okLabel,
                      bool okEnabled)
{
    SheetKey key = SheetKey::None;
    ImGui::PushID(id);
    drawPrompt(ctx, label + "  " + (digits.empty() ? std::string("_") : digits));
    if (drawKeypad(ctx, "keys", digits, kMaxQtyDigits) != KeypadKey::None) key = SheetKey::Edited;
    const float spacing = ctx.metrics.spacingPx;
    const float half = (ImGui::GetContentRegionAvail().x - spacing) / 2.0f;
    const bool ready = okEnabled && !digits.empty();
    ImGui::BeginDisabled(!ready);
    if (touchButton(ctx, okLabel, ImVec2(half, 0)) && ready) key = SheetKey::Ok;
    ImGui::EndDisabled();
    ImGui::SameLine(0, spacing);
    if (touchButton(ctx, "Cancel", ImVec2(half, 0))) key = SheetKey::Cancel;
    ImGui::PopID();
    return key;
}

long long digitsValue(const std::string& digits)
{
    long long v = 0;
    for (char c : digits)
        if (c >= '0' && c <= '9') v = v * 10 + (c - '0');
    return v;
}

float bottomBar(const UiContext& ctx, int count)
{
    const float barH = ctx.metrics.minTargetPx;
    ImGui::SetCursorPosY(std::max(ImGui::GetCursorPosY(), ImGui::GetWindowHeight() - barH - ImGui::GetStyle().WindowPadding.y));
    const float spacing = ctx.metrics.spacingPx;
    return (ImGui::GetContentRegionAvail().x - spacing * static_cast<float>(count - 1)) / static_cast<float>(std::max(count, 1));
}

float listHeight(const UiContext& ctx)
{
    return std::max(ctx.metrics.rowPx, ImGui::GetContentRegionAvail().y - ctx.metrics.minTargetPx - 2 * ctx.metrics.spacingPx);
}

} // namespace backfill::ui

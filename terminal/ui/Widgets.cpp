#include "ui/Widgets.h"

#include "ui/TouchScroll.h"

#include <algorithm>
#include <cstdio>

namespace backfill::ui {

ImVec4 feedbackColor(Feedback feedback)
{
    switch (feedback) {
    case Feedback::Accepted: return ImVec4(0.55f, 0.85f, 0.55f, 1.0f);
    case Feedback::Attention: return ImVec4(1.00f, 0.80f, 0.35f, 1.0f);
    case Feedback::Refused: return ImVec4(0.97f, 0.50f, 0.48f, 1.0f);
    case Feedback::None: break;
    }
    return ImVec4(0.90f, 0.91f, 0.93f, 1.0f);
}

const char* feedbackWord(Feedback feedback)
{
    switch (feedback) {
    case Feedback::Accepted: return "ACCEPTED";
    case Feedback::Attention: return "CHECK";
    case Feedback::Refused: return "REFUSED";
    case Feedback::None: break;
    }
    return "";
}

bool touchButton(const UiContext& ctx, const char* label, ImVec2 size)
{
    const float min = ctx.metrics.minTargetPx;
    const ImVec2 text = ImGui::CalcTextSize(label, nullptr, true);
    const ImVec2 pad = ImGui::GetStyle().FramePadding;
    if (size.x <= 0) size.x = std::max(min, text.x + 2 * pad.x);
    if (size.y <= 0) size.y = std::max(min, text.y + 2 * pad.y);
    size.x = std::max(size.x, min);
    size.y = std::max(size.y, min);
    const bool pressed = ImGui::Button(label, size);
    if (ctx.targets) {
        const std::string_view text(label);
        ctx.targets->push_back({std::string(text.substr(0, text.find("##"))), ImGui::GetItemRectMin(), ImGui::GetItemRectMax()});
    }
    return pressed;
}

bool touchTile(const UiContext& ctx, const char* id, std::string_view title, const std::vector<std::string>& lines, ImVec2 size)
{
    size.x = std::max(size.x, ctx.metrics.minTargetPx);
    size.y = std::max(size.y, ctx.metrics.minTargetPx);
    const bool pressed = ImGui::Button(id, size);
    const ImVec2 min = ImGui::GetItemRectMin();
    const ImVec2 max = ImGui::GetItemRectMax();
    ImFont* large = ctx.fonts.result ? ctx.fonts.result : ImGui::GetFont();
    ImFont* body = ctx.fonts.body ? ctx.fonts.body : ImGui::GetFont();
    const float gap = ctx.metrics.spacingPx * 0.5f;
    float height = large->FontSize;
    for (size_t i = 0; i < lines.size(); ++i) height += gap + body->FontSize;
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImU32 ink = ImGui::GetColorU32(ImGuiCol_Text);
    float y = (min.y + max.y - height) / 2.0f;
    auto centred = [&](ImFont* font, std::string_view text) {
        const float w = font->CalcTextSizeA(font->FontSize, FLT_MAX, 0, text.data(), text.data() + text.size()).x;
        const float x = std::max(min.x + gap, (min.x + max.x - w) / 2.0f);
        dl->PushClipRect(min, max, true);
        dl->AddText(font, font->FontSize, ImVec2(x, y), ink, text.data(), text.data() + text.size());
        dl->PopClipRect();
        y += font->FontSize + gap;
    };
    centred(large, title);
    for (const auto& line : lines) centred(body, line);
    if (ctx.targets) {
        std::string label(title);
        for (const auto& line : lines) label += "\n" + line;
        ctx.targets->push_back({label, min, max});
    }
    return pressed;
}

void beginScreen(const char* id)
{
    // Every screen comes through here once per frame, before any of its windows begins: the
    // one place a drag can scroll any of them and cancel the tap under the finger.
    updateTouchScroll();
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    ImGui::SetNextWindowPos(vp->Pos);
    ImGui::SetNextWindowSize(vp->Size);
    constexpr ImGuiWindowFlags flags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                                       ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBringToFrontOnFocus;
    ImGui::Begin(id, nullptr, flags);
}

void endScreen() { ImGui::End(); }

void drawHeader(const UiContext& ctx, const HeaderInfo& info)
{
    ImGui::TextUnformatted(info.title.data(), info.title.data() + info.title.size());
    if (!info.context.empty()) {
        ImGui::SameLine();
        ImGui::TextUnformatted(info.context.data(), info.context.data() + info.context.size());
    }
    std::string right(info.operatorName);
    // The link's state is a word, not only a colour: "ana  online  unsent 0".
    if (ctx.link) right += (right.empty() ? "" : "  ") + std::string(ctx.link);
    if (ctx.notice) right += (right.empty() ? "" : "  ") + std::string(ctx.notice);
    if (ctx.busy) right += (right.empty() ? "" : "  ") + std::string(ctx.busy);
    if (info.unsynced >= 0) {
        char buf[48];
        std::snprintf(buf, sizeof buf, "%sunsent %lld", right.empty() ? "" : "  ", info.unsynced);
        right += buf;
    }
    if (!right.empty()) {
        const float w = ImGui::CalcTextSize(right.c_str()).x;
        ImGui::SameLine(std::max(ImGui::GetWindowContentRegionMax().x - w, ImGui::GetCursorPosX() + ctx.metrics.spacingPx));
        ImGui::TextUnformatted(right.c_str());
    }
    ImGui::Separator();
}

void drawBand(const UiContext& ctx, Feedback feedback, std::string_view text)
{
    const float width = ImGui::GetContentRegionAvail().x;
    ImFont* font = ctx.fonts.result ? ctx.fonts.result : ImGui::GetFont();
    const float lineH = font->FontSize;
    const float pad = ctx.metrics.spacingPx;
    const std::string word = feedbackWord(feedback);
    const ImVec2 textSize = font->CalcTextSizeA(font->FontSize, FLT_MAX, width - 2 * pad, text.data(), text.data() + text.size());
    const float height = pad * 3 + (word.empty() ? 0 : lineH) + textSize.y;
    const ImVec2 p = ImGui::GetCursorScreenPos();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->AddRectFilled(p, ImVec2(p.x + width, p.y + height), ImGui::GetColorU32(feedbackColor(feedback)));
    const ImU32 ink = ImGui::GetColorU32(ImGuiCol_Text);
    float y = p.y + pad;
    if (!word.empty()) {
        dl->AddText(font, font->FontSize, ImVec2(p.x + pad, y), ink, word.c_str());
        y += lineH + pad;
    }
    dl->AddText(font, font->FontSize, ImVec2(p.x + pad, y), ink, text.data(), text.data() + text.size(), width - 2 * pad);
    ImGui::Dummy(ImVec2(width, height));
}

void drawBandLines(const UiContext& ctx, Feedback feedback, const std::vector<BandLine>& lines, float maxHeight)
{
    const float width = ImGui::GetContentRegionAvail().x;
    const float pad = ctx.metrics.spacingPx;
    ImFont* large = ctx.fonts.result ? ctx.fonts.result : ImGui::GetFont();
    ImFont* body = ctx.fonts.body ? ctx.fonts.body : ImGui::GetFont();
    const float wrap = width - 2 * pad - ImGui::GetStyle().ScrollbarSize;
    float height = 2 * pad + large->FontSize + ImGui::GetStyle().ItemSpacing.y;
    for (const auto& line : lines) {
        ImFont* f = line.large ? large : body;
        height += f->CalcTextSizeA(f->FontSize, FLT_MAX, wrap, line.text.c_str()).y + ImGui::GetStyle().ItemSpacing.y;
    }
    height = std::min(height, std::max(maxHeight, large->FontSize * 2 + 2 * pad));
    ImGui::PushStyleColor(ImGuiCol_ChildBg, feedbackColor(feedback));
    ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(pad, pad));
    ImGui::BeginChild("##band", ImVec2(width, height), false, ImGuiWindowFlags_AlwaysUseWindowPadding);
    ImGui::PushFont(large);
    ImGui::TextUnformatted(feedbackWord(feedback));
    ImGui::PopFont();
    for (const auto& line : lines) {
        ImGui::PushFont(line.large ? large : body);
        ImGui::TextWrapped("%s", line.text.c_str());
        ImGui::PopFont();
    }
    ImGui::EndChild();
    ImGui::PopStyleVar();
    ImGui::PopStyleColor();
}

bool operatorInput()
{
    const ImGuiIO& io = ImGui::GetIO();
    if (io.InputQueueCharacters.Size > 0 || io.MouseWheel != 0.0f || io.MouseWheelH != 0.0f) return true;
    for (bool down : io.MouseDown)
        if (down) return true;
    for (bool down : io.KeysDown)
        if (down) return true;
    return false;
}

KeypadKey drawKeypad(const UiContext& ctx, const char* id, std::string& digits, size_t maxDigits)
{
    static constexpr const char* kLabels[12] = {"1", "2", "3", "4", "5", "6", "7", "8", "9", "C", "0", "<"};
    KeypadKey tapped = KeypadKey::None;
    ImGui::PushID(id);
    const float spacing = ctx.metrics.spacingPx;
    const float keyW = std::max(ctx.metrics.keypadKeyPx, (ImGui::GetContentRegionAvail().x - 2 * spacing) / 3.0f);
    const float keyH = ctx.metrics.keypadKeyPx;
    for (int i = 0; i < 12; ++i) {
        if (i % 3 != 0) ImGui::SameLine(0, spacing);
        if (!touchButton(ctx, kLabels[i], ImVec2(keyW, keyH))) continue;
        if (i == 9) {
            digits.clear();
            tapped = KeypadKey::Clear;
        } else if (i == 11) {
            if (!digits.empty()) digits.pop_back();
            tapped = KeypadKey::Back;
        } else {
            if (digits.size() < maxDigits) digits += kLabels[i];
            tapped = KeypadKey::Digit;
        }
    }
    ImGui::PopID();
    return tapped;
}

} // namespace backfill::ui

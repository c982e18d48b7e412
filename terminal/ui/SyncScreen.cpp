#include "ui/SyncScreen.h"

#include <algorithm>

namespace backfill::ui {

const char* linkWord(LinkState state)
{
    switch (state) {
    case LinkState::NotEnrolled: return "not enrolled";
    case LinkState::Connecting: return "connecting";
    case LinkState::Online: return "online";
    case LinkState::Offline: return "offline";
    }
    return "offline";
}

std::vector<std::string> syncStatusLines(const SyncView& view)
{
    std::vector<std::string> lines;
    lines.push_back("Unsent actions: " + std::to_string(std::max(view.unsynced, 0LL)));
    lines.push_back("Last sync: " + view.lastSync.value_or("never"));
    if (view.state == LinkState::NotEnrolled)
        lines.push_back("Not enrolled: ask a supervisor to run backfill enroll; this terminal works on its own until then");
    else
        lines.push_back("Server: " + view.server + " as " + view.device);
    if (!view.lastError.empty()) lines.push_back("Last attempt: " + view.lastError);
    return lines;
}

namespace {

// drawState: a full-width band, green online, grey otherwise, with the state in words.
void drawState(const SyncView& view, const UiContext& ctx)
{
    const Feedback f = view.state == LinkState::Online ? Feedback::Accepted : Feedback::None;
    std::string word = linkWord(view.state);
    for (char& c : word) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
    const float width = ImGui::GetContentRegionAvail().x;
    ImFont* font = ctx.fonts.result ? ctx.fonts.result : ImGui::GetFont();
    const float pad = ctx.metrics.spacingPx;
    const float height = font->FontSize + 2 * pad;
    const ImVec2 p = ImGui::GetCursorScreenPos();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->AddRectFilled(p, ImVec2(p.x + width, p.y + height), ImGui::GetColorU32(feedbackColor(f)));
    dl->AddText(font, font->FontSize, ImVec2(p.x + pad, p.y + pad), ImGui::GetColorU32(ImGuiCol_Text), word.c_str());
    ImGui::Dummy(ImVec2(width, height));
}

} // namespace

SyncIntent drawSyncScreen(const SyncView& view, SyncInput&, const UiContext& ctx)
{
    SyncIntent intent;
    beginScreen("##sync");
    drawHeader(ctx, {"SYNC", view.device, view.operatorName, view.unsynced});
    drawState(view, ctx);
    for (const auto& line : syncStatusLines(view)) ImGui::TextWrapped("%s", line.c_str());
    if (drawOutcome(ctx, view.last, ImGui::GetContentRegionAvail().y * 0.2f)) intent.kind = SyncIntent::Kind::AcknowledgeOutcome;
    ImGui::Separator();

    const bool chosen = view.chosen && *view.chosen < view.inbox.size();
    if (chosen) {
        // The chosen correction in full: what to do, large; the server's reason below.
        const SyncCorrectionRow& c = view.inbox[*view.chosen];
        drawPrompt(ctx, c.action);
        ImGui::TextWrapped("%s", c.reason.c_str());
        if (!view.mayAct) ImGui::TextWrapped("%s", view.whyNot.c_str());
        if (view.recording) drawPrompt(ctx, kRecordingPrompt);
        ImGui::BeginDisabled(!view.mayAct || view.recording);
        if (touchButton(ctx, "Acknowledge", ImVec2(ImGui::GetContentRegionAvail().x, 0)) && view.mayAct && !view.recording) {
            intent.kind = SyncIntent::Kind::Acknowledge;
            intent.index = *view.chosen;
        }
        ImGui::EndDisabled();
    }
    ImGui::Text("Corrections to act on (%zu)", view.inbox.size());
    ImGui::BeginChild("##inbox", ImVec2(ImGui::GetContentRegionAvail().x, listHeight(ctx)), false);
    ImGuiListClipper clipper;
    clipper.Begin(static_cast<int>(view.inbox.size()), ctx.metrics.rowPx + ImGui::GetStyle().ItemSpacing.y);
    while (clipper.Step())
        for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
            const auto index = static_cast<size_t>(i);
            const SyncCorrectionRow& c = view.inbox[index];
            if (touchRow(ctx, c.summary, "corr" + std::to_string(c.seq), chosen && *view.chosen == index)) {
                intent.kind = SyncIntent::Kind::Choose;
                intent.index = index;
            }
        }
    clipper.End();
    ImGui::EndChild();

    const float w = bottomBar(ctx, 2);
    if (touchButton(ctx, "Home", ImVec2(w, 0))) intent.kind = SyncIntent::Kind::Home;
    ImGui::SameLine(0, ctx.metrics.spacingPx);
    ImGui::BeginDisabled(view.state == LinkState::NotEnrolled);
    if (touchButton(ctx, "Sync now", ImVec2(w, 0)) && view.state != LinkState::NotEnrolled) intent.kind = SyncIntent::Kind::SyncNow;
    ImGui::EndDisabled();
    endScreen();
    return intent;
}

} // namespace backfill::ui

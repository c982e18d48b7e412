#include "ui/HomeScreen.h"

#include "ui/Widgets.h"

#include <algorithm>

namespace backfill::ui {

std::vector<HomeTile> homeTiles()
{
    return {
        {ScreenId::Receive, "Receive", std::nullopt, "pallets due", true},
        {ScreenId::Putaway, "Put away", std::nullopt, "to put away", true},
        {ScreenId::Pick, "Pick", std::nullopt, "lines to pick", true},
        {ScreenId::Count, "Count", std::nullopt, "counts due", true},
        {ScreenId::Stock, "Stock", std::nullopt, "", true},
        {ScreenId::Sync, "Sync", std::nullopt, "unsent", true},
    };
}

std::vector<std::string> tileLines(const HomeTile& tile)
{
    std::vector<std::string> lines;
    if (tile.waiting) lines.push_back(std::to_string(*tile.waiting) + (tile.waitingWord.empty() ? "" : " " + tile.waitingWord));
    if (!tile.built) lines.push_back("coming");
    return lines;
}

std::string tileLabel(const HomeTile& tile)
{
    std::string label = tile.title;
    for (const auto& line : tileLines(tile)) label += "\n" + line;
    return label;
}

HomeIntent drawHomeScreen(const HomeView& view, HomeInput&, const UiContext& ctx)
{
    HomeIntent intent;
    beginScreen("##home");
    drawHeader(ctx, {"HOME", "", view.operatorName, view.unsynced});
    if (view.message) drawBand(ctx, Feedback::Attention, *view.message);

    const float spacing = ctx.metrics.spacingPx;
    const float width = ImGui::GetContentRegionAvail().x;
    const float barH = ctx.metrics.minTargetPx;
    const int rows = static_cast<int>((view.tiles.size() + 1) / 2);
    const float avail = ImGui::GetContentRegionAvail().y - barH - 2 * spacing;
    const float tileW = (width - spacing) / 2.0f;
    const float tileH = std::max(ctx.metrics.minTargetPx * 2.0f, (avail - spacing * (rows - 1)) / std::max(rows, 1));
    for (size_t i = 0; i < view.tiles.size(); ++i) {
        const HomeTile& tile = view.tiles[i];
        if (i % 2 == 1) ImGui::SameLine(0, spacing);
        const std::string id = "##" + std::string(screenName(tile.screen));
        if (!tile.built) ImGui::PushStyleColor(ImGuiCol_Button, ImGui::GetStyleColorVec4(ImGuiCol_FrameBg));
        if (touchTile(ctx, id.c_str(), tile.title, tileLines(tile), ImVec2(tileW, tileH)) && tile.built) {
            intent.kind = HomeIntent::Kind::Open;
            intent.screen = tile.screen;
        }
        if (!tile.built) ImGui::PopStyleColor();
    }

    ImGui::SetCursorPosY(std::max(ImGui::GetCursorPosY(), ImGui::GetWindowHeight() - barH - ImGui::GetStyle().WindowPadding.y));
    if (touchButton(ctx, "Sign out", ImVec2(width, barH))) intent.kind = HomeIntent::Kind::SignOut;
    endScreen();
    return intent;
}

} // namespace backfill::ui

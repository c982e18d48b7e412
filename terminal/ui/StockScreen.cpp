#include "ui/StockScreen.h"

#include <algorithm>
#include <functional>

namespace backfill::ui {

std::vector<std::string> stockSummary(const StockCard& card)
{
    return {"on hand " + std::to_string(card.onHand) + "  allocated " + std::to_string(card.allocated) + "  free " +
                std::to_string(card.free),
            "held " + std::to_string(card.held) + "  quarantined " + std::to_string(card.quarantined) + "  expired " +
                std::to_string(card.expired)};
}

std::vector<std::string> reorderText(const ReorderInfo& info)
{
    std::string head;
    if (info.reorder && info.suggestedQty == 0) {
        head = "At the reorder point, nothing to order";
    } else if (info.reorder) {
        head = "REORDER " + std::to_string(info.suggestedQty);
        head += info.supplier ? " from " + *info.supplier + " (lead " : " (catalog lead ";
        head += std::to_string(info.leadTimeDays) + " days)";
    } else {
        head = "Stock OK";
    }
    std::string body = "projected " + std::to_string(info.projected) + (info.reorder ? " <= " : " > ") + "reorder point " +
                       std::to_string(info.reorderPoint) + ", demand " + info.dailyDemand + "/day";
    if (!info.uplift.empty()) body += " x " + info.uplift + " promotion";
    return {head, body};
}

std::string fastMoverText(const FastMover& mover)
{
    return "FAST MOVER #" + std::to_string(mover.rank) + ": " + std::to_string(mover.units) + " units picked in " +
           std::to_string(mover.windowDays) + " days";
}

std::string hitText(const StockHit& hit)
{
    std::string text = hit.sku + "  " + hit.description;
    if (hit.fastRank) text += "  FAST #" + std::to_string(*hit.fastRank);
    return text;
}

std::string stockLotText(const StockLotRow& row)
{
    std::string text = row.location;
    if (row.lot) text += "  LOT " + *row.lot;
    if (row.expiry) text += "  exp " + *row.expiry;
    text += "  " + std::to_string(row.qty);
    if (row.held > 0) text += " (" + std::to_string(row.held) + " held)";
    return text;
}

std::string waitingText(const WaitingLine& line)
{
    std::string state = line.state;
    for (char& c : state)
        if (c == '_') c = ' ';
    std::string text = line.orderId + " line " + std::to_string(line.line);
    if (!line.customer.empty()) text += "  " + line.customer;
    text += "  " + std::to_string(line.allocated) + " of " + std::to_string(line.qty) + " allocated  " + state;
    if (line.eta) text += ", ETA " + *line.eta;
    return text;
}

std::string inboundText(const InboundRow& row)
{
    std::string text = "ETA " + row.eta + "  " + row.inboundId;
    if (!row.supplier.empty()) text += "  " + row.supplier;
    text += "  " + std::to_string(row.due) + " due";
    if (!row.sscc.empty()) text += "  pallet " + row.sscc;
    if (row.late) text += "  LATE";
    return text;
}

namespace {

// drawCard: the summary, then one clipped list of the location rows, a header and the waiting
// lines (every row one text line high).
void drawCard(const StockCard& card, const UiContext& ctx)
{
    if (ctx.fonts.result) ImGui::PushFont(ctx.fonts.result);
    ImGui::TextUnformatted(card.sku.c_str());
    if (ctx.fonts.result) ImGui::PopFont();
    ImGui::TextWrapped("%s", card.description.c_str());
    for (const auto& line : stockSummary(card)) ImGui::TextUnformatted(line.c_str());
    // The reorder state in words first (UI.md: colour is never the only signal), amber when
    // the product needs reordering (a band behind the dark text of the light theme).
    if (card.reorder) {
        const auto lines = reorderText(*card.reorder);
        if (card.reorder->reorder && card.reorder->suggestedQty > 0) {
            const ImVec2 at = ImGui::GetCursorScreenPos();
            const ImVec2 end(at.x + ImGui::GetContentRegionAvail().x, at.y + ImGui::GetTextLineHeightWithSpacing());
            ImGui::GetWindowDrawList()->AddRectFilled(at, end, ImGui::GetColorU32(feedbackColor(Feedback::Attention)));
        }
        ImGui::TextUnformatted(lines[0].c_str());
        ImGui::TextWrapped("%s", lines[1].c_str());
    }
    if (card.fastMover) ImGui::TextUnformatted(fastMoverText(*card.fastMover).c_str());
    ImGui::Separator();
    // The list's sections, each a header row and its rows; a row's text is made only when the
    // clipper lays it out.
    struct Section {
        const char* title;
        size_t count;
        std::function<std::string(size_t)> row;
    };
    const Section sections[] = {
        {"By location", card.locations.size(), [&](size_t i) { return stockLotText(card.locations[i]); }},
        {"Waiting lines", card.waiting.size(), [&](size_t i) { return waitingText(card.waiting[i]); }},
        {"Inbound", card.inbound.size(), [&](size_t i) { return inboundText(card.inbound[i]); }},
    };
    size_t rows = 0;
    for (const auto& section : sections) rows += 1 + section.count;
    ImGui::BeginChild("##card", ImVec2(ImGui::GetContentRegionAvail().x, listHeight(ctx)), false);
    ImGuiListClipper clipper;
    clipper.Begin(static_cast<int>(rows), ImGui::GetTextLineHeightWithSpacing());
    while (clipper.Step())
        for (int r = clipper.DisplayStart; r < clipper.DisplayEnd; ++r) {
            auto i = static_cast<size_t>(r);
            for (const auto& section : sections) {
                if (i == 0) {
                    ImGui::Text("%s (%zu)", section.title, section.count);
                    break;
                }
                if (i - 1 < section.count) {
                    ImGui::TextUnformatted(section.row(i - 1).c_str());
                    break;
                }
                i -= 1 + section.count;
            }
        }
    clipper.End();
    ImGui::EndChild();
}

} // namespace

StockIntent drawStockScreen(const StockView& view, StockInput& input, const UiContext& ctx)
{
    StockIntent intent;
    beginScreen("##stock");
    drawHeader(ctx, {"STOCK", view.card ? std::string_view(view.card->sku) : std::string_view(), view.operatorName, view.unsynced});
    if (drawOutcome(ctx, view.last, ImGui::GetContentRegionAvail().y * 0.25f)) intent.kind = StockIntent::Kind::Acknowledge;
    const float width = ImGui::GetContentRegionAvail().x;

    if (view.card) {
        drawCard(*view.card, ctx);
    } else {
        drawPrompt(ctx, view.loading.empty() ? std::string("Scan a product, or search") : "Reading " + view.loading + " ...");
        // The field is as tall as any target, and has the keyboard whenever nothing else is
        // held, so typing needs no tap first (a scan never reaches it: WedgeInput).
        const float padY = std::max(ImGui::GetStyle().FramePadding.y, (ctx.metrics.minTargetPx - ImGui::GetFontSize()) / 2.0f);
        ImGui::PushStyleVar(ImGuiStyleVar_FramePadding, ImVec2(ImGui::GetStyle().FramePadding.x, padY));
        ImGui::SetNextItemWidth(width);
        if (!ImGui::IsAnyItemActive()) ImGui::SetKeyboardFocusHere();
        if (ImGui::InputTextWithHint("##query", "sku or name", input.query, sizeof input.query)) {
            intent.kind = StockIntent::Kind::Search;
            intent.query = input.query;
        }
        ImGui::PopStyleVar();
        if (ctx.targets) ctx.targets->push_back({"search", ImGui::GetItemRectMin(), ImGui::GetItemRectMax()});
        ImGui::BeginChild("##hits", ImVec2(width, listHeight(ctx)), false);
        ImGuiListClipper clipper;
        clipper.Begin(static_cast<int>(view.hits.size()), ctx.metrics.rowPx + ImGui::GetStyle().ItemSpacing.y);
        while (clipper.Step())
            for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
                const StockHit& hit = view.hits[static_cast<size_t>(i)];
                if (touchRow(ctx, hitText(hit), "hit" + std::to_string(i))) {
                    intent.kind = StockIntent::Kind::Open;
                    intent.index = static_cast<size_t>(i);
                }
            }
        clipper.End();
        ImGui::EndChild();
    }

    const float w = bottomBar(ctx, 2);
    if (touchButton(ctx, "Home", ImVec2(w, 0))) intent.kind = StockIntent::Kind::Home;
    ImGui::SameLine(0, ctx.metrics.spacingPx);
    ImGui::BeginDisabled(!view.card);
    if (touchButton(ctx, "Back", ImVec2(w, 0)) && view.card) intent.kind = StockIntent::Kind::Back;
    ImGui::EndDisabled();
    endScreen();
    return intent;
}

} // namespace backfill::ui

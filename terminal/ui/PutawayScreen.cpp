#include "ui/PutawayScreen.h"

namespace backfill::ui {

std::string putawayRowText(const PutawayItem& item)
{
    std::string text = std::to_string(item.qty) + " x " + item.sku;
    if (item.lot) text += "  LOT " + *item.lot;
    text += "  " + item.from + " -> " + (item.suggest ? *item.suggest : std::string("?"));
    return text;
}

std::string putawayPrompt(const PutawayView& view)
{
    if (view.recording) return kRecordingPrompt;
    if (view.freeMove) {
        const FreeMove& m = *view.freeMove;
        if (m.from.empty()) return "Scan the location to move from";
        if (m.sku.empty()) return "Scan the product at " + m.from;
        return "Scan where " + std::to_string(m.qty) + " x " + m.sku + " go";
    }
    if (view.loading) return "Loading ...";
    if (!view.active || *view.active >= view.items.size()) return "Tap a line or scan a product";
    const PutawayItem& item = view.items[*view.active];
    if (!item.suggest) return "Scan a bin for " + item.sku;
    if (view.otherBin) return "Scan " + *view.otherBin + " again to put there, or scan " + *item.suggest;
    return "Scan bin " + *item.suggest;
}

PutawayIntent drawPutawayScreen(const PutawayView& view, PutawayInput& input, const UiContext& ctx)
{
    PutawayIntent intent;
    beginScreen("##putaway");
    drawHeader(ctx, {"PUT AWAY", view.freeMove ? "free move" : "", view.operatorName, view.unsynced});
    if (drawOutcome(ctx, view.last, ImGui::GetContentRegionAvail().y * 0.3f)) intent.kind = PutawayIntent::Kind::Acknowledge;

    if (view.freeMove && input.qtySheet) {
        switch (drawQtySheet(ctx, "qty", "Units of " + view.freeMove->sku, input.digits)) {
        case SheetKey::Ok:
            intent.kind = PutawayIntent::Kind::SetQty;
            intent.qty = digitsValue(input.digits);
            input.qtySheet = false;
            break;
        case SheetKey::Cancel: input.qtySheet = false; break;
        default: break;
        }
        endScreen();
        return intent;
    }

    drawPrompt(ctx, putawayPrompt(view));
    const float width = ImGui::GetContentRegionAvail().x;
    if (view.freeMove) {
        const FreeMove& m = *view.freeMove;
        ImGui::Text("From: %s", m.from.empty() ? "-" : m.from.c_str());
        ImGui::Text("Product: %s", m.sku.empty() ? "-" : (std::to_string(m.qty) + " x " + m.sku + (m.lot ? "  LOT " + *m.lot : "")).c_str());
        if (!m.sku.empty() && touchButton(ctx, "Qty", ImVec2(width, 0))) {
            input.qtySheet = true;
            input.digits = std::to_string(m.qty);
        }
    } else {
        ImGui::Text("To put away (%zu)", view.items.size());
        ImGui::BeginChild("##items", ImVec2(width, listHeight(ctx)), false);
        ImGuiListClipper clipper;
        clipper.Begin(static_cast<int>(view.items.size()), ctx.metrics.rowPx + ImGui::GetStyle().ItemSpacing.y);
        while (clipper.Step())
            for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
                const auto index = static_cast<size_t>(i);
                if (touchRow(ctx, putawayRowText(view.items[index]), "row" + std::to_string(i), view.active == index)) {
                    intent.kind = PutawayIntent::Kind::Select;
                    intent.index = index;
                }
            }
        clipper.End();
        ImGui::EndChild();
    }

    const float w = bottomBar(ctx, 3);
    const float spacing = ctx.metrics.spacingPx;
    if (touchButton(ctx, "Home", ImVec2(w, 0))) intent.kind = PutawayIntent::Kind::Home;
    ImGui::SameLine(0, spacing);
    ImGui::BeginDisabled(view.recording); // a move in flight: only Home until its result comes
    if (view.freeMove) {
        if (touchButton(ctx, "Put-away list", ImVec2(w, 0))) intent.kind = PutawayIntent::Kind::List;
    } else if (touchButton(ctx, "Free move", ImVec2(w, 0))) {
        intent.kind = PutawayIntent::Kind::FreeMove;
    }
    ImGui::SameLine(0, spacing);
    if (touchButton(ctx, "Cancel", ImVec2(w, 0))) intent.kind = PutawayIntent::Kind::Cancel;
    ImGui::EndDisabled();
    endScreen();
    return intent;
}

} // namespace backfill::ui

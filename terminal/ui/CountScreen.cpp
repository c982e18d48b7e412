#include "ui/CountScreen.h"

namespace backfill::ui {

std::string countTaskText(const CountTaskItem& task)
{
    return task.location + "  " + task.sku + (task.reason.empty() ? "" : "  (" + task.reason + ")");
}

std::string pendingText(const PendingCount& p)
{
    std::string text = "#" + std::to_string(p.countId) + "  " + p.location + "  " + p.sku;
    if (p.lot) text += "  LOT " + *p.lot;
    text += "  counted " + std::to_string(p.counted) + ", book " + std::to_string(p.book) + " (" +
            (p.variance > 0 ? "+" : "") + std::to_string(p.variance) + ")";
    return text + "  by " + p.operatorName;
}

std::string countPrompt(const CountView& view)
{
    if (view.recording) return kRecordingPrompt;
    if (view.approvals) return view.chosen ? "Approve with a reason, or reject" : "Choose a count to decide";
    if (view.location.empty()) return "Scan a location to count, or tap a task";
    if (view.starting) return "Starting the count at " + view.location + " ...";
    if (view.sku.empty()) return "Scan a product at " + view.location;
    const std::string what = view.sku + (view.lot ? " LOT " + *view.lot : "") + " at " + view.location;
    return (view.recount ? "Recount " : "Count ") + what;
}

namespace {

void drawApprovals(const CountView& view, CountInput& input, CountIntent& intent, const UiContext& ctx)
{
    const float width = ImGui::GetContentRegionAvail().x;
    ImGui::Text("Waiting for a supervisor (%zu)", view.pending.size());
    const float listH = view.chosen ? ctx.metrics.rowPx * 2.5f : listHeight(ctx);
    ImGui::BeginChild("##pending", ImVec2(width, listH), false);
    ImGuiListClipper clipper;
    clipper.Begin(static_cast<int>(view.pending.size()), ctx.metrics.rowPx + ImGui::GetStyle().ItemSpacing.y);
    while (clipper.Step())
        for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
            const auto index = static_cast<size_t>(i);
            if (touchRow(ctx, pendingText(view.pending[index]), "pending" + std::to_string(i), view.chosen == index)) {
                intent.kind = CountIntent::Kind::SelectPending;
                intent.index = index;
            }
        }
    clipper.End();
    ImGui::EndChild();
    if (!view.chosen) return;
    ImGui::TextUnformatted("Reason");
    ImGui::BeginChild("##adjust", ImVec2(width, ctx.metrics.rowPx * 2.5f), false);
    for (const auto& r : view.adjustReasons)
        if (touchRow(ctx, r.code + "  " + r.description, "adjust-" + r.code, input.reason == r.code)) input.reason = r.code;
    ImGui::EndChild();
    const float spacing = ctx.metrics.spacingPx;
    const float half = (width - spacing) / 2.0f;
    ImGui::BeginDisabled(view.recording); // a decision in flight: no other until its result comes
    ImGui::BeginDisabled(input.reason.empty());
    if (touchButton(ctx, "Approve", ImVec2(half, 0)) && !input.reason.empty()) {
        intent.kind = CountIntent::Kind::Approve;
        intent.reason = input.reason;
    }
    ImGui::EndDisabled();
    ImGui::SameLine(0, spacing);
    if (touchButton(ctx, "Reject", ImVec2(half, 0))) intent.kind = CountIntent::Kind::Reject;
    ImGui::EndDisabled();
}

} // namespace

CountIntent drawCountScreen(const CountView& view, CountInput& input, const UiContext& ctx)
{
    CountIntent intent;
    beginScreen("##count");
    drawHeader(ctx, {view.approvals ? "APPROVE COUNTS" : "COUNT", view.location, view.operatorName, view.unsynced});
    if (drawOutcome(ctx, view.last, ImGui::GetContentRegionAvail().y * 0.25f)) intent.kind = CountIntent::Kind::Acknowledge;
    const float width = ImGui::GetContentRegionAvail().x;

    if (view.approvals) {
        drawPrompt(ctx, countPrompt(view));
        drawApprovals(view, input, intent, ctx);
        const float w = bottomBar(ctx, 2);
        if (touchButton(ctx, "Home", ImVec2(w, 0))) intent.kind = CountIntent::Kind::Home;
        ImGui::SameLine(0, ctx.metrics.spacingPx);
        if (touchButton(ctx, "Back", ImVec2(w, 0))) intent.kind = CountIntent::Kind::Back;
        endScreen();
        return intent;
    }

    if (!view.sku.empty()) {
        // A recount is a modal step in amber: the word says so, not only the colour.
        if (view.recount) drawBand(ctx, Feedback::Attention, countPrompt(view));
        if (view.recording && view.recount) drawPrompt(ctx, kRecordingPrompt);
        const SheetKey key =
            drawQtySheet(ctx, "counted", view.recount ? "Recounted" : "Counted", input.digits, "OK", !view.recording && !view.starting);
        if (key == SheetKey::Ok) {
            intent.kind = CountIntent::Kind::Submit;
            intent.qty = digitsValue(input.digits);
            input.digits.clear();
        } else if (key == SheetKey::Cancel) {
            intent.kind = CountIntent::Kind::CancelProduct;
            input.digits.clear();
        }
        if (!view.recount) drawPrompt(ctx, countPrompt(view));
        endScreen();
        return intent;
    }

    drawPrompt(ctx, countPrompt(view));
    if (view.location.empty()) {
        ImGui::Text("Open count tasks (%zu)", view.tasks.size());
        ImGui::BeginChild("##tasks", ImVec2(width, listHeight(ctx)), false);
        ImGuiListClipper clipper;
        clipper.Begin(static_cast<int>(view.tasks.size()), ctx.metrics.rowPx + ImGui::GetStyle().ItemSpacing.y);
        while (clipper.Step())
            for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i)
                if (touchRow(ctx, countTaskText(view.tasks[static_cast<size_t>(i)]), "task" + std::to_string(i))) {
                    intent.kind = CountIntent::Kind::SelectTask;
                    intent.index = static_cast<size_t>(i);
                }
        clipper.End();
        ImGui::EndChild();
    } else {
        ImGui::Text("Counted here (%zu)", view.done.size());
        for (const auto& d : view.done) ImGui::BulletText("%s", d.c_str());
    }

    const int buttons = view.mayApprove ? 3 : 2;
    const float w = bottomBar(ctx, buttons);
    const float spacing = ctx.metrics.spacingPx;
    if (touchButton(ctx, "Home", ImVec2(w, 0))) intent.kind = CountIntent::Kind::Home;
    ImGui::SameLine(0, spacing);
    ImGui::BeginDisabled(view.location.empty() || view.recording);
    if (touchButton(ctx, "Done here", ImVec2(w, 0)) && !view.location.empty()) intent.kind = CountIntent::Kind::Done;
    ImGui::EndDisabled();
    if (view.mayApprove) {
        ImGui::SameLine(0, spacing);
        const std::string label = "Approvals (" + std::to_string(view.pending.size()) + ")##approvals";
        ImGui::BeginDisabled(view.recording);
        if (touchButton(ctx, label.c_str(), ImVec2(w, 0))) intent.kind = CountIntent::Kind::Approvals;
        ImGui::EndDisabled();
    }
    endScreen();
    return intent;
}

} // namespace backfill::ui

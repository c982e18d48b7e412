#include "ui/PickScreen.h"

namespace backfill::ui {

std::string pickTaskText(const PickTask& task)
{
    std::string text = task.location + "  " + std::to_string(task.qty) + " x " + task.sku;
    if (task.lot) text += "  LOT " + *task.lot;
    return text;
}

std::string pickOrderText(const PickTask& task)
{
    std::string text = task.orderId;
    if (!task.customer.empty()) text += "  " + task.customer;
    if (task.stage) text += "  stage " + *task.stage;
    return text;
}

std::string pickLotText(const PickTask& task)
{
    if (!task.lot) return "";
    std::string text = "LOT " + *task.lot;
    if (task.expiry) text += "  expires " + *task.expiry;
    return text + " (first to take)";
}

std::string pickPrompt(const PickView& view)
{
    if (view.recording) return kRecordingPrompt;
    if (view.loading) return "Loading ...";
    if (!view.current || *view.current >= view.tasks.size()) return "Nothing to pick";
    const PickTask& t = view.tasks[*view.current];
    switch (view.step) {
    case PickStep::Location: return "Scan location " + t.location;
    case PickStep::Product: return "Scan product " + t.sku;
    case PickStep::Quantity: return "Units taken (" + std::to_string(t.qty) + " to take)";
    case PickStep::Short: return "Short: units found and a reason";
    }
    return "";
}

namespace {

void drawTaskCard(const PickTask& t, const UiContext& ctx)
{
    if (ctx.fonts.result) ImGui::PushFont(ctx.fonts.result);
    ImGui::TextUnformatted(t.location.c_str());
    ImGui::TextWrapped("%lld x %s", t.qty, t.sku.c_str());
    if (ctx.fonts.result) ImGui::PopFont();
    if (t.lot) ImGui::TextWrapped("%s", pickLotText(t).c_str());
    ImGui::TextWrapped("%s line %lld%s", t.orderId.c_str(), t.line, t.customer.empty() ? "" : ("  " + t.customer).c_str());
    if (t.stage) ImGui::Text("to stage %s", t.stage->c_str());
}

void drawTaskList(const PickView& view, PickIntent& intent, const UiContext& ctx)
{
    // One display row per order header and per task, all rowPx high, so the clipper can skip
    // what is out of sight.
    std::vector<std::pair<bool, size_t>> rows; // (header?, task index)
    for (size_t i = 0; i < view.tasks.size(); ++i) {
        if (i == 0 || view.tasks[i].orderId != view.tasks[i - 1].orderId) rows.push_back({true, i});
        rows.push_back({false, i});
    }
    ImGui::BeginChild("##tasks", ImVec2(ImGui::GetContentRegionAvail().x, listHeight(ctx)), false);
    const float rowH = ctx.metrics.rowPx + ImGui::GetStyle().ItemSpacing.y;
    ImGuiListClipper clipper;
    clipper.Begin(static_cast<int>(rows.size()), rowH);
    while (clipper.Step())
        for (int r = clipper.DisplayStart; r < clipper.DisplayEnd; ++r) {
            const auto [header, i] = rows[static_cast<size_t>(r)];
            if (header) {
                const float top = ImGui::GetCursorPosY();
                ImGui::SetCursorPosY(top + (ctx.metrics.rowPx - ImGui::GetTextLineHeight()) / 2.0f);
                ImGui::TextUnformatted(pickOrderText(view.tasks[i]).c_str());
                ImGui::SetCursorPosY(top + rowH);
                continue;
            }
            if (touchRow(ctx, pickTaskText(view.tasks[i]), "task" + std::to_string(i), view.current == i)) {
                intent.kind = PickIntent::Kind::Select;
                intent.index = i;
            }
        }
    clipper.End();
    ImGui::EndChild();
}

} // namespace

PickIntent drawPickScreen(const PickView& view, PickInput& input, const UiContext& ctx)
{
    PickIntent intent;
    beginScreen("##pick");
    const bool hasTask = view.current && *view.current < view.tasks.size();
    drawHeader(ctx, {"PICK", hasTask ? view.tasks[*view.current].orderId : std::string_view(), view.operatorName, view.unsynced});
    if (drawOutcome(ctx, view.last, ImGui::GetContentRegionAvail().y * 0.2f)) intent.kind = PickIntent::Kind::Acknowledge;

    if (hasTask && (view.step == PickStep::Quantity || view.step == PickStep::Short)) {
        // A modal step: the task in one line, then the keypad sheet (and the reasons).
        const PickTask& t = view.tasks[*view.current];
        ImGui::TextWrapped("%s", (pickTaskText(t) + "  " + t.orderId + " line " + std::to_string(t.line)).c_str());
        if (view.recording) drawPrompt(ctx, kRecordingPrompt);
        if (view.step == PickStep::Quantity) {
            const SheetKey key = drawQtySheet(ctx, "taken", "Taken of " + std::to_string(t.qty), input.digits, "OK", !view.recording);
            if (key == SheetKey::Ok) {
                intent.kind = PickIntent::Kind::Confirm;
                intent.qty = digitsValue(input.digits);
            } else if (key == SheetKey::Cancel) {
                intent.kind = PickIntent::Kind::Cancel;
            }
        } else {
            ImGui::TextUnformatted("Short: the reason");
            ImGui::BeginChild("##reasons", ImVec2(ImGui::GetContentRegionAvail().x, ctx.metrics.rowPx * 2.4f), false);
            for (const auto& r : view.reasons)
                if (touchRow(ctx, r.code + "  " + r.description, "reason-" + r.code, input.reason == r.code)) input.reason = r.code;
            ImGui::EndChild();
            const SheetKey key = drawQtySheet(ctx, "found", "Found", input.digits, "Record short", !input.reason.empty() && !view.recording);
            if (key == SheetKey::Ok) {
                intent.kind = PickIntent::Kind::ShortConfirm;
                intent.qty = digitsValue(input.digits);
                intent.reason = input.reason;
            } else if (key == SheetKey::Cancel) {
                intent.kind = PickIntent::Kind::Cancel;
            }
        }
        endScreen();
        return intent;
    }

    if (hasTask) drawTaskCard(view.tasks[*view.current], ctx);
    drawPrompt(ctx, pickPrompt(view));
    drawTaskList(view, intent, ctx);

    const float w = bottomBar(ctx, 3);
    const float spacing = ctx.metrics.spacingPx;
    if (touchButton(ctx, "Home", ImVec2(w, 0))) intent.kind = PickIntent::Kind::Home;
    ImGui::SameLine(0, spacing);
    const bool mayAct = hasTask && !view.loading && !view.recording; // no task of a list being replaced is acted on
    ImGui::BeginDisabled(!mayAct);
    if (touchButton(ctx, "Short", ImVec2(w, 0)) && mayAct) intent.kind = PickIntent::Kind::Short;
    ImGui::SameLine(0, spacing);
    if (touchButton(ctx, "Skip", ImVec2(w, 0)) && mayAct) intent.kind = PickIntent::Kind::Skip;
    ImGui::EndDisabled();
    endScreen();
    return intent;
}

} // namespace backfill::ui

#include "ui/ReceiveScreen.h"

#include "ui/ScreenParts.h"

#include <algorithm>

namespace backfill::ui {

std::vector<std::string> allocationParts(const ReceiveLine& line)
{
    std::vector<std::string> parts;
    for (const auto& a : line.allocations) {
        std::string p = std::to_string(a.qty) + " -> " + a.orderId;
        if (!a.customer.empty()) p += " " + a.customer;
        if (a.stage) p += ", stage " + *a.stage;
        parts.push_back(std::move(p));
    }
    if (line.toStock > 0 || line.allocations.empty()) parts.push_back(std::to_string(line.toStock) + " -> stock");
    if (line.overReceipt > 0) parts.back() += " (" + std::to_string(line.overReceipt) + " over the ASN)";
    return parts;
}

std::string allocationText(const ReceiveLine& line)
{
    std::string text;
    for (const auto& p : allocationParts(line)) text += (text.empty() ? "" : "; ") + p;
    return text;
}

std::string resultHeadline(const ReceiveLine& line)
{
    std::string text = std::to_string(line.qty) + " x " + line.sku;
    if (line.lot) text += "  LOT " + *line.lot;
    return text;
}

std::string recentText(const RecentReceipt& r)
{
    std::string text = r.time + "  " + std::to_string(r.qty) + " x " + r.sku;
    if (r.lot) text += "  LOT " + *r.lot;
    text += "  at " + r.location;
    if (r.undo) text += "  taken back";
    return text;
}

std::vector<std::string> expectedRows(const std::vector<ExpectedPallet>& pallets)
{
    std::vector<std::string> rows;
    for (const auto& p : pallets) {
        rows.push_back("ETA " + p.eta + "  " + p.inboundId + "  " + p.supplier);
        rows.push_back("SSCC " + p.sscc);
        for (const auto& [sku, qty] : p.lines) rows.push_back("    " + std::to_string(qty) + " x " + sku);
    }
    return rows;
}

std::string recordingText(int inFlight)
{
    if (inFlight <= 1) return kRecordingPrompt;
    return std::string(kRecordingPrompt) + " (" + std::to_string(inFlight) + " in line)";
}

ReceiveIntent drawReceiveScreen(const ReceiveView& view, ReceiveInput& input, const UiContext& ctx)
{
    ReceiveIntent intent;
    beginScreen("##receive");
    drawHeader(ctx, {"RECEIVE", view.location, view.operatorName, view.unsynced});
    const float width = ImGui::GetContentRegionAvail().x;
    const float spacing = ctx.metrics.spacingPx;

    if (!view.correctable) input.correcting = false;
    if (input.correcting) {
        // The quantity sheet over the screen: what was in fact received, in units.
        const SheetKey key = drawQtySheet(ctx, "received", "Received " + view.correctWhat, input.digits);
        if (key == SheetKey::Ok) {
            intent.kind = ReceiveIntent::Kind::Correct;
            intent.qty = digitsValue(input.digits);
        }
        if (key == SheetKey::Ok || key == SheetKey::Cancel) {
            input.correcting = false;
            input.digits.clear();
        }
        endScreen();
        return intent;
    }

    if (!view.last) {
        drawBand(ctx, Feedback::None, view.recording > 0 ? recordingText(view.recording) : "Scan a pallet label or a product");
    } else if (view.last->feedback == Feedback::Accepted) {
        std::vector<BandLine> lines;
        if (view.last->code == "corrected") lines.push_back({"corrected " + view.last->message, true});
        for (const auto& line : view.last->lines) {
            lines.push_back({resultHeadline(line), true});
            for (auto& part : allocationParts(line)) lines.push_back({std::move(part), false});
        }
        drawBandLines(ctx, Feedback::Accepted, lines, ImGui::GetContentRegionAvail().y * 0.55f);
    } else {
        const std::string text = view.last->code + ": " + view.last->message;
        drawBand(ctx, view.last->feedback, text);
        if (view.last->behind > 0)
            drawPrompt(ctx, "then " + std::to_string(view.last->behind) + (view.last->behind == 1 ? " more scan" : " more scans") +
                                ": tap to see");
        if (view.last->feedback == Feedback::Refused && !view.last->acknowledged &&
            touchButton(ctx, "Tap to acknowledge", ImVec2(width, 0)))
            intent.kind = ReceiveIntent::Kind::Acknowledge;
    }
    if (view.last && !view.last->scan.empty()) ImGui::TextDisabled("scan %s", view.last->scan.c_str());
    if (view.last && view.recording > 0) drawPrompt(ctx, recordingText(view.recording));

    ImGui::Separator();
    // One list: the pallets expected with their lines (what to look for on the dock), then
    // this terminal's latest receipts (what was recorded, also after a crash).
    const std::vector<std::string> expected = expectedRows(view.expected);
    const size_t rows = 1 + expected.size() + 1 + view.recent.size();
    const float barH = ctx.metrics.minTargetPx;
    const float listH = std::max(ctx.metrics.rowPx, ImGui::GetContentRegionAvail().y - barH - 2 * spacing);
    ImGui::BeginChild("##recent", ImVec2(width, listH), false);
    ImGuiListClipper clipper;
    clipper.Begin(static_cast<int>(rows), ctx.metrics.rowPx);
    while (clipper.Step()) {
        for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
            auto row = static_cast<size_t>(i);
            std::string text;
            if (row == 0) {
                text = "Pallets expected (" + std::to_string(view.expected.size()) + ")";
            } else if (row <= expected.size()) {
                text = expected[row - 1];
            } else if (row == expected.size() + 1) {
                text = "Latest receipts on this terminal (" + std::to_string(view.recent.size()) + ")";
            } else {
                text = recentText(view.recent[row - expected.size() - 2]);
            }
            const float top = ImGui::GetCursorPosY();
            ImGui::SetCursorPosY(top + (ctx.metrics.rowPx - ImGui::GetTextLineHeight()) / 2.0f);
            ImGui::TextUnformatted(text.c_str());
            ImGui::SetCursorPosY(top + ctx.metrics.rowPx);
        }
    }
    clipper.End();
    ImGui::EndChild();

    ImGui::SetCursorPosY(std::max(ImGui::GetCursorPosY(), ImGui::GetWindowHeight() - barH - ImGui::GetStyle().WindowPadding.y));
    const int buttons = view.correctable ? 3 : 2;
    const float half = (width - spacing * static_cast<float>(buttons - 1)) / static_cast<float>(buttons);
    if (touchButton(ctx, "Home", ImVec2(half, barH))) intent.kind = ReceiveIntent::Kind::Home;
    ImGui::SameLine(0, spacing);
    if (view.correctable) {
        if (touchButton(ctx, "Correct qty", ImVec2(half, barH))) {
            input.correcting = true;
            input.digits.clear();
            intent.kind = ReceiveIntent::Kind::None;
            input.undoArmed = false;
        }
        ImGui::SameLine(0, spacing);
    }
    if (input.undoArmed) ImGui::PushStyleColor(ImGuiCol_Button, feedbackColor(Feedback::Attention));
    const bool undoTapped = touchButton(ctx, input.undoArmed ? "Tap again to undo" : "Undo last", ImVec2(half, barH));
    if (input.undoArmed) ImGui::PopStyleColor();
    if (undoTapped) {
        if (input.undoArmed) intent.kind = ReceiveIntent::Kind::Undo;
        input.undoArmed = !input.undoArmed;
    } else if (intent.kind != ReceiveIntent::Kind::None) {
        input.undoArmed = false;
    }
    endScreen();
    return intent;
}

} // namespace backfill::ui

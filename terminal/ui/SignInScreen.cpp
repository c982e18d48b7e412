#include "ui/SignInScreen.h"

#include "ui/Widgets.h"

namespace backfill::ui {

const char* signInMessageTitle(const std::string& code)
{
    if (code == "bad_pin") return "Wrong PIN";
    if (code == "locked") return "Locked";
    if (code == "forbidden") return "Not allowed";
    if (code == "unknown_user") return "Unknown operator";
    if (code == "not_signed_in") return "Scan not taken";
    if (code == "signed_out_idle") return "Signed out";
    return "Cannot sign in";
}

SignInIntent drawSignInScreen(const SignInView& view, SignInInput& input, const UiContext& ctx)
{
    SignInIntent intent;
    beginScreen("##signin");
    drawHeader(ctx, {"SIGN IN", "", "", -1});

    if (view.checking) {
        drawBandLines(ctx, Feedback::None, {{kCheckingText, true}, {"signing in " + input.operatorName, false}},
                      ImGui::GetContentRegionAvail().y * 0.3f);
    } else if (view.message) {
        // An idle sign-out is a notice (amber), not a refusal.
        drawBandLines(ctx, view.message->code == "signed_out_idle" ? Feedback::Attention : Feedback::Refused,
                      {{signInMessageTitle(view.message->code), true}, {view.message->text, false}},
                      ImGui::GetContentRegionAvail().y * 0.3f);
    }

    // A sign-in being checked: nothing here takes a tap until its result.
    ImGui::BeginDisabled(view.checking);
    ImGui::TextUnformatted("Operator");
    const float width = ImGui::GetContentRegionAvail().x;
    const float spacing = ctx.metrics.spacingPx;
    const float half = (width - spacing) / 2.0f;
    int column = 0;
    for (const auto& name : view.operators) {
        if (column++ % 2 == 1) ImGui::SameLine(0, spacing);
        const bool chosen = name == input.operatorName;
        if (chosen) ImGui::PushStyleColor(ImGuiCol_Button, ImGui::GetStyleColorVec4(ImGuiCol_ButtonActive));
        ImGui::PushID(name.c_str());
        const std::string label = (chosen ? "> " : "") + name;
        if (touchButton(ctx, label.c_str(), ImVec2(half, 0))) {
            input.operatorName = name;
            input.pin.clear();
        }
        ImGui::PopID();
        if (chosen) ImGui::PopStyleColor();
    }
    if (view.operators.empty()) ImGui::TextWrapped("This terminal has no users yet: a supervisor adds them with `backfill user add`.");

    ImGui::Spacing();
    const std::string masked = input.pin.empty() ? std::string("PIN") : "PIN  " + std::string(input.pin.size(), '*');
    if (ctx.fonts.result) ImGui::PushFont(ctx.fonts.result);
    ImGui::TextUnformatted(masked.c_str());
    if (ctx.fonts.result) ImGui::PopFont();

    drawKeypad(ctx, "pin", input.pin, kMaxPinDigits);

    ImGui::Spacing();
    const bool ready = !view.checking && !input.operatorName.empty() && input.pin.size() >= 4;
    ImGui::BeginDisabled(!ready);
    if (touchButton(ctx, "Sign in", ImVec2(width, 0)) && ready) {
        intent.kind = SignInIntent::Kind::SignIn;
        intent.operatorName = input.operatorName;
        intent.pin = std::move(input.pin);
        input.pin.clear();
    }
    ImGui::EndDisabled();
    ImGui::EndDisabled();
    endScreen();
    return intent;
}

} // namespace backfill::ui

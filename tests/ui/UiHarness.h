#pragma once
// UiHarness drives a real screen headless (STYLE.md 17): an ImGui context with no renderer,
// DejaVu Sans from fonts-dejavu-core at the touch sizes, a fixed display size, and a mouse
// that presses and releases where a widget was laid out. Widgets are found by label through
// UiContext::targets, which every touch control fills. Debian's ImGui is built with
// assertions on, so a missing End() or a bad ID stack fails the test.

#include "ui/TouchMetrics.h"
#include "ui/UiContext.h"

#include <imgui.h>

#include <doctest/doctest.h>

#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace backfill::uitest {

inline constexpr const char* kFont = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
inline constexpr const char* kBoldFont = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf";

class UiHarness {
public:
    explicit UiHarness(int width = 480, int height = 800)
    {
        m_imgui = ImGui::CreateContext();
        ImGuiIO& io = ImGui::GetIO();
        io.IniFilename = nullptr;
        io.LogFilename = nullptr;
        io.DisplaySize = ImVec2(static_cast<float>(width), static_cast<float>(height));
        io.DeltaTime = 1.0f / 60.0f;
        // The key map a backend fills in: any distinct codes below 512 will do.
        for (int k = 0; k < ImGuiKey_COUNT; ++k) io.KeyMap[k] = 256 + k;
        m_ctx.metrics = ui::touchMetricsFor(ui::scaleForWindow(width, height));
        ui::applyTouchStyle(m_ctx.metrics);
        m_ctx.fonts.body = io.Fonts->AddFontFromFileTTF(kFont, m_ctx.metrics.fontPx);
        m_ctx.fonts.result = io.Fonts->AddFontFromFileTTF(kBoldFont, m_ctx.metrics.resultFontPx);
        if (!m_ctx.fonts.body || !m_ctx.fonts.result) throw std::runtime_error("DejaVu fonts missing: install fonts-dejavu-core");
        unsigned char* pixels = nullptr;
        int w = 0, h = 0;
        io.Fonts->GetTexDataAsRGBA32(&pixels, &w, &h); // builds the atlas; no texture needed
        m_ctx.targets = &m_targets;
    }
    ~UiHarness() { ImGui::DestroyContext(m_imgui); }
    UiHarness(const UiHarness&) = delete;
    UiHarness& operator=(const UiHarness&) = delete;

    const ui::UiContext& ctx() const { return m_ctx; }
    ImGuiIO& io() { return ImGui::GetIO(); }

    // frame lays out one frame with `draw` and records its touch targets.
    void frame(const std::function<void()>& draw)
    {
        m_targets.clear();
        ImGui::NewFrame();
        draw();
        ImGui::Render();
    }

    const std::vector<ui::TouchTarget>& targets() const { return m_targets; }

    // find gives the target labelled `label` in the last frame (throws when absent or twice).
    ui::TouchTarget find(const std::string& label) const
    {
        std::optional<ui::TouchTarget> found;
        for (const auto& t : m_targets) {
            if (t.label != label) continue;
            if (found) throw std::runtime_error("two touch targets labelled '" + label + "'");
            found = t;
        }
        if (!found) throw std::runtime_error("no touch target labelled '" + label + "'");
        return *found;
    }

    bool has(const std::string& label) const
    {
        for (const auto& t : m_targets)
            if (t.label == label) return true;
        return false;
    }

    // tap moves the mouse onto `label`'s centre, presses and releases, drawing one frame at
    // each step (hover, down, up), and returns what `draw` returned at each frame, in order.
    template <class Intent>
    std::vector<Intent> tap(const std::string& label, const std::function<Intent()>& draw)
    {
        std::vector<Intent> intents;
        auto once = [&] { frame([&] { intents.push_back(draw()); }); };
        once(); // lay out, so the target exists
        const auto t = find(label);
        const ImVec2 centre((t.min.x + t.max.x) / 2, (t.min.y + t.max.y) / 2);
        if (centre.x < 0 || centre.y < 0 || centre.x > io().DisplaySize.x || centre.y > io().DisplaySize.y)
            throw std::runtime_error("touch target '" + label + "' is off the screen");
        io().MousePos = centre;
        once();
        io().MouseDown[0] = true;
        once();
        io().MouseDown[0] = false;
        once();
        io().MousePos = ImVec2(-FLT_MAX, -FLT_MAX);
        return intents;
    }

private:
    ImGuiContext* m_imgui = nullptr;
    ui::UiContext m_ctx;
    std::vector<ui::TouchTarget> m_targets;
};

} // namespace backfill::uitest

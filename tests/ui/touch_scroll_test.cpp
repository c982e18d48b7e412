// Touch drag-to-scroll and large scrollbars (issue 12 item 9), headless: the real screens in
// an ImGui context without a renderer, a finger (the harness's mouse) pressed on a row, moved
// a few pixels per frame and lifted. The scroll of a list is read from ImGui's window of it;
// the rules are those of ui/TouchScroll.h. Debian's ImGui asserts are on: a broken active id
// or ID stack aborts the test.

#include "ui/UiHarness.h"

#include "ui/PutawayScreen.h"
#include "ui/ReceiveScreen.h"
#include "ui/StockScreen.h"
#include "ui/SyncScreen.h"
#include "ui/TouchScroll.h"

#include <imgui_internal.h>

#include <cstdio>
#include <string_view>

using namespace backfill;
using backfill::uitest::UiHarness;

namespace {

// listWindow: ImGui's window of the child list `id` ("##items") drawn last frame.
ImGuiWindow* listWindow(std::string_view id)
{
    const std::string part = "/" + std::string(id) + "_";
    for (ImGuiWindow* w : ImGui::GetCurrentContext()->Windows)
        if (std::string_view(w->Name).find(part) != std::string_view::npos) return w;
    throw std::runtime_error("no child window " + std::string(id));
}

float scrollOf(std::string_view id) { return listWindow(id)->Scroll.y; }

ImVec2 centreOf(const ui::TouchTarget& t) { return ImVec2((t.min.x + t.max.x) / 2, (t.min.y + t.max.y) / 2); }

ImVec2 centreOf(const ImGuiWindow* w) { return ImVec2((w->InnerRect.Min.x + w->InnerRect.Max.x) / 2, (w->InnerRect.Min.y + w->InnerRect.Max.y) / 2); }

// Press is one finger on the screen: down at `at` (after a frame hovering there), then each
// move a frame, then up; every frame's intent is kept, in order.
template <class Intent>
class Press {
public:
    Press(UiHarness& h, std::function<Intent()> draw, ImVec2 at) : m_h(h), m_draw(std::move(draw)), m_at(at)
    {
        m_h.io().MousePos = at;
        once();
        m_h.io().MouseDown[0] = true;
        once();
    }
    // moveTo puts the finger `dy` px below the press point (up when negative), `dx` right.
    void moveTo(float dy, float dx = 0)
    {
        m_h.io().MousePos = ImVec2(m_at.x + dx, m_at.y + dy);
        once();
    }
    // lift ends the press: one frame with the button up, one frame after it (the mouse gone).
    void lift()
    {
        m_h.io().MouseDown[0] = false;
        once();
        m_h.io().MousePos = ImVec2(-FLT_MAX, -FLT_MAX);
        once();
    }
    // moveAndLift: the move and the release arrive between the same two frames.
    void moveAndLift(float dy)
    {
        m_h.io().MousePos = ImVec2(m_at.x, m_at.y + dy);
        lift();
    }
    const std::vector<Intent>& intents() const { return m_intents; }
    bool none() const
    {
        for (const auto& i : m_intents)
            if (i.kind != Intent{}.kind) return false;
        return true;
    }

private:
    void once()
    {
        m_h.frame([&] { m_intents.push_back(m_draw()); });
    }
    UiHarness& m_h;
    std::function<Intent()> m_draw;
    ImVec2 m_at;
    std::vector<Intent> m_intents;
};

std::string sku(int i)
{
    char buf[16];
    std::snprintf(buf, sizeof buf, "SKU-%04d", i);
    return buf;
}

ui::PutawayView putawayList(int rows)
{
    ui::PutawayView v;
    v.operatorName = "ana";
    for (int i = 0; i < rows; ++i) v.items.push_back({sku(i), std::nullopt, "DOCK-1", 10, std::string("A-01-02")});
    return v;
}

std::string rowLabel(int i) { return "10 x " + sku(i) + "  DOCK-1 -> A-01-02"; }

} // namespace

TEST_CASE("touch metrics: scrollbars and their grab as large as a target, the drag threshold, at scale 1 and 2")
{
    for (float scale : {1.0f, 2.0f}) {
        CAPTURE(scale);
        ImGuiContext* c = ImGui::CreateContext();
        const ui::TouchMetrics m = ui::touchMetricsFor(scale);
        CHECK(m.scrollbarPx == 56.0f * scale);
        CHECK(m.scrollbarPx == m.minTargetPx);
        CHECK(m.dragStartPx == 14.0f * scale);
        ui::applyTouchStyle(m);
        CHECK(ImGui::GetStyle().ScrollbarSize == 56.0f * scale);
        CHECK(ImGui::GetStyle().GrabMinSize == 56.0f * scale);
        CHECK(ImGui::GetIO().MouseDragThreshold == 14.0f * scale);
        ImGui::DestroyContext(c);
    }
    UiHarness big(1080, 1920); // scale 2.25
    CHECK(ImGui::GetStyle().ScrollbarSize == 126.0f);
    CHECK(ImGui::GetIO().MouseDragThreshold == 31.5f);
}

TEST_CASE("a finger dragging a 1000-row list scrolls it by the drag distance, and its release taps nothing")
{
    UiHarness h;
    ui::PutawayView view = putawayList(1000);
    ui::PutawayInput input;
    std::function<ui::PutawayIntent()> draw = [&] { return ui::drawPutawayScreen(view, input, h.ctx()); };
    h.frame([&] { draw(); });
    REQUIRE(scrollOf("##items") == 0.0f);
    const ui::TouchTarget row0 = h.find(rowLabel(0));

    Press<ui::PutawayIntent> finger(h, draw, centreOf(h.find(rowLabel(2))));
    finger.moveTo(-10); // below the 14 px threshold: still a press on row 2
    CHECK(scrollOf("##items") == 0.0f);
    CHECK_FALSE(ui::touchScrolling());
    for (int up = 20; up <= 300; up += 10) {
        finger.moveTo(static_cast<float>(-up));
        CAPTURE(up);
        CHECK(scrollOf("##items") == static_cast<float>(up)); // the whole distance, threshold included
        CHECK(ui::touchScrolling());
    }
    // The content moved with the finger, pixel for pixel.
    CHECK(h.find(rowLabel(5)).min.y == row0.min.y + 5 * (h.ctx().metrics.rowPx + ImGui::GetStyle().ItemSpacing.y) - 300.0f);
    finger.lift(); // over row 2 again, which slid along under the finger
    CHECK(finger.none());
    CHECK(scrollOf("##items") == 300.0f);
    CHECK_FALSE(ui::touchScrolling());
    CHECK(ImGui::GetActiveID() == 0);

    // Taps work again at once: row 6 is now in sight.
    const auto tap = h.tap<ui::PutawayIntent>(rowLabel(6), draw);
    CHECK(tap.back().kind == ui::PutawayIntent::Kind::Select);
    CHECK(tap.back().index == 6);
    CHECK(scrollOf("##items") == 300.0f);
}

TEST_CASE("a short press is a tap; from the threshold on it is a drag")
{
    UiHarness h;
    ui::PutawayView view = putawayList(1000);
    ui::PutawayInput input;
    std::function<ui::PutawayIntent()> draw = [&] { return ui::drawPutawayScreen(view, input, h.ctx()); };
    h.frame([&] { draw(); });

    SUBCASE("13 px: a tap on the row")
    {
        Press<ui::PutawayIntent> finger(h, draw, centreOf(h.find(rowLabel(3))));
        finger.moveTo(-7);
        finger.moveTo(-13, 5);
        finger.lift();
        CHECK(finger.intents()[finger.intents().size() - 2].kind == ui::PutawayIntent::Kind::Select);
        CHECK(finger.intents()[finger.intents().size() - 2].index == 3);
        CHECK(scrollOf("##items") == 0.0f);
    }
    SUBCASE("14 px: a drag of 14 px, no tap")
    {
        Press<ui::PutawayIntent> finger(h, draw, centreOf(h.find(rowLabel(3))));
        finger.moveTo(-14);
        CHECK(scrollOf("##items") == 14.0f);
        finger.lift();
        CHECK(finger.none());
    }
    SUBCASE("moved and released between two frames: scrolled, no tap")
    {
        Press<ui::PutawayIntent> finger(h, draw, centreOf(h.find(rowLabel(3))));
        finger.moveAndLift(-20); // still on row 3: without the drag rule a tap
        CHECK(finger.none());
        CHECK(scrollOf("##items") == 20.0f);
        CHECK(ImGui::GetActiveID() == 0);
    }
}

TEST_CASE("at the top the list holds, the finger ends on another row, and nothing is tapped; turning back scrolls at once")
{
    UiHarness h;
    ui::PutawayView view = putawayList(1000);
    ui::PutawayInput input;
    std::function<ui::PutawayIntent()> draw = [&] { return ui::drawPutawayScreen(view, input, h.ctx()); };
    h.frame([&] { draw(); });
    const float pitch = h.ctx().metrics.rowPx + ImGui::GetStyle().ItemSpacing.y;

    Press<ui::PutawayIntent> finger(h, draw, centreOf(h.find(rowLabel(0))));
    for (int down = 10; static_cast<float>(down) < pitch; down += 10) finger.moveTo(static_cast<float>(down));
    finger.moveTo(pitch); // on row 1's centre: row 1 is under the finger now
    CHECK(scrollOf("##items") == 0.0f); // clamped at the top
    finger.lift();
    CHECK(finger.none());

    Press<ui::PutawayIntent> back(h, draw, centreOf(h.find(rowLabel(0))));
    back.moveTo(100);
    back.moveTo(-50); // 150 px up from the lowest point, where the list stopped holding
    CHECK(scrollOf("##items") == 150.0f);
    back.lift();
    CHECK(back.none());
}

TEST_CASE("a press on the scrollbar drags the scrollbar, not the list")
{
    UiHarness h;
    ui::PutawayView view = putawayList(1000);
    ui::PutawayInput input;
    std::function<ui::PutawayIntent()> draw = [&] { return ui::drawPutawayScreen(view, input, h.ctx()); };
    h.frame([&] { draw(); });
    h.frame([&] { draw(); }); // a child's scrollbar shows from its second frame (its content size)
    ImGuiWindow* list = listWindow("##items");
    REQUIRE(list->ScrollbarY);
    const ImRect bar = ImGui::GetWindowScrollbarRect(list, ImGuiAxis_Y);
    CHECK(bar.GetWidth() == h.ctx().metrics.scrollbarPx);
    // The grab is at the top (scroll 0) and GrabMinSize long.
    Press<ui::PutawayIntent> finger(h, draw, ImVec2((bar.Min.x + bar.Max.x) / 2, bar.Min.y + 3 + ImGui::GetStyle().GrabMinSize / 2));
    finger.moveTo(100); // down: a touch drag would hold at the top; the grab goes down the list
    CHECK(scrollOf("##items") > 1000.0f);
    CHECK_FALSE(ui::touchScrolling());
    finger.lift();
    CHECK(finger.none());
}

TEST_CASE("where nothing scrolls a slide on a row is still ImGui's press")
{
    UiHarness h;
    ui::PutawayView view = putawayList(2);
    ui::PutawayInput input;
    std::function<ui::PutawayIntent()> draw = [&] { return ui::drawPutawayScreen(view, input, h.ctx()); };
    h.frame([&] { draw(); });
    REQUIRE(listWindow("##items")->ScrollMax.y == 0.0f);
    Press<ui::PutawayIntent> finger(h, draw, centreOf(h.find(rowLabel(1))));
    finger.moveTo(20, 40); // 20 px down, 40 right: still on row 1
    CHECK_FALSE(ui::touchScrolling());
    finger.lift();
    CHECK(finger.intents()[finger.intents().size() - 2].kind == ui::PutawayIntent::Kind::Select);
    CHECK(finger.intents()[finger.intents().size() - 2].index == 1);
}

TEST_CASE("every list scrolls by dragging it, at 480x800 and 1080x1920: sync inbox, stock hits and card (100k rows), recent receipts")
{
    for (auto size : {ImVec2(480, 800), ImVec2(1080, 1920)}) {
        CAPTURE(size.x);
        UiHarness h(static_cast<int>(size.x), static_cast<int>(size.y));
        const float slop = h.ctx().metrics.dragStartPx;

        // drags presses the middle of list `id`, moves up 5 px a frame to 200 px and lifts,
        // then checks the scroll and that no frame returned an intent.
        auto drags = [&](auto draw, const char* id) {
            using Intent = decltype(draw());
            std::function<Intent()> f = draw;
            h.frame([&] { draw(); });
            CAPTURE(id);
            REQUIRE(scrollOf(id) == 0.0f);
            Press<Intent> finger(h, f, centreOf(listWindow(id)));
            for (int up = 5; up <= 200; up += 5) {
                finger.moveTo(static_cast<float>(-up));
                CHECK(scrollOf(id) == (static_cast<float>(up) >= slop ? static_cast<float>(up) : 0.0f));
            }
            finger.lift();
            CHECK(finger.none());
            CHECK(scrollOf(id) == 200.0f);
        };

        ui::SyncView sync;
        sync.state = ui::LinkState::Online;
        for (int i = 0; i < 100; ++i)
            sync.inbox.push_back({100 + i, "SO-" + std::to_string(1000 + i) + " line 1  5 x MUG back to stock", "take it back", "cut"});
        ui::SyncInput syncInput;
        drags([&] { return ui::drawSyncScreen(sync, syncInput, h.ctx()); }, "##inbox");

        ui::ReceiveView receive;
        receive.location = "DOCK-1";
        for (int i = 0; i < 100; ++i) receive.recent.push_back({1000 - i, "09:40", "MUG-0101", 12, std::nullopt, "DOCK-1", std::nullopt});
        ui::ReceiveInput receiveInput;
        drags([&] { return ui::drawReceiveScreen(receive, receiveInput, h.ctx()); }, "##recent");

        ui::StockView stock;
        for (int i = 0; i < 100000; ++i) stock.hits.push_back({"SKU-" + std::to_string(i), "product", std::nullopt});
        ui::StockInput stockInput;
        auto drawStock = [&] { return ui::drawStockScreen(stock, stockInput, h.ctx()); };
        drags(drawStock, "##hits");
        // The search field has the keyboard again once the drag is over.
        h.frame([&] { drawStock(); });
        h.io().AddInputCharacter('7');
        std::vector<ui::StockIntent> typed;
        h.frame([&] { typed.push_back(drawStock()); });
        REQUIRE(typed.back().kind == ui::StockIntent::Kind::Search);
        CHECK(typed.back().query == "7");

        stock.card = ui::StockCard{};
        stock.card->sku = "MUG";
        for (int i = 0; i < 100000; ++i) stock.card->locations.push_back({"B-" + std::to_string(i), std::nullopt, std::nullopt, 1, 0});
        drags(drawStock, "##card"); // text rows: the press lands on no widget
    }
}

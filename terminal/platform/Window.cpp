#include "platform/Window.h"

#include "platform/Fonts.h"
#include "ui/TouchMetrics.h"

#include <GLFW/glfw3.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>
#include <stb_image_write.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace backfill::platform {

namespace {

using Clock = std::chrono::steady_clock;

std::string glfwLastError()
{
    const char* description = nullptr;
    glfwGetError(&description);
    return description ? description : "no reason given";
}

Window* self(GLFWwindow* w) { return static_cast<Window*>(glfwGetWindowUserPointer(w)); }

} // namespace

ledger::Result<std::unique_ptr<Window>> Window::open(const WindowOptions& options)
{
    std::unique_ptr<Window> win(new Window());
    try {
        win->m_wedge = std::make_unique<scan::Wedge>(options.wedge);
    } catch (const std::invalid_argument& e) {
        return ledger::fail("bad_wedge_config", e.what());
    }
    if (!glfwInit())
        return ledger::fail("no_display", "cannot open a display (" + glfwLastError() +
                                              "): run on an X11 or Wayland session, or under Xvfb (xvfb-run backfill ...); "
                                              "the subcommands (backfill --help) need no display");
    win->m_glfwInit = true;
    glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 0);
    glfwWindowHint(GLFW_RESIZABLE, GLFW_TRUE);
    win->m_window = glfwCreateWindow(options.width, options.height, options.title.c_str(), nullptr, nullptr);
    if (!win->m_window)
        return ledger::fail("no_opengl", "cannot create a " + std::to_string(options.width) + "x" +
                                             std::to_string(options.height) + " window with OpenGL 3 (" + glfwLastError() +
                                             "): check the graphics driver (Mesa: libgl1-mesa-dri)");
    glfwSetWindowUserPointer(win->m_window, win.get());
    glfwMakeContextCurrent(win->m_window);
    glfwSwapInterval(1);

    int fbw = 0, fbh = 0;
    glfwGetFramebufferSize(win->m_window, &fbw, &fbh);
    const float scale = options.scale > 0 ? options.scale : ui::scaleForWindow(fbw, fbh);
    win->m_ctx.metrics = ui::touchMetricsFor(scale);

    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr; // a kiosk keeps no window layout between runs
    io.LogFilename = nullptr;
    ui::applyTouchStyle(win->m_ctx.metrics);
    auto fonts = loadFonts(*io.Fonts, win->m_ctx.metrics);
    if (!fonts) {
        ImGui::DestroyContext();
        return ledger::unexpected(fonts.error());
    }
    win->m_ctx.fonts = *fonts;
    // Our callbacks go first: keys and characters through the wedge, the rest to ImGui's.
    ImGui_ImplGlfw_InitForOpenGL(win->m_window, false);
    ImGui_ImplOpenGL3_Init("#version 130");
    win->m_imguiInit = true;
    glfwSetKeyCallback(win->m_window, &Window::onKey);
    glfwSetCharCallback(win->m_window, &Window::onChar);
    glfwSetMouseButtonCallback(win->m_window, &Window::onMouseButton);
    glfwSetScrollCallback(win->m_window, &Window::onScroll);
    glfwSetCursorPosCallback(win->m_window, &Window::onCursor);
    glfwSetWindowRefreshCallback(win->m_window, &Window::onChange);
    glfwSetWindowCloseCallback(win->m_window, &Window::onClose);
    glfwSetFramebufferSizeCallback(win->m_window, [](GLFWwindow* w, int, int) { onChange(w); });
    glfwSetWindowFocusCallback(win->m_window, [](GLFWwindow* w, int focused) {
        ImGui_ImplGlfw_WindowFocusCallback(w, focused);
        onChange(w);
    });
    glfwSetCursorEnterCallback(win->m_window, [](GLFWwindow* w, int entered) {
        ImGui_ImplGlfw_CursorEnterCallback(w, entered);
        onChange(w);
    });
    return win;
}

Window::~Window()
{
    if (m_imguiInit) {
        ImGui_ImplOpenGL3_Shutdown();
        ImGui_ImplGlfw_Shutdown();
        ImGui::DestroyContext();
    }
    if (m_window) glfwDestroyWindow(m_window);
    if (m_glfwInit) glfwTerminate();
}

void Window::setGsSubstitute(char32_t gs)
{
    scan::WedgeConfig config = m_wedge->config();
    config.gsSubstitute = gs;
    m_wedge = std::make_unique<scan::Wedge>(config);
}

void Window::onKey(GLFWwindow* w, int key, int scancode, int action, int mods)
{
    Window* win = self(w);
    win->m_changed = true;
    const auto now = scan::WedgeClock::now();
    // Keys whose order against characters matters go through the wedge on press and repeat;
    // WedgeInput makes their one-frame press, so their releases are not passed on.
    const bool viaWedge = key == GLFW_KEY_ENTER || key == GLFW_KEY_KP_ENTER || key == GLFW_KEY_TAB ||
                          key == GLFW_KEY_BACKSPACE || key == GLFW_KEY_DELETE || key == GLFW_KEY_ESCAPE ||
                          key == GLFW_KEY_LEFT || key == GLFW_KEY_RIGHT || key == GLFW_KEY_UP || key == GLFW_KEY_DOWN ||
                          key == GLFW_KEY_HOME || key == GLFW_KEY_END ||
                          (key == GLFW_KEY_RIGHT_BRACKET && (mods & GLFW_MOD_CONTROL));
    if (!viaWedge) {
        ImGui_ImplGlfw_KeyCallback(w, key, scancode, action, mods);
        return;
    }
    if (action == GLFW_RELEASE) return;
    switch (key) {
    case GLFW_KEY_ENTER:
    case GLFW_KEY_KP_ENTER: win->m_wedge->key(scan::KeyEvent::enter(now)); break;
    case GLFW_KEY_TAB: win->m_wedge->key(scan::KeyEvent::tab(now)); break;
    case GLFW_KEY_BACKSPACE: win->m_wedge->key(scan::KeyEvent::backspace(now)); break;
    case GLFW_KEY_RIGHT_BRACKET: win->m_wedge->key(scan::KeyEvent::groupSeparator(now)); break;
    default: win->m_wedge->key(scan::KeyEvent::other(key, now)); break;
    }
}

void Window::wake() { glfwPostEmptyEvent(); }

void Window::onChar(GLFWwindow* w, unsigned int codepoint)
{
    Window* win = self(w);
    win->m_changed = true;
    win->m_wedge->key(scan::KeyEvent::character(static_cast<char32_t>(codepoint), scan::WedgeClock::now()));
}

void Window::onMouseButton(GLFWwindow* w, int button, int action, int mods)
{
    self(w)->m_changed = true;
    ImGui_ImplGlfw_MouseButtonCallback(w, button, action, mods);
}

void Window::onScroll(GLFWwindow* w, double x, double y)
{
    self(w)->m_changed = true;
    ImGui_ImplGlfw_ScrollCallback(w, x, y);
}

void Window::onCursor(GLFWwindow* w, double, double) { self(w)->m_changed = true; }

void Window::onChange(GLFWwindow* w) { self(w)->m_changed = true; }

void Window::onClose(GLFWwindow* w)
{
    Window* win = self(w);
    win->m_changed = true;
    if (!win->m_confirmClose) return; // GLFW has set the close flag: the loop ends
    // The operator is asked first (ui/QuitConfirm.h): keep the window and record the request.
    glfwSetWindowShouldClose(w, GLFW_FALSE);
    ++win->m_closeRequests;
}

void Window::quit() { glfwSetWindowShouldClose(m_window, GLFW_TRUE); }

ledger::Result<void> Window::writeScreenshot(const std::string& path)
{
    int w = 0, h = 0;
    glfwGetFramebufferSize(m_window, &w, &h);
    if (w <= 0 || h <= 0) return ledger::fail("screenshot_failed", path + ": the window has no pixels (minimised?)");
    std::vector<unsigned char> pixels(static_cast<size_t>(w) * static_cast<size_t>(h) * 3);
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glReadBuffer(GL_BACK);
    glReadPixels(0, 0, w, h, GL_RGB, GL_UNSIGNED_BYTE, pixels.data());
    if (glGetError() != GL_NO_ERROR) return ledger::fail("screenshot_failed", path + ": glReadPixels failed");
    // GL's rows run bottom-up, PNG's top-down: write from the last row with a negative stride.
    const int stride = w * 3;
    errno = 0;
    if (!stbi_write_png(path.c_str(), w, h, 3, pixels.data() + static_cast<size_t>(h - 1) * stride, -stride))
        return ledger::fail("screenshot_failed", path + ": cannot write the PNG file (" +
                                                     std::string(errno ? std::strerror(errno) : "stb_image_write failed") +
                                                     "); check the folder exists and is writable");
    return {};
}

ledger::Result<LoopReport> Window::run(const LoopOptions& options, const FrameFn& frame)
{
    LoopReport report;
    m_confirmClose = options.confirmClose;
    const auto started = Clock::now();
    const bool frameMode = options.frames.has_value();
    int settle = kSettleFrames;
    double totalMs = 0;
    bool lastCaptured = false;

    auto draw = [&](const std::vector<scan::Scan>& scans, bool capture) -> ledger::Result<bool> {
        const auto t0 = Clock::now();
        ImGui_ImplOpenGL3_NewFrame();
        ImGui_ImplGlfw_NewFrame();
        ImGui::NewFrame();
        const bool more = frame(scans);
        ImGui::Render();
        int w = 0, h = 0;
        glfwGetFramebufferSize(m_window, &w, &h);
        glViewport(0, 0, w, h);
        const ImVec4 bg = ImGui::GetStyleColorVec4(ImGuiCol_WindowBg);
        glClearColor(bg.x, bg.y, bg.z, 1.0f);
        glClear(GL_COLOR_BUFFER_BIT);
        ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
        ++report.frames;
        lastCaptured = false;
        if (capture) {
            if (auto r = writeScreenshot(options.screenshotPath); !r) return ledger::unexpected(r.error());
            ++report.screenshots;
            lastCaptured = true;
        }
        glfwSwapBuffers(m_window);
        const auto swapped = Clock::now();
        if (options.measureScans)
            for (const auto& s : scans) report.scanToDrawnMs.push_back(std::chrono::duration<double, std::milli>(swapped - s.endedAt).count());
        const double ms = std::chrono::duration<double, std::milli>(swapped - t0).count();
        totalMs += ms;
        if (options.measureFrames) {
            report.frameMs.push_back(ms);
            report.frameEndS.push_back(std::chrono::duration<double>(swapped.time_since_epoch()).count());
        }
        report.maxFrameMs = std::max(report.maxFrameMs, ms);
        return more;
    };

    while (!glfwWindowShouldClose(m_window)) {
        auto now = Clock::now();
        if (frameMode && report.frames >= *options.frames) break;
        if (options.exitAfter && now - started >= *options.exitAfter) break;

        // The first screenshot is taken at frame kScreenshotFrame, which may come after the
        // frames that settle the start: the loop does not sleep until it is written.
        const bool shotPending = !options.screenshotPath.empty() && report.frames < kScreenshotFrame;
        const bool idle = !frameMode && settle <= 0 && !shotPending;
        std::chrono::nanoseconds wait{0};
        if (idle) {
            wait = options.maxIdleWait;
            if (auto deadline = m_wedge->nextDeadline()) wait = std::min<std::chrono::nanoseconds>(wait, *deadline - now);
            if (options.exitAfter) wait = std::min<std::chrono::nanoseconds>(wait, started + *options.exitAfter - now);
            wait = std::max(wait, std::chrono::nanoseconds(0));
        }
        m_wedge->beginEvents(now);
        if (wait.count() > 0)
            glfwWaitEventsTimeout(std::chrono::duration<double>(wait).count());
        else
            glfwPollEvents();
        ++report.wakeups;
        const auto outputs = m_wedge->poll(Clock::now());
        const bool woken = options.onWake && options.onWake();
        if (m_changed || woken || !outputs.empty()) settle = kSettleFrames;
        m_changed = false;
        if (idle && settle <= 0) continue; // nothing changed: draw nothing

        const auto scans = m_wedgeInput.deliver(outputs, ImGui::GetIO());
        const bool capture = !options.screenshotPath.empty() && report.frames + 1 == kScreenshotFrame;
        auto more = draw(scans, capture);
        if (!more) return ledger::unexpected(more.error());
        settle = (*more || m_wedgeInput.pressedKeys() || !scans.empty()) ? kSettleFrames : settle - 1;
    }
    // The final state, for a screenshot taken at exit: one more frame, read before its swap
    // (a back buffer after a swap holds nothing defined).
    if (!options.screenshotPath.empty() && !lastCaptured && !glfwWindowShouldClose(m_window)) {
        if (auto r = draw({}, true); !r) return ledger::unexpected(r.error());
    }
    report.meanFrameMs = report.frames ? totalMs / static_cast<double>(report.frames) : 0;
    return report;
}

} // namespace backfill::platform

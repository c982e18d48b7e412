#pragma once
// Window: the terminal's one GLFW window with an OpenGL 3 context and Dear ImGui on it
// (ImGui's own GLFW and OpenGL3 backends from Debian's libimgui.a), DejaVu fonts at touch
// sizes, the keyboard-wedge detector on every key, and a frame loop that sleeps while
// nothing changes (STYLE.md 3: a handheld runs on battery).
//
// Frame loop (run):
//
//    +--> wait for events (glfwWaitEventsTimeout; no timeout while frames are settling)
//    |      key / char callbacks -> Wedge::key, stamped on arrival (GLFW has no stamps)
//    |    Wedge::poll -> ui::WedgeInput: typing into ImGui, scans to the frame function
//    |    nothing happened and nothing settling? ---------------------------+ (draw nothing)
//    |    NewFrame, frame function(scans), Render, screenshot if due, swap  |
//    +-------------------------------------------------------------------<--+
//
// After any input the loop draws kSettleFrames more frames (ImGui needs a frame or two to
// show hover, press and release), or more while the frame function asks for them; then it
// waits. While waiting it wakes only for events, the wedge's next deadline (held keys are
// released on time) and the exit time.
//
// Closing: the loop ends when the window should close. With LoopOptions::confirmClose the
// window manager's close does not make it so (onClose clears it again and counts a request
// for takeCloseRequests); only quit() does.

#include "ledger/Result.h"
#include "scan/Wedge.h"
#include "ui/UiContext.h"
#include "ui/WedgeInput.h"

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

struct GLFWwindow;

namespace backfill::platform {

struct WindowOptions {
    int width = 480;   // portrait handheld by default (--window WxH)
    int height = 800;
    std::string title = "Backfill";
    float scale = 0;   // 0: from the window size (ui::scaleForWindow); else --scale
    scan::WedgeConfig wedge;
};

struct LoopOptions {
    std::optional<long> frames;                        // --frames N: draw N frames, never sleep
    std::optional<std::chrono::milliseconds> exitAfter; // --exit-after MS
    std::string screenshotPath;                        // --screenshot FILE; empty: none
    // maxIdleWait: the longest sleep while idle (so the frame function can notice a changed
    // database now and then). The loop draws a frame after it only if asked to.
    std::chrono::milliseconds maxIdleWait{2000};
    // onWake runs on the main thread after every wait (the main-thread queue is drained here,
    // the idle sign-out checked); true asks for frames, as input does.
    std::function<bool()> onWake;
    // confirmClose: the window manager's close (the title bar's X, WM_DELETE_WINDOW) does not
    // end the loop; it is recorded for takeCloseRequests, and the app asks the operator
    // (ui/QuitConfirm.h) and calls Window::quit on Quit. Off: the close ends the loop at once.
    bool confirmClose = false;
    // measureScans: fill LoopReport::scanToDrawnMs (`--stats`). Off, a terminal that runs for
    // weeks keeps no list that grows with every scan.
    bool measureScans = false;
    // measureFrames: fill LoopReport::frameMs and frameEndS, one entry per frame drawn
    // (`--stats`), so a benchmark can take the frames of a period of its own choosing (a
    // card open, a scroll). Off for the same reason as measureScans.
    bool measureFrames = false;
};

// FrameFn draws one frame (between ImGui::NewFrame and ImGui::Render) given the scans the
// wedge decided since the last frame, in order; it returns true to ask for another frame
// soon (its state changed in a way the next frame must show).
using FrameFn = std::function<bool(const std::vector<scan::Scan>& scans)>;

// LoopReport: what run did, for `--stats` and the benchmarks.
struct LoopReport {
    long frames = 0;           // frames drawn
    long wakeups = 0;          // times the loop woke
    double meanFrameMs = 0;    // CPU-side: NewFrame to swap
    double maxFrameMs = 0;
    int screenshots = 0;       // PNG files written
    // scanToDrawnMs (with LoopOptions::measureScans): per scan, from its terminator's arrival
    // (the key callback) to the swap of the frame that handled it (a scan's decision is drawn
    // in the frame it arrives in).
    std::vector<double> scanToDrawnMs;
    // frameMs and frameEndS (with LoopOptions::measureFrames): per frame drawn, in order, its
    // time as in meanFrameMs, and the steady clock at its swap in seconds since that clock's
    // epoch (CLOCK_MONOTONIC on Linux: the clock of Python's time.monotonic()).
    std::vector<double> frameMs;
    std::vector<double> frameEndS;
};

class Window {
public:
    // open initialises GLFW, creates the window and its GL 3 context, the ImGui context with
    // the touch style and fonts. Fails with no_display (GLFW found no display to open: DISPLAY
    // unset or unreachable; run under X11/Wayland or Xvfb), no_opengl (no OpenGL 3 context),
    // no_font (platform/Fonts.h), bad_wedge_config.
    static ledger::Result<std::unique_ptr<Window>> open(const WindowOptions& options);
    ~Window();
    Window(const Window&) = delete;
    Window& operator=(const Window&) = delete;

    const ui::UiContext& context() const { return m_ctx; }

    // wake interrupts the loop's wait from any thread (glfwPostEmptyEvent), so work a worker
    // posted to the main thread is taken at once.
    void wake();

    // takeCloseRequests gives how many closes the window manager asked for since the last
    // call (with LoopOptions::confirmClose; each also wakes the loop) and resets the count.
    int takeCloseRequests() { return std::exchange(m_closeRequests, 0); }

    // quit makes the loop end after the current frame (the operator confirmed quitting).
    void quit();

    // setGsSubstitute makes the wedge read `gs` as GS (the terminal's stored setting, known
    // only once the database is open). Call before run.
    void setGsSubstitute(char32_t gs);

    // run draws frames until the window is closed, `frames` were drawn or `exitAfter` passed.
    // With a screenshot path it writes the PNG at the kScreenshotFrame-th frame (the first
    // frames settled) and, when later frames were drawn, again from one more frame drawn at
    // exit (the final state). Fails with
    // screenshot_failed naming the file (the loop stops there).
    ledger::Result<LoopReport> run(const LoopOptions& options, const FrameFn& frame);

    // kSettleFrames: frames drawn after any input; kScreenshotFrame: the frame captured first.
    static constexpr int kSettleFrames = 3;
    static constexpr int kScreenshotFrame = 4;

private:
    Window() = default;
    static void onKey(GLFWwindow* w, int key, int scancode, int action, int mods);
    static void onChar(GLFWwindow* w, unsigned int codepoint);
    static void onMouseButton(GLFWwindow* w, int button, int action, int mods);
    static void onScroll(GLFWwindow* w, double x, double y);
    static void onCursor(GLFWwindow* w, double x, double y);
    static void onChange(GLFWwindow* w);
    static void onClose(GLFWwindow* w);
    ledger::Result<void> writeScreenshot(const std::string& path);

    GLFWwindow* m_window = nullptr;
    bool m_glfwInit = false;
    bool m_imguiInit = false;
    ui::UiContext m_ctx;
    std::unique_ptr<scan::Wedge> m_wedge;
    ui::WedgeInput m_wedgeInput;
    bool m_changed = true; // an event other than a key arrived since the last frame
    bool m_confirmClose = false; // LoopOptions::confirmClose of the loop running
    int m_closeRequests = 0;     // window-manager closes not taken yet
};

} // namespace backfill::platform

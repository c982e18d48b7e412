// bench_ui_bare: the limit of the touch terminal's benchmark (ui_bench.py). A bare Dear ImGui
// window on GLFW + OpenGL 3, the same size and loop shape as terminal/platform/Window.cpp
// (swap interval 1; wait for events, draw only when something happened), with one ImGui
// window and a line of text: what any ImGui + GLFW application costs before its own work.
//
// Usage: bench_ui_bare [--window WxH] [--exit-after MS | --frames N]
//   --exit-after MS  run idle for MS milliseconds, then quit
//   --frames N       draw N frames without waiting, then print
//                    {"frames":N,"frame_ms_mean":X,"frame_ms_median":Y}
// With --exit-after it prints {"key_to_drawn_ms":[...]}: per Return key, from its arrival in
// the key callback to the swap of the next frame drawn (the limit of scan-to-screen latency).

#include <GLFW/glfw3.h>
#include <imgui.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

std::vector<Clock::time_point> g_returns; // Return keys not drawn yet

void onKey(GLFWwindow*, int key, int, int action, int)
{
    if (key == GLFW_KEY_ENTER && action == GLFW_PRESS) g_returns.push_back(Clock::now());
}

long flagValue(int argc, char** argv, const char* name, long fallback)
{
    for (int i = 1; i + 1 < argc; ++i)
        if (std::strcmp(argv[i], name) == 0) return std::strtol(argv[i + 1], nullptr, 10);
    return fallback;
}

} // namespace

int main(int argc, char** argv)
{
    int width = 480, height = 800;
    for (int i = 1; i + 1 < argc; ++i)
        if (std::strcmp(argv[i], "--window") == 0 && std::sscanf(argv[i + 1], "%dx%d", &width, &height) != 2) {
            std::fprintf(stderr, "bench_ui_bare: --window takes WxH\n");
            return 3;
        }
    const long exitAfterMs = flagValue(argc, argv, "--exit-after", -1);
    const long frames = flagValue(argc, argv, "--frames", -1);
    if ((exitAfterMs < 0) == (frames < 0)) {
        std::fprintf(stderr, "bench_ui_bare: give --exit-after MS or --frames N\n");
        return 3;
    }
    if (!glfwInit()) {
        std::fprintf(stderr, "bench_ui_bare: no display\n");
        return 1;
    }
    glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 0);
    GLFWwindow* window = glfwCreateWindow(width, height, "bare", nullptr, nullptr);
    if (!window) {
        std::fprintf(stderr, "bench_ui_bare: no OpenGL 3 window\n");
        return 1;
    }
    glfwMakeContextCurrent(window);
    glfwSwapInterval(1);
    glfwSetKeyCallback(window, onKey); // ImGui's backend chains to it
    ImGui::CreateContext();
    ImGui::GetIO().IniFilename = nullptr;
    ImGui_ImplGlfw_InitForOpenGL(window, true);
    ImGui_ImplOpenGL3_Init("#version 130");

    const auto started = Clock::now();
    double totalMs = 0;
    long drawn = 0;
    std::vector<double> keyToDrawnMs;
    std::vector<double> frameMs;
    int settle = 3; // frames drawn after a change, as Window.cpp does
    while (!glfwWindowShouldClose(window)) {
        if (frames >= 0 && drawn >= frames) break;
        const auto now = Clock::now();
        const double left = exitAfterMs - std::chrono::duration<double, std::milli>(now - started).count();
        if (frames < 0 && left <= 0) break;
        if (frames < 0 && settle <= 0) {
            glfwWaitEventsTimeout(left / 1000.0);
            settle = 3;
            continue; // woken: an event or the end; the next turn draws
        }
        glfwPollEvents();
        const auto t0 = Clock::now();
        ImGui_ImplOpenGL3_NewFrame();
        ImGui_ImplGlfw_NewFrame();
        ImGui::NewFrame();
        ImGui::SetNextWindowPos(ImVec2(0, 0));
        ImGui::SetNextWindowSize(ImGui::GetIO().DisplaySize);
        ImGui::Begin("bare", nullptr, ImGuiWindowFlags_NoDecoration);
        ImGui::TextUnformatted("bare Dear ImGui + GLFW window");
        ImGui::End();
        ImGui::Render();
        int fbw = 0, fbh = 0;
        glfwGetFramebufferSize(window, &fbw, &fbh);
        glViewport(0, 0, fbw, fbh);
        glClearColor(0.1f, 0.1f, 0.1f, 1.0f);
        glClear(GL_COLOR_BUFFER_BIT);
        ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
        glfwSwapBuffers(window);
        const auto swapped = Clock::now();
        for (const auto r : g_returns) keyToDrawnMs.push_back(std::chrono::duration<double, std::milli>(swapped - r).count());
        g_returns.clear();
        frameMs.push_back(std::chrono::duration<double, std::milli>(swapped - t0).count());
        totalMs += frameMs.back();
        ++drawn;
        --settle;
    }
    if (frames >= 0) {
        // The median of an even count is taken as the upper middle, as ui_bench.py needs no more.
        std::sort(frameMs.begin(), frameMs.end());
        std::printf("{\"frames\":%ld,\"frame_ms_mean\":%.4f,\"frame_ms_median\":%.4f}\n", drawn, drawn ? totalMs / drawn : 0.0,
                    frameMs.empty() ? 0.0 : frameMs[frameMs.size() / 2]);
    } else {
        std::string list;
        for (const double ms : keyToDrawnMs) {
            if (!list.empty()) list += ',';
            list += std::to_string(ms);
        }
        std::printf("{\"key_to_drawn_ms\":[%s]}\n", list.c_str());
    }
    ImGui_ImplOpenGL3_Shutdown();
    ImGui_ImplGlfw_Shutdown();
    ImGui::DestroyContext();
    glfwDestroyWindow(window);
    glfwTerminate();
    return 0;
}

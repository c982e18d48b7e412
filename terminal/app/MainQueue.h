#pragma once
// MainQueue hands work done on workers back to the main thread (STYLE.md 3): a worker posts a
// task, the main thread drains the queue once per wake-up of its frame loop and runs the
// tasks in the order posted. Posting calls the wake hook (platform::Window::wake), so a
// sleeping loop wakes for it at once.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <vector>

namespace backfill::app {

class MainQueue {
public:
    // setWake sets what post calls after queueing (thread-safe itself, e.g. glfwPostEmptyEvent).
    // Set it before any worker starts.
    void setWake(std::function<void()> wake) { m_wake = std::move(wake); }

    // post queues `task` for the main thread; any thread.
    void post(std::function<void()> task);

    // drain runs, on the calling (main) thread, the tasks posted so far, in order; returns how
    // many ran. Tasks posted while it runs wait for the next drain.
    size_t drain();

    // waitPosted blocks until a task is queued or `most` passed; true when one is queued.
    // For headless drivers and tests (the window's loop sleeps in GLFW instead).
    bool waitPosted(std::chrono::milliseconds most);

private:
    std::mutex m_mutex;
    std::condition_variable m_posted;
    std::vector<std::function<void()>> m_tasks;
    std::function<void()> m_wake;
};

} // namespace backfill::app

// backfill (no subcommand): the touch UI (issue 12; docs/ui.md).
//
//   backfill [--db FILE] [--operator NAME] [--start SCREEN] [--window WxH] [--scale F]
//            [--screenshot FILE] [--exit-after MS | --frames N] [--stats] [--sound DEVICE]
//            [--probe FILE] [--camera DEV|FOLDER|none]
//
// The options are the main command's own, so they are read only when no subcommand is given.

#include "app/AppStore.h"
#include "app/Cli.h"
#include "app/Json.h"
#include "app/MainQueue.h"
#include "app/UiCamera.h"
#include "app/UiSession.h"
#include "app/UiSyncWorker.h"
#include "app/UiWriter.h"
#include "platform/Sound.h"
#include "platform/Window.h"
#include "ui/ScreenId.h"

#include <cstdio>
#include <fstream>
#include <memory>

namespace backfill::app {

namespace {

struct UiArgs {
    std::string start = "home";
    std::string window = "480x800";
    float scale = 0;
    std::string screenshot;
    long exitAfterMs = -1;
    long frames = -1;
    bool stats = false;
    long idleSignOutS = -1; // --idle-signout; < 0: the setting idle_signout_s, else 600 s
    std::string sound = "default"; // ALSA playback device; "none": silent, no notice
    std::string probe;             // --probe FILE: the screen, its result and its targets
    // --camera: a V4L2 device or a folder of frames; "none": no camera; empty (not given): the
    // setting `camera`, else none.
    std::string camera;
};

// Probe writes what the operator sees, as JSON, whenever it changes: the screen, the last
// result (class and words), the header's notice ("NO SOUND", "NO CAMERA"; null for none) and
// every touch target with its rectangle in window pixels ({"screen":"pick","feedback":
// "ACCEPTED","result":"...","notice":null,"targets":[{"label":"OK","x":..,"y":..,"w":..,
// "h":..}]}). End-to-end tests under Xvfb read it to know a scan was taken
// and where to click; written to FILE.tmp and renamed, so a reader never sees half of it.
class Probe {
public:
    explicit Probe(std::string path) : m_path(std::move(path)) {}
    void write(const UiSession& session, const char* notice, const std::vector<ui::TouchTarget>& targets)
    {
        const auto [feedback, words] = session.resultKey();
        Json t = Json::array();
        for (const auto& target : targets)
            t.push_back({{"label", target.label}, {"x", target.min.x}, {"y", target.min.y}, {"w", target.width()}, {"h", target.height()}});
        const std::string text = Json{{"screen", std::string(ui::screenName(session.screen()))},
                                      {"feedback", ui::feedbackWord(feedback)},
                                      {"result", words},
                                      {"notice", notice ? Json(notice) : Json()},
                                      {"targets", t}}
                                     .dump();
        if (text == m_last) return;
        m_last = text;
        const std::string tmp = m_path + ".tmp";
        {
            std::ofstream out(tmp, std::ios::trunc);
            out << text << '\n';
            if (!out) return; // a probe that cannot be written changes nothing for the operator
        }
        std::rename(tmp.c_str(), m_path.c_str());
    }

private:
    std::string m_path;
    std::string m_last;
};

// parseWindowSize reads "WxH" (each 100..8192).
bool parseWindowSize(const std::string& text, int& w, int& h)
{
    const auto x = text.find('x');
    if (x == std::string::npos || x == 0 || x + 1 >= text.size()) return false;
    if (text.find_first_not_of("0123456789x") != std::string::npos || text.find('x', x + 1) != std::string::npos) return false;
    if (x > 4 || text.size() - x - 1 > 4) return false;
    w = std::stoi(text.substr(0, x));
    h = std::stoi(text.substr(x + 1));
    return w >= 100 && w <= 8192 && h >= 100 && h <= 8192;
}

void runUi(GlobalOptions& g, const UiArgs& args)
{
    const auto start = ui::parseScreenName(args.start);
    platform::WindowOptions wo;
    parseWindowSize(args.window, wo.width, wo.height); // checked by the option's validator
    wo.scale = args.scale;
    wo.title = "Backfill";
    if (const char gs = g.gsChar()) wo.wedge.gsSubstitute = static_cast<unsigned char>(gs);

    // The window first: without a display nothing is created or written.
    auto window = platform::Window::open(wo);
    if (!window) {
        printError(window.error());
        g.exitCode = kExitFailure;
        return;
    }
    auto store = openStore(g, Access::Write);
    if (!store) return;
    if (!wo.wedge.gsSubstitute)
        if (auto stored = store->setting("gs_substitute"); stored && *stored && (*stored)->size() == 1)
            (*window)->setGsSubstitute(static_cast<unsigned char>((**stored)[0]));

    UiSession session(*store, g, start.value_or(ui::ScreenId::Home));
    if (args.idleSignOutS >= 0) session.setIdleSignOut(std::chrono::seconds(args.idleSignOutS));
    session.start();

    // The link to backfilld on its worker (an enrolled terminal only); its rounds come back
    // through the main-thread queue, drained at every wake-up of the loop.
    platform::Window& win = **window;
    MainQueue queue;
    queue.setWake([&win] { win.wake(); });
    // The slow reads (a Stock card, a search) on a worker of their own; without it (the
    // database cannot be opened twice) they run on this thread as before.
    // startWorker starts a UiReader or UiWriter on its own connection, or says why not (the
    // session then runs that work on this thread).
    auto startWorker = [&](auto started) {
        if (!started) printError(started.error());
        return started ? std::move(*started) : nullptr;
    };
    auto reader = startWorker(UiReader::start(g.databasePath(), std::chrono::milliseconds(g.busyTimeoutMs), queue));
    session.attachReader(reader.get());
    // The writes (a receipt, a move, a pick, a count, ...) on a worker of their own, in order:
    // another process holding the write lock stalls it, not the frame. Without it (the
    // database cannot be opened again) they run on this thread as before.
    auto writer = startWorker(UiWriter::start(g.databasePath(), std::chrono::milliseconds(g.busyTimeoutMs), queue));
    session.attachWriter(writer.get());
    std::unique_ptr<UiSyncWorker> worker;
    if (auto enrolled = store->enrolled(); enrolled && *enrolled) {
        UiSyncOptions so;
        so.dbPath = g.databasePath();
        so.busyTimeout = std::chrono::milliseconds(g.busyTimeoutMs);
        so.now = [&g] { return g.now(); };
        auto started = UiSyncWorker::start(so, queue, [&session](const UiSyncState& s) { session.applySync(s); });
        if (started) {
            worker = std::move(*started);
            session.attachSync(worker.get());
        } else {
            printError(started.error()); // the UI works offline without it
        }
    }

    // The camera, a second scan input: its sightings come through the queue into the frame's
    // scans, as the wedge's do. One that cannot be opened is a notice; the terminal goes on.
    std::string cameraSource = args.camera;
    if (cameraSource.empty())
        if (auto stored = store->setting("camera"); stored && *stored) cameraSource = **stored;
    if (cameraSource == "none") cameraSource.clear();
    std::unique_ptr<UiCamera> camera;
    std::optional<ledger::Error> cameraError;
    if (!cameraSource.empty()) {
        UiCameraOptions co;
        co.source = cameraSource;
        if (auto started = UiCamera::start(co, queue)) {
            camera = std::move(*started);
        } else {
            cameraError = started.error();
            printError(*cameraError); // the log says what and where; the header says NO CAMERA
        }
    }
    // A camera that stops (unplugged: camera_io, camera_timeout) shows the notice too; the
    // loop wakes at least every 2 s, so it appears within 2 s.
    auto checkCamera = [&] {
        if (cameraError || !camera) return false;
        cameraError = camera->error();
        if (cameraError) printError(*cameraError);
        return cameraError.has_value();
    };

    // A cue per result through ALSA; without a device every header says so.
    std::unique_ptr<platform::SoundPlayer> sound;
    std::optional<ledger::Error> soundError;
    if (args.sound != "none") {
        if (auto opened = platform::SoundPlayer::open(args.sound)) sound = std::move(*opened);
        else soundError = opened.error();
    }
    ui::UiContext ctx = win.context();
    std::optional<Probe> probe;
    if (!args.probe.empty()) probe.emplace(args.probe);
    std::vector<ui::TouchTarget> probeTargets;

    platform::LoopOptions lo;
    lo.onWake = [&] {
        bool posted = queue.drain() > 0;
        // The window manager's close asks first (ui/QuitConfirm.h).
        if (win.takeCloseRequests() > 0) {
            session.requestClose();
            posted = true;
        }
        const bool cameraFailed = checkCamera();
        return session.tick() || posted || cameraFailed;
    };
    lo.confirmClose = true;
    std::string notice;
    if (args.frames >= 0) lo.frames = args.frames;
    if (args.exitAfterMs >= 0) lo.exitAfter = std::chrono::milliseconds(args.exitAfterMs);
    lo.screenshotPath = args.screenshot;
    lo.measureScans = args.stats;
    lo.measureFrames = args.stats;
    auto report = win.run(lo, [&](const std::vector<scan::Scan>& scans) {
        ctx = win.context();
        notice.clear();
        if (soundError) notice = "NO SOUND";
        if (cameraError) notice += notice.empty() ? "NO CAMERA" : "  NO CAMERA";
        if (!notice.empty()) ctx.notice = notice.c_str();
        if (probe && !ctx.targets) {
            probeTargets.clear();
            ctx.targets = &probeTargets;
        }
        bool changed = false;
        if (camera) {
            // The camera's scans after the wedge's of the same wake-up: both are scans alike.
            std::vector<scan::Scan> all = scans;
            for (auto& s : camera->takeScans()) all.push_back(std::move(s));
            changed = session.frame(all, ctx);
        } else {
            changed = session.frame(scans, ctx);
        }
        if (probe) probe->write(session, ctx.notice, *ctx.targets);
        if (session.quitRequested()) win.quit();
        if (auto cue = session.takeCue(); cue && sound) sound->play(*cue);
        return changed;
    });
    worker.reset(); // stop the link before the session and the store go
    const long long cameraScans = camera ? camera->scans() : 0;
    camera.reset(); // its threads stop before the queue they post to goes
    const long writes = writer ? writer->writes() : 0;
    const std::vector<double> writeMs = writer ? writer->writeMs() : std::vector<double>{};
    // The writes still waiting (quit at once after a scan) are recorded before the writer goes;
    // their results are not shown.
    session.attachWriter(nullptr);
    writer.reset();
    const long reads = reader ? reader->reads() : 0;
    const std::vector<double> readMs = reader ? reader->readMs() : std::vector<double>{};
    reader.reset();
    if (sound) sound->waitIdle(); // the last result's cue is heard in full
    if (!report) {
        printError(report.error());
        g.exitCode = kExitFailure;
        return;
    }
    if (args.stats)
        printJson(Json{{"frames", report->frames},
                       {"wakeups", report->wakeups},
                       {"frame_ms_mean", report->meanFrameMs},
                       {"frame_ms_max", report->maxFrameMs},
                       {"screenshots", report->screenshots},
                       {"scan_to_drawn_ms", report->scanToDrawnMs},
                       {"frame_ms", report->frameMs},
                       {"frame_end_s", report->frameEndS},
                       {"screen", std::string(ui::screenName(session.screen()))},
                       {"sound", sound ? Json(args.sound) : Json()},
                       {"sound_error", soundError ? Json(soundError->code) : Json()},
                       {"cues_played", sound ? sound->played() : 0},
                       {"camera", cameraSource.empty() ? Json() : Json(cameraSource)},
                       {"camera_error", cameraError ? Json(cameraError->code) : Json()},
                       {"camera_scans", cameraScans},
                       {"reads", reads},
                       {"read_ms", readMs},
                       {"writes", writes},
                       {"write_ms", writeMs}});
}

} // namespace

void registerUiCommand(CLI::App& app, GlobalOptions& g)
{
    auto args = std::make_shared<UiArgs>();
    app.add_option("--start", args->start, "UI: screen to open after sign-in: home, receive, putaway, pick, count, stock, sync")
        ->check([](const std::string& name) {
            return ui::parseScreenName(name) ? std::string()
                                             : "'" + name + "' is no screen: home, receive, putaway, pick, count, stock or sync";
        });
    app.add_option("--window", args->window, "UI: window size WxH in pixels (default 480x800, portrait)")
        ->check([](const std::string& text) {
            int w = 0, h = 0;
            return parseWindowSize(text, w, h) ? std::string() : "'" + text + "' is not WxH with each side 100..8192, e.g. 1080x1920";
        });
    app.add_option("--scale", args->scale, "UI: scale of every size (default: window size against 480x800)")
        ->check(CLI::Range(0.5f, 8.0f));
    app.add_option("--screenshot", args->screenshot, "UI: write a PNG of the window once the first frames settled, and at exit");
    app.add_option("--exit-after", args->exitAfterMs, "UI: quit after MS milliseconds (tests, demo)")->check(CLI::Range(0L, 86400000L));
    app.add_option("--frames", args->frames, "UI: draw N frames without sleeping, then quit (tests, screenshots)")
        ->check(CLI::Range(1L, 1000000L));
    app.add_flag("--stats", args->stats, "UI: print frame statistics as JSON at exit");
    app.add_option("--idle-signout", args->idleSignOutS,
                   "UI: sign out after S seconds without input, 0 never (default: setting idle_signout_s, else 600)")
        ->check(CLI::Range(0L, 86400L));
    app.add_option("--probe", args->probe, "UI: write the screen, its last result and its touch targets as JSON to FILE on change (tests)");
    app.add_option("--camera", args->camera,
                   "UI: camera as a second scan input: a V4L2 device (/dev/video0) or a folder of image frames; none: no "
                   "camera (default: setting camera, else none)");
    app.add_option("--sound", args->sound, "UI: ALSA device for the result cues (default: default; none: silent)");
    app.callback([&app, &g, args] {
        if (app.get_subcommands().empty()) runUi(g, *args);
    });
}

} // namespace backfill::app

// End-to-end under Xvfb (issue 12 items 9 and 10): the real `backfill` window with a camera.
// A folder of frames made with zint plays as the camera (--camera FOLDER) and its label is
// received as a wedge scan would be; a camera that cannot be opened (here named by the
// terminal's setting `camera`) shows NO CAMERA in the header and the window goes on working;
// the window manager's close (WM_DELETE_WINDOW, sent through Xlib as a window manager sends
// it) asks "Quit Backfill?" and the window stays until Quit is clicked. The window reports
// what it shows through --probe FILE, so the test waits on it instead of sleeping blind.

#include "ui/XvfbHarness.h"

#include "store/StoreTestSupport.h"

#include <X11/Xlib.h>

#include <chrono>
#include <thread>

using namespace backfill::e2e;
using namespace backfill::e2e::xvfb;
using namespace std::chrono_literals;

namespace {

const char* kLocations = "code,kind,sequence\nDOCK-1,receiving,1\nA-01,storage,100\n";
const char* kCatalog = "sku,description,gtin\nMUG,Mug,9501101010079\nTEA,Tea,9501101010147\n";

// CameraWindow is one `backfill --start receive` on `x` with its probe, and `extra` options.
class CameraWindow : public ProbedWindow {
public:
    CameraWindow(const CliHarness& cli, const Xvfb& x, const std::vector<std::string>& extra)
        : ProbedWindow(x, args(cli, extra), (cli.dir() / "probe.json").string(), (cli.dir() / "ui.txt").string(), "receive")
    {
    }

    // closeFromWindowManager sends WM_PROTOCOLS / WM_DELETE_WINDOW to the window, as a
    // window manager does when its close button is pressed (ICCCM 4.2.8.1).
    void closeFromWindowManager() const
    {
        Display* d = XOpenDisplay(x().display().c_str());
        REQUIRE(d != nullptr);
        XEvent e{};
        e.xclient.type = ClientMessage;
        e.xclient.window = windowId();
        e.xclient.message_type = XInternAtom(d, "WM_PROTOCOLS", False);
        e.xclient.format = 32;
        e.xclient.data.l[0] = static_cast<long>(XInternAtom(d, "WM_DELETE_WINDOW", False));
        e.xclient.data.l[1] = CurrentTime;
        REQUIRE(XSendEvent(d, windowId(), False, NoEventMask, &e) != 0);
        XFlush(d);
        XCloseDisplay(d);
    }

    // closeAskStayThenQuit: the window manager's close asks first; Stay keeps the window; asked again,
    // Quit ends it. Returns the UI's --stats.
    Json closeAskStayThenQuit()
    {
        closeFromWindowManager();
        REQUIRE_MESSAGE(waitFor([](const Json& p) { return hasTarget(p, "Quit") && hasTarget(p, "Stay"); }, 20s),
                        "no quit confirmation: " << probe().dump());
        std::this_thread::sleep_for(500ms);
        CHECK(process().running()); // the close asked; it did not quit
        click("Stay");
        REQUIRE_MESSAGE(waitFor([](const Json& p) { return !hasTarget(p, "Quit"); }, 20s), "Stay kept the dialog: " << probe().dump());
        std::this_thread::sleep_for(500ms);
        CHECK(process().running());
        CHECK(probe()["screen"] == "receive");

        closeFromWindowManager();
        REQUIRE(waitFor([](const Json& p) { return hasTarget(p, "Quit"); }, 20s));
        const auto clicked = std::chrono::steady_clock::now();
        click("Quit");
        const int status = process().wait();
        // Well before --exit-after: the Quit ended it.
        CHECK(std::chrono::steady_clock::now() - clicked < 30s);
        std::ifstream err(outPath() + ".err");
        const std::string errText((std::istreambuf_iterator<char>(err)), std::istreambuf_iterator<char>());
        INFO("the UI's stderr: " << errText);
        CHECK(status == 0);
        std::ifstream out(outPath());
        const Json stats = Json::parse(out, nullptr, false);
        REQUIRE_FALSE(stats.is_discarded());
        return stats;
    }

private:
    static std::vector<std::string> args(const CliHarness& cli, const std::vector<std::string>& extra)
    {
        std::vector<std::string> a{"--db", cli.db(), "--today", CliHarness::kToday, "--start", "receive", "--exit-after", "100000",
                                   "--sound", "none", "--stats"};
        a.insert(a.end(), extra.begin(), extra.end());
        return a;
    }
};

void seed(const CliHarness& cli)
{
    REQUIRE(cli.run({"import", "locations", cli.writeFile("l.csv", kLocations)}).status == 0);
    REQUIRE(cli.run({"import", "catalog", cli.writeFile("c.csv", kCatalog)}).status == 0);
}

} // namespace

TEST_CASE("a label in the camera's frames is received on the window; closing asks first")
{
    CliHarness cli;
    seed(cli);
    const std::filesystem::path frames = cli.dir() / "frames";
    std::filesystem::create_directory(frames);
    const std::string cmd = "zint -b 16 --gs1 --scale 2 -o '" + (frames / "f0.png").string() +
                            "' -d '[01]09501101010079[30]5[10]L7' >/dev/null 2>&1";
    REQUIRE(std::system(cmd.c_str()) == 0);

    Xvfb x;
    CameraWindow w(cli, x, {"--camera", frames.string()});
    // The folder plays once the window is up; the receipt shows in the probe and the history.
    REQUIRE_MESSAGE(w.waitFor([](const Json& p) { return p["feedback"] == "ACCEPTED"; }, 60s), "probe: " << w.probe().dump());
    const std::string scan = "]C10109501101010079305\x1d" "10L7";
    CHECK(w.probe()["result"] == scan + "\n\n");
    CHECK(w.probe()["notice"].is_null());
    const Json history = cli.run({"history"}).json();
    REQUIRE(history.size() == 1);
    CHECK(history[0]["kind"] == "receive");
    CHECK(history[0]["scan"] == scan);
    CHECK(history[0]["operator"] == "cli");

    const Json stats = w.closeAskStayThenQuit();
    CHECK(stats["camera"] == frames.string());
    CHECK(stats["camera_error"].is_null());
    CHECK(stats["camera_scans"] == 1);
    CHECK(stats["screen"] == "receive");
    // Received once: 5 mugs of lot L7 at the receiving location.
    const Json stock = cli.stockDetail("MUG");
    INFO(stock.dump());
    REQUIRE(stock.size() == 1);
    CHECK(stock[0]["on_hand"] == 5);
    REQUIRE(stock[0]["locations"].size() == 1);
    CHECK(stock[0]["locations"][0]["location"] == "DOCK-1");
    CHECK(stock[0]["locations"][0]["lot"] == "L7");
    CHECK(stock[0]["locations"][0]["qty"] == 5);
    CHECK(cli.run({"history"}).json().size() == 1);
}

TEST_CASE("a camera that cannot be opened shows NO CAMERA and the window goes on working")
{
    CliHarness cli;
    seed(cli);
    {
        // The terminal's setting names the camera (no --camera given).
        backfill::test::PlainDb db(cli.db());
        db.exec("INSERT INTO settings(key, value) VALUES('camera', '/nonexistent/video9')");
    }
    Xvfb x;
    CameraWindow w(cli, x, {});
    REQUIRE_MESSAGE(w.waitFor([](const Json& p) { return p["notice"] == "NO CAMERA"; }, 30s), "probe: " << w.probe().dump());
    CHECK(w.process().running());
    // The wedge still scans: a typed label is received.
    for (int attempt = 0; attempt < 2; ++attempt) {
        std::vector<std::string> args{"nice", "-n", "-10", "xdotool", "key", "--delay", "2"};
        for (auto& k : keysyms("(01)09501101010147(30)2")) args.push_back(k);
        args.push_back("Return");
        Child t(args, {"DISPLAY=" + x.display()});
        REQUIRE(t.wait() == 0);
        if (w.waitFor([](const Json& p) { return p["feedback"] == "ACCEPTED"; }, attempt == 0 ? 8s : 20s)) break;
        MESSAGE("the typed scan was not taken in time (a descheduled xdotool), typing it once more");
    }
    CHECK(w.probe()["feedback"] == "ACCEPTED");
    CHECK(w.probe()["notice"] == "NO CAMERA");

    const Json stats = w.closeAskStayThenQuit();
    CHECK(stats["camera"] == "/nonexistent/video9");
    CHECK(stats["camera_error"] == "camera_unavailable");
    CHECK(stats["camera_scans"] == 0);
    std::ifstream err(w.outPath() + ".err");
    const std::string errText((std::istreambuf_iterator<char>(err)), std::istreambuf_iterator<char>());
    CHECK(errText.find("\"code\":\"camera_unavailable\"") != std::string::npos);
}

// The camera as a second scan input (issue 12 item 9), headless and in process: frames made at
// test time with zint (GS1-128 labels) in a folder, played by the real FileSequenceSource
// through the real CameraScanner in UiCamera, posted to the real MainQueue, and handed to the
// real UiSession::frame as the wedge's scans are; the receipt is asserted on the Receive view
// and in the store. UiCamera's start errors are the sources' exact codes.

#include "ui/SessionHarness.h"

#include "app/MainQueue.h"
#include "app/UiCamera.h"

#include <cstdlib>
#include <filesystem>

using namespace backfill;
using namespace std::chrono_literals;
using backfill::uitest::SessionHarness;

namespace {

// FrameFolder is a fresh folder of frames, removed at scope exit.
class FrameFolder {
public:
    FrameFolder()
    {
        std::string pattern = (std::filesystem::temp_directory_path() / "backfill-frames-XXXXXX").string();
        REQUIRE(::mkdtemp(pattern.data()) != nullptr);
        m_path = pattern;
    }
    ~FrameFolder()
    {
        std::error_code ec;
        std::filesystem::remove_all(m_path, ec);
    }
    std::string path() const { return m_path.string(); }

    // label writes frame `name`.png: a GS1-128 label of `data` (zint's bracketed AIs).
    void label(const std::string& name, const std::string& data) const
    {
        const std::string cmd = "zint -b 16 --gs1 --scale 2 -o '" + (m_path / (name + ".png")).string() + "' -d '" + data +
                                "' >/dev/null 2>&1";
        REQUIRE_MESSAGE(std::system(cmd.c_str()) == 0, "zint failed: " << cmd);
    }
    // copy writes frame `to` as a copy of frame `from` (the same code still in view).
    void copy(const std::string& from, const std::string& to) const
    {
        std::filesystem::copy_file(m_path / (from + ".png"), m_path / (to + ".png"));
    }

private:
    std::filesystem::path m_path;
};

// played runs `folder` through a UiCamera to its end, every frame decoded, and gives the scans
// the main thread drained from the queue.
std::vector<scan::Scan> played(app::UiCamera& camera, app::MainQueue& queue)
{
    REQUIRE(camera.waitFinished(120s));
    queue.drain();
    return camera.takeScans();
}

app::UiCameraOptions folderOptions(const FrameFolder& folder)
{
    app::UiCameraOptions o;
    o.source = folder.path();
    o.scanner.dropStale = false; // deterministic: every frame is decoded
    o.folder.realTime = false;
    return o;
}

} // namespace

TEST_CASE("camera session: labels seen by the camera are received as wedge scans are")
{
    FrameFolder frames;
    // The mug label held in view for three frames (one sighting), then the tea label.
    frames.label("f00", "[01]09501101010079[30]12[10]L7");
    frames.copy("f00", "f01");
    frames.copy("f00", "f02");
    frames.label("f03", "[01]09501101010147[30]3");

    SessionHarness s("camera", ui::ScreenId::Receive);
    s.orders("SO-1,1,Acme,a@example.com,MUG,5,1,2026-12-01,\n");
    s.start();
    REQUIRE(s.session().screen() == ui::ScreenId::Receive);

    app::MainQueue queue;
    int wakes = 0;
    queue.setWake([&wakes] { ++wakes; }); // read after waitFinished: every post happened before
    auto camera = app::UiCamera::start(folderOptions(frames), queue);
    REQUIRE(camera);
    const auto scans = played(**camera, queue);
    CHECK(wakes == 2);
    REQUIRE(scans.size() == 2);
    // AIM identifier ]C1 (GS1-128) and the element string; (30) is variable length, so a GS
    // separates it from (10).
    CHECK(scans[0].text == "]C10109501101010079" "3012\x1d" "10L7");
    CHECK(scans[1].text == "]C10109501101010147303");
    CHECK_FALSE(scans[0].doubleRead);
    CHECK((*camera)->scans() == 2);
    CHECK_FALSE((*camera)->error());

    // The mug first, in the frame the scans arrive in, exactly as a wedge scan.
    const auto& v = s.session().receiveView();
    s.ui().frame([&] { s.session().frame({scans[0]}, s.ui().ctx()); });
    REQUIRE(v.last);
    CHECK(v.last->feedback == ui::Feedback::Accepted);
    CHECK(v.last->scan == scans[0].text);
    REQUIRE(v.last->lines.size() == 1);
    const auto& mug = v.last->lines[0];
    CHECK(mug.sku == "MUG");
    CHECK(mug.qty == 12);
    CHECK(mug.lot == std::optional<std::string>("L7"));
    CHECK(mug.location == "DOCK");
    REQUIRE(mug.allocations.size() == 1);
    CHECK(mug.allocations[0].qty == 5);
    CHECK(mug.allocations[0].orderId == "SO-1");
    CHECK(mug.allocations[0].customer == "Acme");
    CHECK(mug.allocations[0].stage == std::optional<std::string>("OUT1"));
    CHECK(mug.toStock == 7);
    CHECK(mug.overReceipt == 12); // no ASN announced it: every unit is beyond an announcement
    CHECK(s.session().takeCue() == ui::Feedback::Accepted);

    s.ui().frame([&] { s.session().frame({scans[1]}, s.ui().ctx()); });
    REQUIRE(v.last);
    CHECK(v.last->feedback == ui::Feedback::Accepted);
    REQUIRE(v.last->lines.size() == 1);
    CHECK(v.last->lines[0].sku == "TEA");
    CHECK(v.last->lines[0].qty == 3);
    CHECK_FALSE(v.last->lines[0].lot);
    CHECK(v.last->lines[0].allocations.empty());
    CHECK(v.last->lines[0].toStock == 3);

    // The store: both receipts at DOCK, newest first in the latest receipts; nothing else.
    REQUIRE(v.recent.size() == 2);
    CHECK(v.recent[0].sku == "TEA");
    CHECK(v.recent[0].qty == 3);
    CHECK(v.recent[1].sku == "MUG");
    CHECK(v.recent[1].qty == 12);
    CHECK(v.recent[1].lot == std::optional<std::string>("L7"));
    CHECK(s.stockAt("MUG", "DOCK") == 7);
    CHECK(s.stockAt("MUG", "OUT1") == 5); // SO-1's 5, carried to its staging lane
    CHECK(s.stockAt("TEA", "DOCK") == 3);
}

TEST_CASE("camera session: a product label the camera sees on Home opens its stock card")
{
    FrameFolder frames;
    frames.label("f0", "[01]09501101010079");
    SessionHarness s("camera-home", ui::ScreenId::Home);
    s.start();
    app::MainQueue queue;
    auto camera = app::UiCamera::start(folderOptions(frames), queue);
    REQUIRE(camera);
    const auto scans = played(**camera, queue);
    REQUIRE(scans.size() == 1);
    CHECK(scans[0].text == "]C10109501101010079");
    s.ui().frame([&] { s.session().frame(scans, s.ui().ctx()); });
    CHECK(s.session().screen() == ui::ScreenId::Stock);
}

TEST_CASE("camera session: a camera that cannot be opened fails with the source's code")
{
    app::MainQueue queue;
    app::UiCameraOptions o;
    o.source = "/dev/null";
    auto notCamera = app::UiCamera::start(o, queue);
    REQUIRE_FALSE(notCamera);
    CHECK(notCamera.error().code == "not_a_camera");

    o.source = "/nonexistent/video9";
    auto missing = app::UiCamera::start(o, queue);
    REQUIRE_FALSE(missing);
    CHECK(missing.error().code == "camera_unavailable");

    FrameFolder empty;
    o.source = empty.path();
    auto noFrames = app::UiCamera::start(o, queue);
    REQUIRE_FALSE(noFrames);
    CHECK(noFrames.error().code == "no_frames");
    CHECK(queue.drain() == 0);
}

TEST_CASE("camera session: scans drained after the camera went are dropped, not dangling")
{
    FrameFolder frames;
    frames.label("f0", "[01]09501101010147[30]1");
    app::MainQueue queue;
    {
        auto camera = app::UiCamera::start(folderOptions(frames), queue);
        REQUIRE(camera);
        REQUIRE((*camera)->waitFinished(120s));
    } // destroyed with its sighting still in the queue
    CHECK(queue.drain() == 1);
}

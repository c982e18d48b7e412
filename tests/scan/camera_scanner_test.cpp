// The camera path: SightingTracker, CameraScanner over the file-sequence source (every frame,
// and dropping stale frames), and the V4L2 source's errors on nodes that are not cameras.

#include "image_test_support.h"

#include "scan/image/CameraScanner.h"
#include "scan/image/FileSequenceSource.h"
#include "scan/image/SightingTracker.h"
#include "scan/image/V4l2Camera.h"

#include <mutex>

using namespace backfill;
using namespace backfill::scan::image;
using namespace backfill::scan::image::testing;
using namespace std::chrono_literals;
using ZXing::BarcodeFormat;

namespace {

DecodedBarcode code(const std::string& text)
{
    DecodedBarcode b;
    b.format = "QRCode";
    b.text = text;
    return b;
}

std::vector<std::string> texts(const std::vector<DecodedBarcode>& v)
{
    std::vector<std::string> out;
    for (const auto& b : v) out.push_back(b.text);
    return out;
}

// Frames: a 320x240 grey scene, optionally with a QR code in it.
GrayImage scene(const std::string& text)
{
    GrayImage img = withNoise(GrayImage(320, 240, 180), 6);
    if (!text.empty()) paste(img, generated(BarcodeFormat::QRCode, text, 120, 120, 8), 100, 60);
    return img;
}

struct Collected {
    std::mutex mutex;
    std::vector<Sighting> sightings;
    void add(const Sighting& s)
    {
        std::lock_guard lock(mutex);
        sightings.push_back(s);
    }
};

} // namespace

TEST_CASE("SightingTracker reports a code once while it stays in view, again after it left")
{
    SightingTracker t(500ms);
    const auto t0 = std::chrono::steady_clock::time_point{} + 10s;
    CHECK(texts(t.update({code("A")}, t0)) == std::vector<std::string>{"A"});
    CHECK(t.update({code("A")}, t0 + 100ms).empty());
    CHECK(t.update({}, t0 + 300ms).empty());                       // blurred frame: still in view
    CHECK(texts(t.update({code("A"), code("B")}, t0 + 400ms)) == std::vector<std::string>{"B"}); // only B is new
    CHECK(t.update({code("B")}, t0 + 700ms).empty());
    CHECK(t.update({code("B")}, t0 + 1000ms).empty());             // A not seen for 600 ms: left
    CHECK(t.inView() == 1);
    CHECK(texts(t.update({code("A")}, t0 + 1100ms)) == std::vector<std::string>{"A"});
    // The same text in another symbology is another code.
    DecodedBarcode other = code("A");
    other.format = "DataMatrix";
    CHECK(t.update({other}, t0 + 1150ms).size() == 1);
}

TEST_CASE("CameraScanner, every frame: each code once per sighting, in frame order")
{
    TempDir dir;
    // 33 ms apart: A for 4 frames, 30 frames (~1 s) of nothing, A again, then B.
    std::vector<std::string> sequence;
    sequence.insert(sequence.end(), 4, "A-001");
    sequence.insert(sequence.end(), 30, "");
    sequence.insert(sequence.end(), 3, "A-001");
    sequence.insert(sequence.end(), 3, "B-002");
    std::map<std::string, std::string> written;
    std::vector<std::string> files;
    for (std::size_t i = 0; i < sequence.size(); ++i) {
        auto [it, fresh] = written.try_emplace(sequence[i], dir.file("scene-" + std::to_string(written.size()) + ".png"));
        if (fresh) savePng(it->second, scene(sequence[i]));
        files.push_back(it->second);
    }
    CameraScannerOptions options;
    options.dropStale = false;
    options.decode.retry = false;  // blank frames: no need to spend the retry budget
    Collected got;
    CameraScanner scanner(std::make_unique<FileSequenceSource>(files), options, [&](const Sighting& s) { got.add(s); });
    scanner.start();
    REQUIRE(scanner.waitFinished(60s));
    const auto stats = scanner.stats();
    CHECK(stats.captured == sequence.size());
    CHECK(stats.decoded == sequence.size());
    CHECK(stats.dropped == 0);
    CHECK(stats.sightings == 3);
    CHECK_FALSE(scanner.error().has_value());
    REQUIRE(got.sightings.size() == 3);
    CHECK(got.sightings[0].barcode.text == "A-001");
    CHECK(got.sightings[0].frame == 0);
    CHECK(got.sightings[1].barcode.text == "A-001");
    CHECK(got.sightings[1].frame == 34);
    CHECK(got.sightings[2].barcode.text == "B-002");
    CHECK(got.sightings[2].frame == 37);
    CHECK(got.sightings[2].barcode.format == "QRCode");
}

TEST_CASE("CameraScanner drops stale frames and always decodes the newest")
{
    TempDir dir;
    // Many frames with nothing in them arrive faster than the decoder (which spends its retry
    // budget on each), then the code. The code must still be seen: the last frame is never
    // dropped, and frames the decoder did not get to are counted as dropped.
    savePng(dir.file("blank.png"), scene(""));
    savePng(dir.file("code.png"), scene("PALLET-7"));
    std::vector<std::string> files(40, dir.file("blank.png"));
    files.push_back(dir.file("code.png"));
    CameraScannerOptions options;
    options.decode.retryBudget = 30ms;
    Collected got;
    CameraScanner scanner(std::make_unique<FileSequenceSource>(files), options, [&](const Sighting& s) { got.add(s); });
    scanner.start();
    REQUIRE(scanner.waitFinished(60s));
    const auto stats = scanner.stats();
    CHECK(stats.captured == 41);
    CHECK(stats.decoded + stats.dropped == 41);
    CHECK(stats.dropped > 0);
    REQUIRE(got.sightings.size() == 1);
    CHECK(got.sightings[0].barcode.text == "PALLET-7");
    CHECK(got.sightings[0].frame == 40);
}

TEST_CASE("CameraScanner skips unreadable frames and stops cleanly on request")
{
    TempDir dir;
    savePng(dir.file("a.png"), scene("OK-1"));
    saveBytes(dir.file("b.png"), "\x89PNG\r\n\x1a\n broken");
    CameraScannerOptions options;
    options.dropStale = false;
    Collected got;
    {
        CameraScanner scanner(std::make_unique<FileSequenceSource>(std::vector<std::string>{dir.file("b.png"), dir.file("a.png")}),
                              options, [&](const Sighting& s) { got.add(s); });
        scanner.start();
        REQUIRE(scanner.waitFinished(60s));
        CHECK(scanner.stats().unreadable == 1);
        CHECK(scanner.stats().captured == 1);
        CHECK_FALSE(scanner.error().has_value());
    }
    REQUIRE(got.sightings.size() == 1);
    CHECK(got.sightings[0].barcode.text == "OK-1");

    // A real-time source with 30 s between frames: stop() interrupts the wait for the next
    // one (without interrupt() it would take up to 30 s).
    FileSequenceOptions slow;
    slow.realTime = true;
    slow.frameInterval = 30s;
    slow.repeat = 100;
    CameraScanner scanner(std::make_unique<FileSequenceSource>(std::vector<std::string>{dir.file("a.png")}, slow), options,
                          [](const Sighting&) {});
    scanner.start();
    const auto t0 = std::chrono::steady_clock::now();
    scanner.stop();
    CHECK(std::chrono::steady_clock::now() - t0 < 5s);
    CHECK(scanner.stats().captured <= 1);
}

TEST_CASE("FileSequenceSource::filesIn lists images in name order, or says why not")
{
    TempDir dir;
    savePng(dir.file("b.png"), GrayImage(4, 4, 0));
    savePgm(dir.file("a.pgm"), GrayImage(4, 4, 0));
    saveBytes(dir.file("notes.txt"), "x");
    auto files = FileSequenceSource::filesIn(dir.path().string());
    REQUIRE(files.has_value());
    REQUIRE(files->size() == 2);
    CHECK((*files)[0] == dir.file("a.pgm"));
    CHECK((*files)[1] == dir.file("b.png"));

    auto missing = FileSequenceSource::filesIn(dir.file("nope"));
    REQUIRE_FALSE(missing.has_value());
    CHECK(missing.error().code == "no_frames");
    TempDir empty;
    auto none = FileSequenceSource::filesIn(empty.path().string());
    REQUIRE_FALSE(none.has_value());
    CHECK(none.error().code == "no_frames");
}

TEST_CASE("V4l2Camera: missing device and non-camera nodes give their error codes")
{
    auto missing = V4l2Camera::open("/dev/video-backfill-test-none");
    REQUIRE_FALSE(missing.has_value());
    CHECK(missing.error().code == "camera_unavailable");
    CHECK(missing.error().message.find("/dev/video-backfill-test-none") == 0);

    auto notCamera = V4l2Camera::open("/dev/null");
    REQUIRE_FALSE(notCamera.has_value());
    CHECK(notCamera.error().code == "not_a_camera");
}

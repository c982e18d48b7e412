// backfill decode: barcodes from image files, or continuously from a camera.
//
//   backfill decode IMAGE...            one JSON line per image:
//       {"file":...,"barcodes":[{"format","text","symbology","gs1","elements","position"}],"ms":N}
//     an image that cannot be read gives {"file":...,"code":"unreadable_image","error":...}
//     and exit status 1; the other images are still decoded.
//   backfill decode --camera /dev/video0   one JSON line per sighting, until --count sightings,
//     --seconds elapsed or Ctrl+C. A folder instead of a device plays its images as frames.

#include "app/Cli.h"
#include "app/Json.h"

#include "scan/image/CameraScanner.h"
#include "scan/image/FileSequenceSource.h"
#include "scan/image/ImageDecoder.h"
#include "scan/image/ImageLoader.h"
#include "scan/image/V4l2Camera.h"

#include "app/ScanJson.h"

#include <atomic>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <memory>

namespace backfill::app {
namespace {

using namespace scan::image;

std::atomic<bool> g_interrupted{false};  // set by SIGINT during --camera only

Json elementsOf(const DecodedBarcode& b)
{
    if (!b.interpretation) return Json::array();
    return elementsJson(*b.interpretation);
}

void fillBarcode(Json& j, const DecodedBarcode& b)
{
    j["format"] = b.format;
    j["text"] = b.text;
    j["symbology"] = b.symbology;
    j["gs1"] = b.gs1;
    j["elements"] = elementsOf(b);
    Json pos = Json::array();
    for (const auto& p : b.position) pos.push_back(Json::array({p.x, p.y}));
    j["position"] = std::move(pos);
}

struct DecodeArgs {
    std::vector<std::string> images;
    std::string formats;
    int budgetMs = -1;  // -1: the default of the mode (files 800 ms, camera 120 ms)
    bool noRetry = false;
    std::string camera;
    int count = 0;
    double seconds = 0;
    bool everyFrame = false;
    double fps = 30;
};

// decodeOptions applies the flags the user gave on top of the mode's defaults (files: the
// decoder's; a camera: CameraScannerOptions', which stop each pass at its first symbol).
DecodeOptions decodeOptions(DecodeOptions o, const DecodeArgs& a, const GlobalOptions& g)
{
    if (!a.formats.empty()) {
        auto f = parseFormats(a.formats);
        if (!f) throw CLI::ValidationError("--formats", f.error().message);
        o.formats = *f;
    }
    if (a.noRetry) o.retry = false;
    if (a.budgetMs >= 0) o.retryBudget = std::chrono::milliseconds(a.budgetMs);
    o.today = g.today();
    return o;
}

int decodeFiles(const DecodeArgs& a, const GlobalOptions& g)
{
    const ImageDecoder decoder(decodeOptions(DecodeOptions{}, a, g));
    int status = kExitOk;
    for (const auto& file : a.images) {
        const auto t0 = std::chrono::steady_clock::now();
        auto image = loadImageFile(file);
        if (!image) {
            printJson(Json{{"file", file}, {"code", image.error().code}, {"error", image.error().message}});
            status = kExitRejected;
            continue;
        }
        const auto found = decoder.decode(image->view());
        const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
        Json barcodes = Json::array();
        for (const auto& b : found) {
            Json j;
            fillBarcode(j, b);
            barcodes.push_back(std::move(j));
        }
        printJson(Json{{"file", file}, {"barcodes", std::move(barcodes)}, {"ms", static_cast<long long>(ms.count())}});
    }
    return status;
}

int decodeCamera(const DecodeArgs& a, const GlobalOptions& g)
{
    CameraScannerOptions options;
    options.decode = decodeOptions(options.decode, a, g);
    options.dropStale = !a.everyFrame;

    std::unique_ptr<FrameSource> source;
    if (std::filesystem::is_directory(a.camera)) {
        auto files = FileSequenceSource::filesIn(a.camera);
        if (!files) {
            printError(files.error());
            return kExitFailure;
        }
        FileSequenceOptions fo;
        fo.realTime = a.fps > 0;
        fo.frameInterval = std::chrono::milliseconds(a.fps > 0 ? static_cast<long>(1000 / a.fps) : 33);
        source = std::make_unique<FileSequenceSource>(std::move(*files), fo);
    } else {
        auto cam = V4l2Camera::open(a.camera);
        if (!cam) {
            printError(cam.error());
            return kExitFailure;
        }
        source = std::move(*cam);
    }
    std::atomic<int> sightings{0};
    CameraScanner scanner(std::move(source), options, [&](const Sighting& s) {
        Json j{{"camera", a.camera}, {"frame", s.frame}};
        fillBarcode(j, s.barcode);
        j["ms"] = static_cast<long long>(s.decodeTime.count());
        printJson(j);
        ++sightings;
    });
    g_interrupted = false;
    auto previous = std::signal(SIGINT, [](int) { g_interrupted = true; });
    const auto deadline = std::chrono::steady_clock::now() +
                          std::chrono::milliseconds(static_cast<long long>(a.seconds * 1000));
    scanner.start();
    while (!scanner.waitFinished(std::chrono::milliseconds(50))) {
        if (g_interrupted) break;
        if (a.count > 0 && sightings >= a.count) break;
        if (a.seconds > 0 && std::chrono::steady_clock::now() >= deadline) break;
    }
    scanner.stop();
    std::signal(SIGINT, previous);
    if (const auto err = scanner.error()) {
        printError(*err);
        return kExitFailure;
    }
    return kExitOk;
}

} // namespace

void registerDecodeCommand(CLI::App& app, GlobalOptions& g)
{
    auto args = std::make_shared<DecodeArgs>();
    auto* cmd = app.add_subcommand("decode", "decode barcodes in image files (PNG, JPEG, PGM/PPM) or from a camera");
    cmd->add_option("images", args->images, "image files");
    cmd->add_option("--formats", args->formats,
                    "comma-separated formats (default EAN-13,EAN-8,UPC-A,UPC-E,Code128,ITF,DataMatrix,QRCode,PDF417)");
    cmd->add_option("--budget", args->budgetMs, "time in ms for preprocessing retries per image (default 800; camera 120)")
        ->check(CLI::Range(0, 60000));
    cmd->add_flag("--no-retry", args->noRetry, "plain ZXing pass only, no preprocessing retries");
    cmd->add_option("--camera", args->camera, "V4L2 device (/dev/video0), or a folder of frames to play");
    cmd->add_option("--count", args->count, "camera: stop after this many sightings")->check(CLI::NonNegativeNumber);
    cmd->add_option("--seconds", args->seconds, "camera: stop after this many seconds")->check(CLI::NonNegativeNumber);
    cmd->add_flag("--every-frame", args->everyFrame, "camera: decode every frame instead of dropping stale ones");
    cmd->add_option("--fps", args->fps, "frame folder: frames per second to play (0: as fast as they load)")
        ->check(CLI::NonNegativeNumber);
    cmd->callback([args, &g] {
        if (args->camera.empty() == args->images.empty())
            throw CLI::ValidationError("decode", "give image files or --camera DEVICE, not both or neither");
        g.exitCode = args->camera.empty() ? decodeFiles(*args, g) : decodeCamera(*args, g);
    });
}

} // namespace backfill::app

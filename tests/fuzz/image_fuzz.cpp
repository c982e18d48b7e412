// libFuzzer target for image files (terminal/scan/image): the bytes go through
// decodeImageBytes (PNG and PGM/PPM by stb_image, JPEG by libturbojpeg) and, when they load,
// through ImageDecoder (ZXing 1.4.0 and our preprocessing retries), as `backfill decode` does.
//
// Byte 0 picks the options:
//   bits 0-1  formats: the warehouse set, linear only, matrix only, every ZXing format
//   bit 2     retry (the preprocessing retries, with a short budget)
//   bit 3     findAll
//   bit 4     confirmLinear
//   bit 5     a JPEG is read as a camera frame (decodeJpegGray, not strict)
// the remaining bytes are the file.
//
// The work per input is bounded by options, not by skipping code: images of more than
// kFuzzMaxPixels are refused by the loader's header check (the same check that refuses a
// header claiming 60000 x 60000 in production), and the retries get kFuzzRetryBudget.
//
// Beyond "no crash, no UB, no leak, no allocation beyond -malloc_limit_mb" it checks the
// contracts: a refusal is "unreadable_image" with a message naming the file; an image that
// loads has the size its header promised and no more than maxPixels; every reported EAN/UPC
// carries a valid GTIN (zero misreads) and a position.

#include "ledger/CheckDigit.h"
#include "scan/image/ImageDecoder.h"
#include "scan/image/ImageLoader.h"

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>

using namespace backfill;
using namespace backfill::scan::image;

namespace {

constexpr long long kFuzzMaxPixels = 160 * 160;
constexpr std::chrono::milliseconds kFuzzRetryBudget{40};
constexpr const char* kName = "fuzz.img";

void check(bool condition)
{
    if (!condition) std::abort();
}

ZXing::BarcodeFormats formatsOf(std::uint8_t bits)
{
    switch (bits & 3) {
    case 0: return warehouseFormats();
    case 1: return ZXing::BarcodeFormat::LinearCodes;
    case 2: return ZXing::BarcodeFormat::MatrixCodes;
    default: return ZXing::BarcodeFormat::Any;
    }
}

bool isJpeg(std::span<const std::uint8_t> b) { return b.size() >= 3 && b[0] == 0xff && b[1] == 0xd8 && b[2] == 0xff; }

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size < 1) return 0;
    const std::uint8_t flags = data[0];
    const std::span<const std::uint8_t> file(data + 1, size - 1);

    ImageLoadOptions load;
    load.maxPixels = kFuzzMaxPixels;
    const bool cameraFrame = (flags & 32) && isJpeg(file);
    const auto image = cameraFrame ? decodeJpegGray(file, kName, /*strict=*/false, load)
                                   : decodeImageBytes(file, kName, load);
    if (!image) {
        check(image.error().code == "unreadable_image");
        check(image.error().message.rfind(kName, 0) == 0 && image.error().message.size() > std::string(kName).size() + 2);
        return 0;
    }
    check(image->width() > 0 && image->height() > 0);
    check(static_cast<long long>(image->width()) * image->height() <= kFuzzMaxPixels);

    DecodeOptions options;
    options.formats = formatsOf(flags);
    options.retry = flags & 4;
    options.retryBudget = kFuzzRetryBudget;
    options.findAll = flags & 8;
    options.confirmLinear = flags & 16;
    options.today = ledger::Date{20000};
    const ImageDecoder decoder(options);
    for (const auto& b : decoder.decode(image->view())) {
        check(!b.format.empty() && !b.pass.empty());
        if (b.format == "EAN-13" || b.format == "EAN-8" || b.format == "UPC-A") check(ledger::isGtin(b.text));
        if (b.format == "UPC-E") check(gtinOfUpce(b.text).has_value() && ledger::isGtin(*gtinOfUpce(b.text)));
    }
    return 0;
}

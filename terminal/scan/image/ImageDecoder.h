#pragma once
// ImageDecoder finds every barcode in a grey image with ZXing-cpp 1.4.0, retries with cheap
// preprocessing when the plain pass finds nothing, and refuses anything that might be a
// misread.
//
// Contract:
// - Never aborts the process. Debian's libZXing 1.4.0 is built with assertions on and
//   `Result::operator==` asserts on some 1D images when DecodeHints::tryDownscale is on
//   (zxing-cpp fixed it in 2.2.0), so tryDownscale is always off here; down-scaled passes are
//   made by this class on its own copies of the image instead.
// - Zero misreads: a GTIN (EAN-13/8, UPC-A/E, ITF-14) or a GS1 key whose check digit is wrong
//   is never reported, and a 1D symbol counts only when a second, independent look at the
//   same place (another threshold and another sampling scale) reads the same text and no look
//   reads a different one.
// - Every symbol: the whole image is read, then (DecodeOptions::findAll) DataMatrix strip by
//   strip, since ZXing 1.4.0's DataMatrix detector only searches the centre row of an image.
// - Retries run only when the plain pass found nothing acceptable, in a fixed order, until one
//   finds something or DecodeOptions::retryBudget is spent (checked between passes).
// - decode() is const and keeps no state: one decoder may serve several threads.

#include "scan/image/GrayImage.h"

#include "ledger/Date.h"
#include "ledger/Result.h"

#include <ZXing/BarcodeFormat.h>

#include <array>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scan/Gs1Parser.h"

namespace backfill::scan::image {

// The symbologies a warehouse meets, the default set.
inline constexpr ZXing::BarcodeFormat kWarehouseFormats[] = {
    ZXing::BarcodeFormat::EAN13,      ZXing::BarcodeFormat::EAN8,   ZXing::BarcodeFormat::UPCA,
    ZXing::BarcodeFormat::UPCE,       ZXing::BarcodeFormat::Code128, ZXing::BarcodeFormat::ITF,
    ZXing::BarcodeFormat::DataMatrix, ZXing::BarcodeFormat::QRCode, ZXing::BarcodeFormat::PDF417,
};

// warehouseFormats gives kWarehouseFormats as a ZXing flag set.
ZXing::BarcodeFormats warehouseFormats();

// parseFormats reads a comma-separated list of format names as ZXing spells them ("EAN-13",
// "Code128", "QRCode"; '-' and '_' optional, case-insensitive). Fails with "bad_format"
// naming the first unknown entry.
ledger::Result<ZXing::BarcodeFormats> parseFormats(std::string_view list);

struct DecodeOptions {
    ZXing::BarcodeFormats formats = warehouseFormats();
    // Preprocessing retries when the plain pass finds nothing acceptable.
    bool retry = true;
    // Time allowed for the retries (checked before each one; the plain pass always runs).
    std::chrono::milliseconds retryBudget{800};
    // Look for every symbol of a multi-symbol page: DataMatrix is also searched strip by strip
    // when the whole-image pass found something (otherwise only when it found nothing).
    // Off (camera frames): each pass stops at its first symbol.
    bool findAll = true;
    // Require a second, independent look to agree before a 1D result counts.
    bool confirmLinear = true;
    // Today's date and GS substitute, for the GS1 interpretation (date AIs).
    ledger::Date today{};
};

struct Point {
    int x = 0;
    int y = 0;
    bool operator==(const Point&) const = default;
};

struct DecodedBarcode {
    std::string format;      // ZXing 1.4.0 spelling: "EAN-13", "UPC-A", "Code128", "QRCode" ...
    std::string text;        // as ZXing returns it: GS (0x1D) bytes kept, UPC-A 12 digits
    std::string symbology;   // symbology identifier, e.g. "]E0", "]C1", "]d2"
    bool gs1 = false;        // ZXing's contentType is GS1
    std::optional<scan::Gs1Scan> interpretation;  // GS1 reading for GS1 content and GTINs
    std::array<Point, 4> position{};  // top-left, top-right, bottom-right, bottom-left
    std::string pass;        // the pass that found it: "plain", "downscale2", "rotate+15" ...
};

class ImageDecoder {
public:
    explicit ImageDecoder(DecodeOptions options = {});

    // decode returns every acceptable barcode in `image`, in ZXing's order, duplicates
    // (same format and text) removed. An empty image gives an empty list.
    std::vector<DecodedBarcode> decode(GrayImageView image) const;

    const DecodeOptions& options() const { return m_options; }

private:
    DecodeOptions m_options;
};

// gtinOfUpce expands an 8-digit UPC-E (number system 0 or 1, with check digit) to its 12-digit
// UPC-A; nullopt when `upce` is not 8 digits with number system 0 or 1.
std::optional<std::string> gtinOfUpce(std::string_view upce);

} // namespace backfill::scan::image

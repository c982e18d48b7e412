#include "scan/image/ImageDecoder.h"

#include "scan/image/Preprocess.h"

#include "ledger/CheckDigit.h"

#include <ZXing/DecodeHints.h>
#include <ZXing/ReadBarcode.h>

#include <algorithm>
#include <cctype>
#include <climits>
#include <cmath>
#include <functional>
#include <numbers>

namespace backfill::scan::image {
namespace {

using Clock = std::chrono::steady_clock;

constexpr ZXing::BarcodeFormats kLinear = ZXing::BarcodeFormat::LinearCodes;

// A read line may meet the bars this far from a right angle. ZXing's row scan reads codes
// tilted somewhat more, but those are then read again straight by the rotation retries.
constexpr double kMaxBarTiltDegrees = 15.0;

bool isLinear(ZXing::BarcodeFormat f) { return kLinear.testFlag(f); }

bool allDigits(std::string_view s)
{
    return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

ZXing::ImageView zxView(GrayImageView v)
{
    return {v.data, v.width, v.height, ZXing::ImageFormat::Lum, v.stride, 1};
}

ZXing::Results readZxing(GrayImageView v, ZXing::BarcodeFormats formats, ZXing::Binarizer binarizer, int maxSymbols)
{
    ZXing::DecodeHints hints;
    hints.setFormats(formats)
        .setTryHarder(true)
        .setTryRotate(true)
        .setTryDownscale(false)
        .setBinarizer(binarizer)
        .setReturnErrors(false)
        .setMaxNumberOfSymbols(static_cast<std::uint8_t>(std::clamp(maxSymbols, 1, 255)));
    try {
        return ZXing::ReadBarcodes(zxView(v), hints);
    } catch (const std::exception&) {
        return {};
    }
}

struct Box {
    int x0, y0, x1, y1;
};

// extentOf is the smallest box holding a result's corners, in an image `scale` times the size
// of the one the box is wanted for.
Box extentOf(const ZXing::Position& p, double scale = 1.0)
{
    Box b{INT_MAX, INT_MAX, INT_MIN, INT_MIN};
    for (const auto& q : p) {
        b.x0 = std::min(b.x0, int(q.x / scale)), b.x1 = std::max(b.x1, int(q.x / scale));
        b.y0 = std::min(b.y0, int(q.y / scale)), b.y1 = std::max(b.y1, int(q.y / scale));
    }
    return b;
}

// Every call into ZXing goes through here, because Debian's libZXing 1.4.0 aborts the process
// (assertions on) in `Result::operator==`, which asserts `lineCount() == 1` when ReadBarcodes
// compares a merged 1D result with another read of the same text. That comparison happens when
// a pass yields a second 1D result (tryDownscale's extra layers, or the same symbol found
// twice in one layer), so:
// - tryDownscale is always off;
// - 2D formats (whose comparison is by position, no assertion) are read in one call;
// - 1D formats are read with maxNumberOfSymbols = 1, which returns before any comparison; to
//   find further 1D symbols the one found is painted over in a copy and the image read again.
// The library's exceptions (std::bad_alloc and friends, not domain errors) become "found
// nothing" for that pass.
ZXing::Results readAll(GrayImageView v, ZXing::BarcodeFormats formats, ZXing::Binarizer binarizer, int maxSymbols = 255)
{
    constexpr int kMaxLinearSymbols = 8;
    if (v.empty()) return {};
    ZXing::Results out;
    const auto matrix = formats & ZXing::BarcodeFormats(ZXing::BarcodeFormat::MatrixCodes);
    const auto linear = formats & ZXing::BarcodeFormats(ZXing::BarcodeFormat::LinearCodes);
    if (!matrix.empty()) out = readZxing(v, matrix, binarizer, maxSymbols);
    if (linear.empty()) return out;
    GrayImage copy;
    GrayImageView current = v;
    std::uint8_t fill = 255;
    const int rounds = std::min(kMaxLinearSymbols, maxSymbols - static_cast<int>(out.size()));
    for (int round = 0; round < rounds; ++round) {
        auto found = readZxing(current, linear, binarizer, 1);
        if (found.empty()) break;
        ZXing::Result r = std::move(found.front());
        if (round + 1 < rounds) {
            if (copy.empty()) copy = GrayImage::copyOf(v), current = copy.view(), fill = brightValue(v);
            // Paint the symbol out: its bars between the read lines, a little beyond.
            const auto [x0, y0, x1, y1] = extentOf(r.position());
            const int pad = 4 + std::max(x1 - x0, y1 - y0) / 50;
            for (int y = std::max(0, y0 - pad); y <= std::min(copy.height() - 1, y1 + pad); ++y)
                for (int x = std::max(0, x0 - pad); x <= std::min(copy.width() - 1, x1 + pad); ++x) copy.at(x, y) = fill;
        }
        out.push_back(std::move(r));
    }
    return out;
}

Box boundsOf(const ZXing::Position& p, int width, int height, double margin)
{
    const Box e = extentOf(p);
    const int pad = static_cast<int>(std::max(e.x1 - e.x0, e.y1 - e.y0) * margin) + 8;
    return {std::max(0, e.x0 - pad), std::max(0, e.y0 - pad), std::min(width, e.x1 + pad + 1), std::min(height, e.y1 + pad + 1)};
}

// The GTIN a result carries, if its symbology is a GTIN carrier (EAN/UPC, ITF-14).
std::optional<std::string> carriedGtin(ZXing::BarcodeFormat f, const std::string& text)
{
    switch (f) {
    case ZXing::BarcodeFormat::EAN13:
    case ZXing::BarcodeFormat::EAN8:
    case ZXing::BarcodeFormat::UPCA: return text;
    case ZXing::BarcodeFormat::UPCE: return gtinOfUpce(text).value_or(text + "?");
    case ZXing::BarcodeFormat::ITF:
        // GS1 General Specifications 5.3.1: ITF-14 carries a GTIN-14; other lengths are not
        // GS1 keys.
        if (text.size() == 14) return text;
        return std::nullopt;
    default: return std::nullopt;
    }
}

class Attempt {
public:
    explicit Attempt(const DecodeOptions& options) : m_options(options) {}

    // secondLookAgrees: look at the 1D symbol `r` found in `image` again, independently: a crop
    // around it with a fixed mid-grey threshold after contrast stretching (ZXing's 1D reader
    // otherwise thresholds each row at its histogram valley) and a re-sampled crop. Reads that
    // overlap the symbol count: at least one must give the same text and none another text of
    // the same format. (Other symbols in the crop, such as the next line of a GS1 label, do
    // not count either way.)
    bool secondLookAgrees(GrayImageView image, const ZXing::Result& r) const
    {
        const Box b = boundsOf(r.position(), image.width, image.height, 0.3);
        if (b.x1 - b.x0 < 8 || b.y1 - b.y0 < 8) return false;
        const GrayImageView crop{image.data + static_cast<std::ptrdiff_t>(b.y0) * image.stride + b.x0,
                                 b.x1 - b.x0, b.y1 - b.y0, image.stride};
        // The candidate in crop coordinates, widened a little across the bars.
        Box mine = boundsOf(r.position(), image.width, image.height, 0.0);
        mine = {mine.x0 - b.x0, mine.y0 - b.y0, mine.x1 - b.x0, mine.y1 - b.y0};
        const ZXing::BarcodeFormats only = r.format();
        const std::string text = r.text();
        int agree = 0, disagree = 0;
        auto tally = [&](const ZXing::Results& rs, double scale) {
            for (const auto& o : rs) {
                if (!o.isValid() || o.format() != r.format()) continue;
                const auto [x0, y0, x1, y1] = extentOf(o.position(), scale);
                if (x1 < mine.x0 || x0 > mine.x1 || y1 < mine.y0 || y0 > mine.y1) continue;
                (o.text() == text ? agree : disagree) += 1;
            }
        };
        const GrayImage stretched = stretchContrast(crop);
        tally(readAll(stretched.view(), only, ZXing::Binarizer::FixedThreshold), 1.0);
        // Re-sample: shrink big crops, enlarge small ones, so bar edges fall on other pixels.
        const double scale = crop.width * crop.height > 250'000 ? 0.7 : 1.4;
        const Derived resampled = bilinearScale(crop, scale);
        tally(readAll(resampled.image.view(), only, ZXing::Binarizer::LocalAverage), scale);
        return agree > 0 && disagree == 0;
    }

    // barTiltDegrees measures the angle between the read line of 1D result `r` and the
    // dominant edge direction (structure tensor of Sobel gradients) along it. A true read
    // crosses the bars at right angles; a line that cuts diagonally through a symbol, entering
    // and leaving through its top and bottom edges, reads a fragment (ITF has no check
    // character to catch it) and meets the bars at a slant.
    // `edgeDegrees` receives the direction of the dominant gradient in the image (degrees,
    // y down), so a tilted symbol can be turned straight.
    static double barTiltDegrees(GrayImageView image, const ZXing::Result& r, double& edgeDegrees)
    {
        edgeDegrees = 0;
        const auto& p = r.position();
        const double ax = (p[0].x + p[3].x) / 2.0, ay = (p[0].y + p[3].y) / 2.0;
        const double bx = (p[1].x + p[2].x) / 2.0, by = (p[1].y + p[2].y) / 2.0;
        const double len = std::hypot(bx - ax, by - ay);
        if (len < 8) return 90;
        const double ux = (bx - ax) / len, uy = (by - ay) / len;
        const int half = std::max(3, static_cast<int>(len * 0.04));
        double jxx = 0, jyy = 0, jxy = 0;
        for (double t = 0.1 * len; t <= 0.9 * len; t += 1.0)
            for (int s = -half; s <= half; ++s) {
                const int x = static_cast<int>(std::lround(ax + ux * t - uy * s));
                const int y = static_cast<int>(std::lround(ay + uy * t + ux * s));
                if (x < 1 || y < 1 || x >= image.width - 1 || y >= image.height - 1) continue;
                const auto v = [&](int dx, int dy) { return static_cast<double>(image.at(x + dx, y + dy)); };
                const double gx = (v(1, -1) + 2 * v(1, 0) + v(1, 1)) - (v(-1, -1) + 2 * v(-1, 0) + v(-1, 1));
                const double gy = (v(-1, 1) + 2 * v(0, 1) + v(1, 1)) - (v(-1, -1) + 2 * v(0, -1) + v(1, -1));
                jxx += gx * gx, jyy += gy * gy, jxy += gx * gy;
            }
        if (jxx + jyy <= 0) return 90;
        const double gradient = 0.5 * std::atan2(2 * jxy, jxx - jyy);
        edgeDegrees = gradient * 180.0 / std::numbers::pi;
        const double line = std::atan2(uy, ux);
        double diff = std::fmod(std::abs(gradient - line) * 180.0 / std::numbers::pi, 180.0);
        return std::min(diff, 180.0 - diff);
    }

    // accept checks one ZXing result found in `image` (a derived image mapped back by `map`)
    // and adds it to the output when it passes.
    void accept(const ZXing::Result& r, GrayImageView image, const PointMap& map, const std::string& pass)
    {
        if (!r.isValid() || !m_options.formats.testFlag(r.format())) return;
        const std::string text = r.text();
        const std::string format = ZXing::ToString(r.format());
        for (const auto& have : m_out)
            if (have.format == format && have.text == text) return;

        const auto gtin = carriedGtin(r.format(), text);
        if (gtin && !ledger::isGtin(*gtin)) return;
        if (m_options.confirmLinear && isLinear(r.format())) {
            double edge = 0;
            if (barTiltDegrees(image, r, edge) > kMaxBarTiltDegrees) {
                // A slanted read of a real symbol: remember how the bars lie for "deskew".
                if (pass == "plain" && m_edgeAngles.size() < 2) m_edgeAngles.push_back(edge);
                return;
            }
            if (!secondLookAgrees(image, r)) return;
        }

        DecodedBarcode out;
        out.format = format;
        out.text = text;
        out.symbology = r.symbologyIdentifier();
        out.gs1 = r.contentType() == ZXing::ContentType::GS1;
        out.pass = pass;
        if (out.gs1 || gtin) {
            ParseOptions po;
            po.today = m_options.today;
            const std::string input = out.gs1 ? out.symbology + text : *gtin;
            auto parsed = parseScan(input, po);
            if (parsed) {
                out.interpretation = std::move(*parsed);
            } else if (parsed.error().code.find("check_digit") != std::string::npos) {
                return;  // a GS1 key with a wrong check digit is never reported
            }
        }
        const auto& p = r.position();
        for (int i = 0; i < 4; ++i) {
            const auto q = map.apply(p[i].x, p[i].y);
            out.position[i] = {static_cast<int>(std::lround(q[0])), static_cast<int>(std::lround(q[1]))};
        }
        m_out.push_back(std::move(out));
    }

    void run(GrayImageView image, const PointMap& map, ZXing::BarcodeFormats formats, ZXing::Binarizer binarizer,
             const std::string& pass)
    {
        // Without findAll the first symbol is enough: ZXing stops looking once it has one.
        for (const auto& r : readAll(image, formats, binarizer, m_options.findAll ? 255 : 1))
            accept(r, image, map, pass);
    }

    bool found() const { return !m_out.empty(); }
    const std::vector<double>& edgeAngles() const { return m_edgeAngles; }
    std::vector<DecodedBarcode> take() { return std::move(m_out); }

private:
    const DecodeOptions& m_options;
    std::vector<DecodedBarcode> m_out;
    std::vector<double> m_edgeAngles;  // gradient directions of 1D reads refused as slanted
};

} // namespace

ZXing::BarcodeFormats warehouseFormats()
{
    ZXing::BarcodeFormats f;
    for (auto one : kWarehouseFormats) f |= one;
    return f;
}

ledger::Result<ZXing::BarcodeFormats> parseFormats(std::string_view list)
{
    ZXing::BarcodeFormats out;
    std::size_t start = 0;
    while (start <= list.size()) {
        const std::size_t end = std::min(list.find(',', start), list.size());
        std::string name(list.substr(start, end - start));
        name.erase(std::remove_if(name.begin(), name.end(), [](unsigned char c) { return std::isspace(c); }), name.end());
        const auto f = ZXing::BarcodeFormatFromString(name);
        if (name.empty() || f == ZXing::BarcodeFormat::None)
            return ledger::fail("bad_format", "unknown barcode format '" + name +
                                                  "' (use ZXing's names: EAN-13, EAN-8, UPC-A, UPC-E, Code128, "
                                                  "ITF, DataMatrix, QRCode, PDF417, ...)");
        out |= f;
        start = end + 1;
    }
    return out;
}

std::optional<std::string> gtinOfUpce(std::string_view upce)
{
    if (upce.size() != 8 || !allDigits(upce) || (upce[0] != '0' && upce[0] != '1')) return std::nullopt;
    // GS1 General Specifications 5.2.2.4.2 (UPC-E zero suppression), by the last data digit.
    const std::string_view d = upce.substr(1, 6);
    std::string body;
    switch (d[5]) {
    case '0':
    case '1':
    case '2': body = std::string(d.substr(0, 2)) + d[5] + "0000" + std::string(d.substr(2, 3)); break;
    case '3': body = std::string(d.substr(0, 3)) + "00000" + std::string(d.substr(3, 2)); break;
    case '4': body = std::string(d.substr(0, 4)) + "00000" + d[4]; break;
    default: body = std::string(d.substr(0, 5)) + "0000" + d[5]; break;
    }
    return std::string(1, upce[0]) + body + upce[7];
}

ImageDecoder::ImageDecoder(DecodeOptions options) : m_options(std::move(options)) {}

std::vector<DecodedBarcode> ImageDecoder::decode(GrayImageView image) const
{
    if (image.empty()) return {};
    const auto start = Clock::now();
    Attempt attempt(m_options);
    const ZXing::BarcodeFormats formats = m_options.formats;
    attempt.run(image, {}, formats, ZXing::Binarizer::LocalAverage, "plain");

    // ZXing 1.4.0's DataMatrix detector looks only along the centre row of the image it is
    // given, so a DataMatrix elsewhere on a page (the corner of a logistic label) is never
    // found, and at most one per row. Full-width strips centred on rows `step` apart put every
    // symbol taller than `step` on some strip's centre row.
    if (formats.testFlag(ZXing::BarcodeFormat::DataMatrix) && (m_options.findAll || !attempt.found())) {
        const int h = image.height;
        const int step = std::max(32, h / 16);
        for (int yc = step / 2; yc < h; yc += step) {
            if (std::abs(yc - h / 2) < step / 2) continue;  // the whole-image pass read that row
            const int k = std::min({yc, h - yc, 160});
            if (k < 12) continue;
            const GrayImageView strip{image.data + static_cast<std::ptrdiff_t>(yc - k) * image.stride, image.width,
                                      2 * k, image.stride};
            attempt.run(strip, {1, 0, 0, 0, 1, double(yc - k)}, ZXing::BarcodeFormat::DataMatrix,
                        ZXing::Binarizer::LocalAverage, "strips");
        }
    }
    if (attempt.found() || !m_options.retry) return attempt.take();

    const auto inBudget = [&] { return Clock::now() - start < m_options.retryBudget; };
    const int minSide = std::min(image.width, image.height);
    const int maxSide = std::max(image.width, image.height);
    const ZXing::BarcodeFormats linear = formats & kLinear;

    // Deskew: the plain pass read a 1D symbol at a slant and the bar-tilt check refused it;
    // turn the image so the measured bars stand upright and read it straight.
    const std::vector<double> edges = attempt.edgeAngles();
    const std::uint8_t deskewFill = edges.empty() ? 0 : medianValue(image);
    for (double edge : edges) {
        const std::uint8_t fill = deskewFill;
        for (double angle : {edge, -edge}) {
            if (!inBudget()) break;
            const Derived r = rotate(image, angle, fill);
            attempt.run(r.image.view(), r.toSource, linear, ZXing::Binarizer::LocalAverage, "deskew");
            if (attempt.found()) return attempt.take();
        }
    }

    // Each retry: a derived image, its map back, and which formats to look for.
    struct Retry {
        const char* name;
        std::function<bool()> applies;
        std::function<Derived()> make;
        bool linearOnly = false;
        ZXing::Binarizer binarizer = ZXing::Binarizer::LocalAverage;
    };
    const auto same = [&](GrayImage img) { return Derived{std::move(img), {}}; };
    const auto padded = [&] {
        // A quiet zone of at least 10 % of the larger side; small images are also enlarged 3x,
        // since a tightly cropped code is usually a small one.
        const Derived d = addBorder(image, std::max(8, maxSide / 10), brightValue(image));
        if (maxSide >= 200) return d;
        Derived up = bilinearScale(d.image.view(), 3.0);
        up.toSource = up.toSource.then(d.toSource);
        return up;
    };
    const std::vector<Retry> retries = {
        // Codes cropped tight to the edge: no quiet zone for the detectors to find.
        {"pad", [] { return true; }, padded},
        // High-resolution photos: what ZXing's own tryDownscale would do, on our copy.
        {"downscale2", [&] { return minSide >= 500; }, [&] { return boxDownscale(image, 2); }},
        {"downscale3", [&] { return minSide >= 750; }, [&] { return boxDownscale(image, 3); }},
        // Faded print, grey-on-grey, under-exposure.
        {"stretch", [] { return true; }, [&] { return same(stretchContrast(image)); }},
        // Glare and shadows.
        {"flatten", [&] { return minSide >= 64; }, [&] { return same(flattenIllumination(image, std::max(8, minSide / 12))); }},
        // Speckle and sensor noise.
        {"median", [] { return true; }, [&] { return same(median3x3(image)); }},
        // Small or distant codes.
        {"upscale2", [&] { return maxSide <= 1600; }, [&] { return bilinearScale(image, 2.0); }},
        // Blur.
        {"sharpen", [] { return true; }, [&] { return same(unsharpMask(image, 1.5)); }},
        // Reverse-printed codes.
        {"invert", [] { return true; }, [&] { return same(invert(image)); }},
    };
    for (const auto& retry : retries) {
        if (!inBudget()) break;
        if (!retry.applies() || (retry.linearOnly && linear.empty())) continue;
        const Derived d = retry.make();
        attempt.run(d.image.view(), d.toSource, retry.linearOnly ? linear : formats, retry.binarizer, retry.name);
        if (attempt.found()) return attempt.take();
    }
    // Tilted 1D codes: ZXing scans rows (and columns with tryRotate), which tolerates only a
    // few degrees of tilt. Work on a reduced copy of big images to keep this affordable.
    if (!linear.empty()) {
        const Derived base = maxSide > 1400 ? boxDownscale(image, 2) : Derived{GrayImage::copyOf(image), {}};
        const std::uint8_t fill = medianValue(base.image.view());
        for (double angle : {15.0, -15.0, 30.0, -30.0, 45.0, -45.0}) {
            if (!inBudget()) break;
            const Derived r = rotate(base.image.view(), angle, fill);
            const std::string name = std::string("rotate") + (angle > 0 ? "+" : "") + std::to_string(int(angle));
            attempt.run(r.image.view(), r.toSource.then(base.toSource), linear, ZXing::Binarizer::LocalAverage, name);
            if (attempt.found()) return attempt.take();
        }
    }
    return attempt.take();
}

} // namespace backfill::scan::image

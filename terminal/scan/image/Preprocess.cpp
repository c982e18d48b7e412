#include "scan/image/Preprocess.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

namespace backfill::scan::image {
namespace {

std::uint8_t clampByte(double v) { return static_cast<std::uint8_t>(std::clamp(std::lround(v), 0L, 255L)); }

// Sample with bilinear interpolation; outside the image gives `fill`.
std::uint8_t sampleBilinear(GrayImageView src, double x, double y, std::uint8_t fill)
{
    if (x < -0.5 || y < -0.5 || x > src.width - 0.5 || y > src.height - 0.5) return fill;
    x = std::clamp(x, 0.0, src.width - 1.0);
    y = std::clamp(y, 0.0, src.height - 1.0);
    const int x0 = static_cast<int>(x), y0 = static_cast<int>(y);
    const int x1 = std::min(x0 + 1, src.width - 1), y1 = std::min(y0 + 1, src.height - 1);
    const double fx = x - x0, fy = y - y0;
    const double top = src.at(x0, y0) * (1 - fx) + src.at(x1, y0) * fx;
    const double bottom = src.at(x0, y1) * (1 - fx) + src.at(x1, y1) * fx;
    return clampByte(top * (1 - fy) + bottom * fy);
}

// Horizontal then vertical running box mean of radius r (edges replicated).
std::vector<int> boxBlur(const std::vector<int>& in, int w, int h, int r)
{
    std::vector<int> tmp(in.size()), out(in.size());
    const int n = 2 * r + 1;
    for (int y = 0; y < h; ++y) {
        const int* row = &in[static_cast<std::size_t>(y) * w];
        long sum = 0;
        for (int k = -r; k <= r; ++k) sum += row[std::clamp(k, 0, w - 1)];
        for (int x = 0; x < w; ++x) {
            tmp[static_cast<std::size_t>(y) * w + x] = static_cast<int>(sum / n);
            sum += row[std::min(x + r + 1, w - 1)] - row[std::max(x - r, 0)];
        }
    }
    for (int x = 0; x < w; ++x) {
        long sum = 0;
        for (int k = -r; k <= r; ++k) sum += tmp[static_cast<std::size_t>(std::clamp(k, 0, h - 1)) * w + x];
        for (int y = 0; y < h; ++y) {
            out[static_cast<std::size_t>(y) * w + x] = static_cast<int>(sum / n);
            sum += tmp[static_cast<std::size_t>(std::min(y + r + 1, h - 1)) * w + x] -
                   tmp[static_cast<std::size_t>(std::max(y - r, 0)) * w + x];
        }
    }
    return out;
}

} // namespace

Derived boxDownscale(GrayImageView src, int factor)
{
    factor = std::max(factor, 2);
    const int w = std::max(src.width / factor, 1), h = std::max(src.height / factor, 1);
    Derived out{GrayImage(w, h), {}};
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            int sum = 0, count = 0;
            for (int dy = 0; dy < factor && y * factor + dy < src.height; ++dy)
                for (int dx = 0; dx < factor && x * factor + dx < src.width; ++dx, ++count)
                    sum += src.at(x * factor + dx, y * factor + dy);
            out.image.at(x, y) = static_cast<std::uint8_t>((sum + count / 2) / std::max(count, 1));
        }
    // The centre of output pixel x covers source pixels [x*f, x*f+f).
    out.toSource = {double(factor), 0, (factor - 1) / 2.0, 0, double(factor), (factor - 1) / 2.0};
    return out;
}

Derived bilinearScale(GrayImageView src, double scale)
{
    const int w = std::max(1, static_cast<int>(std::lround(src.width * scale)));
    const int h = std::max(1, static_cast<int>(std::lround(src.height * scale)));
    const double sx = double(src.width) / w, sy = double(src.height) / h;
    Derived out{GrayImage(w, h), {sx, 0, 0.5 * sx - 0.5, 0, sy, 0.5 * sy - 0.5}};
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            const auto p = out.toSource.apply(x, y);
            out.image.at(x, y) = sampleBilinear(src, p[0], p[1], 255);
        }
    return out;
}

GrayImage stretchContrast(GrayImageView src, double lowFraction, double highFraction)
{
    std::array<long, 256> hist{};
    for (int y = 0; y < src.height; ++y)
        for (int x = 0; x < src.width; ++x) ++hist[src.at(x, y)];
    const long total = static_cast<long>(src.width) * src.height;
    const long lowCount = static_cast<long>(total * lowFraction), highCount = static_cast<long>(total * highFraction);
    int lo = 0, hi = 255;
    long acc = 0;
    for (int v = 0; v < 256; ++v) {
        acc += hist[v];
        if (acc > lowCount) { lo = v; break; }
    }
    acc = 0;
    for (int v = 0; v < 256; ++v) {
        acc += hist[v];
        if (acc >= highCount) { hi = v; break; }
    }
    GrayImage out = GrayImage::copyOf(src);
    if (hi <= lo) return out;
    std::array<std::uint8_t, 256> lut{};
    for (int v = 0; v < 256; ++v) lut[v] = clampByte((v - lo) * 255.0 / (hi - lo));
    for (int y = 0; y < out.height(); ++y)
        for (int x = 0; x < out.width(); ++x) out.at(x, y) = lut[out.at(x, y)];
    return out;
}

GrayImage median3x3(GrayImageView src)
{
    GrayImage out(src.width, src.height);
    std::array<std::uint8_t, 9> n{};
    for (int y = 0; y < src.height; ++y)
        for (int x = 0; x < src.width; ++x) {
            int k = 0;
            for (int dy = -1; dy <= 1; ++dy)
                for (int dx = -1; dx <= 1; ++dx)
                    n[k++] = src.at(std::clamp(x + dx, 0, src.width - 1), std::clamp(y + dy, 0, src.height - 1));
            std::nth_element(n.begin(), n.begin() + 4, n.end());
            out.at(x, y) = n[4];
        }
    return out;
}

GrayImage flattenIllumination(GrayImageView src, int radius)
{
    const int w = src.width, h = src.height;
    std::vector<int> in(static_cast<std::size_t>(w) * h);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) in[static_cast<std::size_t>(y) * w + x] = src.at(x, y);
    const auto background = boxBlur(boxBlur(in, w, h, radius), w, h, radius);
    GrayImage out(w, h);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            const std::size_t i = static_cast<std::size_t>(y) * w + x;
            // Ratio to the local lighting, scaled so the local mean lands at mid-grey.
            out.at(x, y) = clampByte(128.0 * in[i] / std::max(background[i], 1));
        }
    return stretchContrast(out.view(), 0.005, 0.995);
}

GrayImage unsharpMask(GrayImageView src, double amount)
{
    const int w = src.width, h = src.height;
    std::vector<int> in(static_cast<std::size_t>(w) * h);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) in[static_cast<std::size_t>(y) * w + x] = src.at(x, y);
    const auto blurred = boxBlur(in, w, h, 1);
    GrayImage out(w, h);
    for (std::size_t i = 0; i < in.size(); ++i)
        out.data()[i] = clampByte(in[i] + amount * (in[i] - blurred[i]));
    return out;
}

GrayImage invert(GrayImageView src)
{
    GrayImage out(src.width, src.height);
    for (int y = 0; y < src.height; ++y)
        for (int x = 0; x < src.width; ++x) out.at(x, y) = static_cast<std::uint8_t>(255 - src.at(x, y));
    return out;
}

Derived rotate(GrayImageView src, double degrees, std::uint8_t fill)
{
    const double rad = degrees * std::numbers::pi / 180.0;
    const double c = std::cos(rad), s = std::sin(rad);
    const int w = static_cast<int>(std::ceil(std::abs(src.width * c) + std::abs(src.height * s)));
    const int h = static_cast<int>(std::ceil(std::abs(src.width * s) + std::abs(src.height * c)));
    const double cxs = (src.width - 1) / 2.0, cys = (src.height - 1) / 2.0;
    const double cxo = (w - 1) / 2.0, cyo = (h - 1) / 2.0;
    // src = centre_s + [c -s; s c] (out - centre_o): a point right of the centre ends up above
    // it in the output, i.e. counter-clockwise on a y-down screen.
    Derived out{GrayImage(w, h), {c, -s, cxs - c * cxo + s * cyo, s, c, cys - s * cxo - c * cyo}};
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            const auto p = out.toSource.apply(x, y);
            out.image.at(x, y) = sampleBilinear(src, p[0], p[1], fill);
        }
    return out;
}

Derived addBorder(GrayImageView src, int border, std::uint8_t fill)
{
    border = std::max(border, 0);
    Derived out{GrayImage(src.width + 2 * border, src.height + 2 * border, fill),
                {1, 0, -double(border), 0, 1, -double(border)}};
    for (int y = 0; y < src.height; ++y)
        for (int x = 0; x < src.width; ++x) out.image.at(x + border, y + border) = src.at(x, y);
    return out;
}

std::uint8_t brightValue(GrayImageView src, double fraction)
{
    std::array<long, 256> hist{};
    for (int y = 0; y < src.height; ++y)
        for (int x = 0; x < src.width; ++x) ++hist[src.at(x, y)];
    const long limit = static_cast<long>(static_cast<double>(src.width) * src.height * fraction);
    long acc = 0;
    for (int v = 0; v < 256; ++v) {
        acc += hist[v];
        if (acc > limit) return static_cast<std::uint8_t>(v);
    }
    return 255;
}

std::uint8_t medianValue(GrayImageView src) { return brightValue(src, 0.5); }

} // namespace backfill::scan::image

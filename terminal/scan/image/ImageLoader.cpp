#include "scan/image/ImageLoader.h"

#include <stb_image.h>
#include <turbojpeg.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <vector>

namespace backfill::scan::image {
namespace {

constexpr const char* kCode = "unreadable_image";

bool startsWith(std::span<const std::uint8_t> b, std::initializer_list<std::uint8_t> magic)
{
    if (b.size() < magic.size()) return false;
    return std::equal(magic.begin(), magic.end(), b.begin());
}

struct StbFree {
    void operator()(unsigned char* p) const { stbi_image_free(p); }
};

struct TjFree {
    void operator()(void* h) const { tjDestroy(h); }
};

std::uint32_t bigEndian32(const std::uint8_t* p)
{
    return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3];
}

// pngChunksFit checks that every chunk of a PNG lies within the file (PNG specification,
// 5.3 Chunk layout: length, type, data, CRC), up to IEND. stb_image reserves a chunk's
// claimed length before reading it, so a few bytes claiming a 2 GB IDAT made it allocate
// 2 GB (found by tests/fuzz/image_fuzz.cpp; seed image_seeds/fuzz-idat-length.png).
bool pngChunksFit(std::span<const std::uint8_t> b)
{
    std::size_t pos = 8;
    while (b.size() - pos >= 8) {
        const std::uint32_t length = bigEndian32(b.data() + pos);
        if (length > b.size() - pos - 8) return false;
        if (std::memcmp(b.data() + pos + 4, "IEND", 4) == 0) return true;
        pos += 8 + length;
        if (b.size() - pos < 4) return false;
        pos += 4;
    }
    return false;
}

ledger::Result<GrayImage> decodePng(std::span<const std::uint8_t> bytes, std::string_view name,
                                    const ImageLoadOptions& options)
{
    // stb takes an int length; files over 2 GiB are not barcode photos.
    if (bytes.size() > 0x7fffffffu)
        return ledger::fail(kCode, std::string(name) + ": file too large for a PNG image");
    const int len = static_cast<int>(bytes.size());
    // The size from IHDR (PNG specification 11.2.2), checked here because stb_image refuses
    // images over 2^30 bytes with "unknown image type".
    if (bytes.size() >= 24 && std::memcmp(bytes.data() + 12, "IHDR", 4) == 0) {
        const long long iw = bigEndian32(bytes.data() + 16), ih = bigEndian32(bytes.data() + 20);
        if (iw > options.maxPixels || ih > options.maxPixels || iw * ih > options.maxPixels)
            return ledger::fail(kCode, std::string(name) + ": PNG image of " + std::to_string(iw) + "x" +
                                           std::to_string(ih) + " pixels is too large");
    }
    int w = 0, h = 0, comp = 0;
    if (!stbi_info_from_memory(bytes.data(), len, &w, &h, &comp))
        return ledger::fail(kCode, std::string(name) + ": corrupt PNG header (" + stbi_failure_reason() + ")");
    if (w <= 0 || h <= 0 || static_cast<long long>(w) * h > options.maxPixels)
        return ledger::fail(kCode, std::string(name) + ": PNG image of " + std::to_string(w) + "x" +
                                       std::to_string(h) + " pixels is too large");
    if (!pngChunksFit(bytes))
        return ledger::fail(kCode, std::string(name) + ": corrupt or truncated PNG data (a chunk runs past the end "
                                                       "of the file, or IEND is missing)");
    std::unique_ptr<unsigned char, StbFree> pixels(stbi_load_from_memory(bytes.data(), len, &w, &h, &comp, 1));
    if (!pixels)
        return ledger::fail(kCode, std::string(name) + ": corrupt or truncated PNG data (" + stbi_failure_reason() + ")");
    GrayImage out(w, h);
    std::memcpy(out.data(), pixels.get(), static_cast<std::size_t>(w) * h);
    return out;
}

// PnmHeader is what a binary PGM (P5) or PPM (P6) header says (Netpbm pgm(5), ppm(5)):
// width, height and maxval in ASCII decimal, separated by whitespace and '#' comments, then
// one whitespace character and the samples, one byte each when maxval < 256, else two
// (most significant first).
struct PnmHeader {
    long long width = 0;
    long long height = 0;
    long long maxval = 0;
    int channels = 1;
    std::size_t dataOffset = 0;
};

// readPnmHeader reads the header of `b` (which starts with P5 or P6); nullopt when the bytes
// end, or something other than a number, whitespace or a comment comes, before the samples.
// Numbers saturate instead of overflowing.
std::optional<PnmHeader> readPnmHeader(std::span<const std::uint8_t> b)
{
    constexpr long long kSaturated = 1LL << 40;
    const auto isSpace = [](std::uint8_t c) { return c == ' ' || (c >= '\t' && c <= '\r'); };
    PnmHeader h;
    h.channels = b[1] == '6' ? 3 : 1;
    std::size_t i = 2;
    const auto number = [&](long long& out) {
        for (;;) {
            while (i < b.size() && isSpace(b[i])) ++i;
            if (i >= b.size() || b[i] != '#') break;
            while (i < b.size() && b[i] != '\n' && b[i] != '\r') ++i;
        }
        const std::size_t start = i;
        for (out = 0; i < b.size() && b[i] >= '0' && b[i] <= '9'; ++i) out = std::min(kSaturated, out * 10 + (b[i] - '0'));
        return i > start;
    };
    if (!number(h.width) || !number(h.height) || !number(h.maxval)) return std::nullopt;
    if (i >= b.size() || !isSpace(b[i])) return std::nullopt;
    h.dataOffset = i + 1;
    return h;
}

// decodePnm reads binary PGM/PPM itself: stb_image 2.27 (Debian's libstb 0.0~git20220908)
// overflows an int on long header numbers, returns uninitialised pixels for a truncated file
// and reads past its buffer when reducing a 16-bit PPM to one channel (found by
// tests/fuzz/image_fuzz.cpp; seeds image_seeds/fuzz-*.p?m).
ledger::Result<GrayImage> decodePnm(std::span<const std::uint8_t> bytes, std::string_view name,
                                    const ImageLoadOptions& options)
{
    const auto header = readPnmHeader(bytes);
    if (!header)
        return ledger::fail(kCode, std::string(name) + ": corrupt PNM header (width, height and maxval, then one "
                                                       "whitespace character, expected)");
    // Plain copies: clang 14 (the fuzz build) cannot capture structured bindings.
    const long long w = header->width, h = header->height, maxval = header->maxval;
    const int channels = header->channels;
    const std::size_t offset = header->dataOffset;
    if (maxval < 1 || maxval > 65535)
        return ledger::fail(kCode, std::string(name) + ": corrupt PNM header (maxval " + std::to_string(maxval) +
                                       ", expected 1-65535)");
    if (w <= 0 || h <= 0)
        return ledger::fail(kCode, std::string(name) + ": corrupt PNM header (size " + std::to_string(w) + "x" +
                                       std::to_string(h) + ")");
    if (w > options.maxPixels || h > options.maxPixels || w * h > options.maxPixels)
        return ledger::fail(kCode, std::string(name) + ": PNM image of " + std::to_string(w) + "x" +
                                       std::to_string(h) + " pixels is too large");
    const int sampleBytes = maxval > 255 ? 2 : 1;
    const auto need = static_cast<std::size_t>(w * h * channels * sampleBytes);
    if (bytes.size() - offset < need)
        return ledger::fail(kCode, std::string(name) + ": corrupt or truncated PNM data (" +
                                       std::to_string(bytes.size() - offset) + " bytes of pixels, the header needs " +
                                       std::to_string(need) + ")");
    const std::uint8_t* p = bytes.data() + offset;
    // Samples scaled to 0-255 (a sample above maxval counts as maxval).
    const auto sample = [&]() -> int {
        long long v = *p++;
        if (sampleBytes == 2) v = v << 8 | *p++;
        return static_cast<int>((std::min(v, maxval) * 255 + maxval / 2) / maxval);
    };
    GrayImage out(static_cast<int>(w), static_cast<int>(h));
    std::uint8_t* dst = out.data();
    for (long long n = w * h; n > 0; --n) {
        if (channels == 1) {
            *dst++ = static_cast<std::uint8_t>(sample());
        } else {
            // Luminance with stb_image's weights (stbi__compute_y), as for PNG and JPEG colour.
            const int r = sample(), g = sample(), b = sample();
            *dst++ = static_cast<std::uint8_t>((r * 77 + g * 150 + b * 29) >> 8);
        }
    }
    return out;
}

} // namespace

ledger::Result<GrayImage> decodeJpegGray(std::span<const std::uint8_t> bytes, std::string_view name, bool strict,
                                         const ImageLoadOptions& options)
{
    if (bytes.empty()) return ledger::fail(kCode, std::string(name) + ": empty JPEG data");
    std::unique_ptr<void, TjFree> tj(tjInitDecompress());
    if (!tj) return ledger::fail(kCode, std::string(name) + ": cannot start the JPEG decoder");
    int w = 0, h = 0, subsamp = 0, colorspace = 0;
    auto* src = const_cast<unsigned char*>(bytes.data());  // TurboJPEG 2.1 takes non-const
    const auto size = static_cast<unsigned long>(bytes.size());
    if (tjDecompressHeader3(tj.get(), src, size, &w, &h, &subsamp, &colorspace) != 0)
        return ledger::fail(kCode, std::string(name) + ": corrupt JPEG header (" + tjGetErrorStr2(tj.get()) + ")");
    if (w <= 0 || h <= 0 || static_cast<long long>(w) * h > options.maxPixels)
        return ledger::fail(kCode, std::string(name) + ": JPEG image of " + std::to_string(w) + "x" +
                                       std::to_string(h) + " pixels is too large");
    GrayImage out(w, h);
    const int flags = strict ? TJFLAG_STOPONWARNING : 0;
    if (tjDecompress2(tj.get(), src, size, out.data(), w, w, h, TJPF_GRAY, flags) != 0) {
        // Without `strict`, a warning (e.g. extraneous bytes in a camera frame) still leaves
        // a complete image; an error does not.
        if (strict || tjGetErrorCode(tj.get()) != TJERR_WARNING)
            return ledger::fail(kCode, std::string(name) + ": corrupt or truncated JPEG data (" +
                                           tjGetErrorStr2(tj.get()) + ")");
    }
    return out;
}

ledger::Result<GrayImage> decodeImageBytes(std::span<const std::uint8_t> bytes, std::string_view name,
                                           const ImageLoadOptions& options)
{
    if (bytes.empty()) return ledger::fail(kCode, std::string(name) + ": empty file");
    if (startsWith(bytes, {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'})) return decodePng(bytes, name, options);
    if (startsWith(bytes, {0xff, 0xd8, 0xff})) return decodeJpegGray(bytes, name, true, options);
    if (startsWith(bytes, {'P', '5'}) || startsWith(bytes, {'P', '6'})) return decodePnm(bytes, name, options);
    return ledger::fail(kCode, std::string(name) +
                                   ": not a PNG, JPEG or binary PGM/PPM image (unknown file signature)");
}

ledger::Result<GrayImage> loadImageFile(const std::string& path, const ImageLoadOptions& options)
{
    std::error_code ec;
    const auto status = std::filesystem::status(path, ec); // one stat: a missing file fails at the open below
    if (std::filesystem::exists(status) && !std::filesystem::is_regular_file(status))
        return ledger::fail(kCode, path + ": not a regular file");
    std::ifstream in(path, std::ios::binary);
    if (!in) return ledger::fail(kCode, path + ": cannot open file (" + std::strerror(errno) + ")");
    std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) return ledger::fail(kCode, path + ": read error");
    return decodeImageBytes(bytes, path, options);
}

} // namespace backfill::scan::image

#include "scan/image/ImageLoader.h"

#include <stb_image.h>
#include <turbojpeg.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
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

ledger::Result<GrayImage> decodeWithStb(std::span<const std::uint8_t> bytes, std::string_view name,
                                        const char* kind)
{
    // stb takes an int length; files over 2 GiB are not barcode photos.
    if (bytes.size() > 0x7fffffffu)
        return ledger::fail(kCode, std::string(name) + ": file too large for a " + kind + " image");
    const int len = static_cast<int>(bytes.size());
    int w = 0, h = 0, comp = 0;
    if (!stbi_info_from_memory(bytes.data(), len, &w, &h, &comp))
        return ledger::fail(kCode, std::string(name) + ": corrupt " + kind + " header (" +
                                       stbi_failure_reason() + ")");
    if (w <= 0 || h <= 0 || static_cast<long long>(w) * h > kMaxImagePixels)
        return ledger::fail(kCode, std::string(name) + ": " + kind + " image of " + std::to_string(w) + "x" +
                                       std::to_string(h) + " pixels is too large");
    std::unique_ptr<unsigned char, StbFree> pixels(stbi_load_from_memory(bytes.data(), len, &w, &h, &comp, 1));
    if (!pixels)
        return ledger::fail(kCode, std::string(name) + ": corrupt or truncated " + kind + " data (" +
                                       stbi_failure_reason() + ")");
    GrayImage out(w, h);
    std::memcpy(out.data(), pixels.get(), static_cast<std::size_t>(w) * h);
    return out;
}

} // namespace

ledger::Result<GrayImage> decodeJpegGray(std::span<const std::uint8_t> bytes, std::string_view name, bool strict)
{
    if (bytes.empty()) return ledger::fail(kCode, std::string(name) + ": empty JPEG data");
    std::unique_ptr<void, TjFree> tj(tjInitDecompress());
    if (!tj) return ledger::fail(kCode, std::string(name) + ": cannot start the JPEG decoder");
    int w = 0, h = 0, subsamp = 0, colorspace = 0;
    auto* src = const_cast<unsigned char*>(bytes.data());  // TurboJPEG 2.1 takes non-const
    const auto size = static_cast<unsigned long>(bytes.size());
    if (tjDecompressHeader3(tj.get(), src, size, &w, &h, &subsamp, &colorspace) != 0)
        return ledger::fail(kCode, std::string(name) + ": corrupt JPEG header (" + tjGetErrorStr2(tj.get()) + ")");
    if (w <= 0 || h <= 0 || static_cast<long long>(w) * h > kMaxImagePixels)
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

ledger::Result<GrayImage> decodeImageBytes(std::span<const std::uint8_t> bytes, std::string_view name)
{
    if (bytes.empty()) return ledger::fail(kCode, std::string(name) + ": empty file");
    if (startsWith(bytes, {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'})) return decodeWithStb(bytes, name, "PNG");
    if (startsWith(bytes, {0xff, 0xd8, 0xff})) return decodeJpegGray(bytes, name, true);
    if (startsWith(bytes, {'P', '5'}) || startsWith(bytes, {'P', '6'})) return decodeWithStb(bytes, name, "PNM");
    return ledger::fail(kCode, std::string(name) +
                                   ": not a PNG, JPEG or binary PGM/PPM image (unknown file signature)");
}

ledger::Result<GrayImage> loadImageFile(const std::string& path)
{
    std::error_code ec;
    const auto status = std::filesystem::status(path, ec); // one stat: a missing file fails at the open below
    if (std::filesystem::exists(status) && !std::filesystem::is_regular_file(status))
        return ledger::fail(kCode, path + ": not a regular file");
    std::ifstream in(path, std::ios::binary);
    if (!in) return ledger::fail(kCode, path + ": cannot open file (" + std::strerror(errno) + ")");
    std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) return ledger::fail(kCode, path + ": read error");
    return decodeImageBytes(bytes, path);
}

} // namespace backfill::scan::image

#pragma once
// Loading image files and camera JPEG frames into grey images.
//
// PNG goes through stb_image, JPEG through libturbojpeg (a real JPEG decoder: MJPEG frames
// from UVC cameras often omit the Huffman tables, which libjpeg-turbo fills in with the
// standard ones). Binary PGM/PPM (P5/P6, 8 or 16 bits per sample, scaled by maxval) are read
// here. Colour is reduced to luminance.

#include "ledger/Result.h"
#include "scan/image/GrayImage.h"

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace backfill::scan::image {

// Images larger than this many pixels are refused instead of allocated (a corrupt header can
// claim 65535 x 65535).
inline constexpr long long kMaxImagePixels = 80LL * 1000 * 1000;

// ImageLoadOptions: limits checked against the header, before any pixel is allocated.
struct ImageLoadOptions {
    // maxPixels: an image of more pixels is refused ("unreadable_image", "... is too large").
    // The fuzz target lowers it to keep each input cheap.
    long long maxPixels = kMaxImagePixels;
};

// loadImageFile reads PNG, JPEG or PGM/PPM from `path`. Fails with code "unreadable_image"
// when the file cannot be opened, is empty, truncated, corrupt, too large, or not one of
// those formats; the message names the file and the reason.
ledger::Result<GrayImage> loadImageFile(const std::string& path, const ImageLoadOptions& options = {});

// decodeImageBytes decodes an encoded image held in memory; `name` is used in error messages.
// Same formats and error code as loadImageFile.
ledger::Result<GrayImage> decodeImageBytes(std::span<const std::uint8_t> bytes, std::string_view name,
                                           const ImageLoadOptions& options = {});

// decodeJpegGray decodes a JPEG (or an MJPEG camera frame) to grey. With `strict`, any
// libjpeg warning (premature end of data, corrupt entropy data) is an error, as for a file;
// without it, a frame that decodes with warnings is still returned (cameras emit those).
// Fails with "unreadable_image".
ledger::Result<GrayImage> decodeJpegGray(std::span<const std::uint8_t> bytes, std::string_view name, bool strict,
                                         const ImageLoadOptions& options = {});

} // namespace backfill::scan::image

// decode_bench: accuracy and time of Backfill's ImageDecoder, side by side with plain
// ZXing-cpp 1.4.0 (default DecodeHints) and zbarimg, per folder of a zxing-cpp style sample set
// (`<stem>.png|.jpg` + `<stem>.txt`). See bench/README.md for how to run it and the figures.
//
// Judging follows zxing-cpp's blackbox tests: each decoder is restricted to the folder's format,
// a valid decode with other content is a misread; UPC-A and UPC-E texts are compared as GTIN-13.
// Upstream counts only the first barcode, because its reader returns one. Ours returns every
// symbol in the image: it is correct when one of them is the expected one, and a later match is
// counted apart ("found, not first") and listed with -v, with the symbols before it, so that a
// reader can check they are real symbols (qrcode-2/16.png holds a QR code inside a QR code).
// A misread is a result when none matches.
//
// Corpus errata (bench/decode/corpus_errata.txt): an expected text that contradicts its image,
// with the evidence. The expected text is replaced for every decoder alike, and the run says so.
//
// Plain ZXing runs with its default options, tryDownscale included, which aborts on some 1D
// images in Debian's build; each plain decode therefore runs in a forked child, and a child
// that dies is counted as "crash" (and as no result).

#include "scan/image/ImageDecoder.h"
#include "scan/image/CameraScanner.h"
#include "scan/image/ImageLoader.h"

#include <ZXing/BitMatrix.h>
#include <ZXing/DecodeHints.h>
#include <ZXing/MultiFormatWriter.h>
#include <ZXing/ReadBarcode.h>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using namespace backfill::scan::image;
using Clock = std::chrono::steady_clock;

namespace {

struct Read {
    std::string format;
    std::string text;
    std::vector<std::pair<std::string, std::string>> rest; // further symbols (format, text), ours only
    bool crashed = false;
    double ms = -1;  // measured by the decoder itself when >= 0
};

struct Tally {
    int correct = 0, misread = 0, none = 0, crash = 0, notFirst = 0;
    double ms = 0;
    std::vector<std::string> misreads, misses, notFirstList;
};

struct FolderFormat {
    const char* prefix;
    ZXing::BarcodeFormat format;
    const char* zbarType;
};

const FolderFormat kFolders[] = {
    {"ean13", ZXing::BarcodeFormat::EAN13, "EAN-13"},   {"ean8", ZXing::BarcodeFormat::EAN8, "EAN-8"},
    {"upca", ZXing::BarcodeFormat::UPCA, "UPC-A"},      {"upce", ZXing::BarcodeFormat::UPCE, "UPC-E"},
    {"code128", ZXing::BarcodeFormat::Code128, "CODE-128"}, {"itf", ZXing::BarcodeFormat::ITF, "I2/5"},
    {"datamatrix", ZXing::BarcodeFormat::DataMatrix, ""},  {"qrcode", ZXing::BarcodeFormat::QRCode, "QR-Code"},
    {"pdf417", ZXing::BarcodeFormat::PDF417, "PDF417"},
};

std::optional<FolderFormat> folderFormat(const std::string& name)
{
    for (const auto& f : kFolders)
        if (name.rfind(f.prefix, 0) == 0 && (name.size() == std::strlen(f.prefix) || name[std::strlen(f.prefix)] == '-'))
            return f;
    return std::nullopt;
}

std::string readFile(const fs::path& p)
{
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// Errata maps "folder/file" to the corrected expected text. Format: one erratum per line,
// `folder/file<TAB>expected<TAB>evidence`; '#' starts a comment line.
std::map<std::string, std::string> loadErrata(const fs::path& path)
{
    std::map<std::string, std::string> errata;
    std::ifstream in(path);
    for (std::string line; std::getline(in, line);) {
        if (line.empty() || line[0] == '#') continue;
        const auto tab1 = line.find('\t'), tab2 = line.find('\t', tab1 + 1);
        if (tab1 == std::string::npos || tab2 == std::string::npos) continue;
        errata[line.substr(0, tab1)] = line.substr(tab1 + 1, tab2 - tab1 - 1);
    }
    return errata;
}

// Rotate clockwise by a multiple of 90 degrees.
GrayImage rotated(const GrayImage& src, int degrees)
{
    if (degrees % 360 == 0) return src;
    const int w = src.width(), h = src.height();
    const bool swap = degrees % 180 != 0;
    GrayImage out(swap ? h : w, swap ? w : h);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            int nx = x, ny = y;
            switch (degrees % 360) {
            case 90: nx = h - 1 - y, ny = x; break;
            case 180: nx = w - 1 - x, ny = h - 1 - y; break;
            case 270: nx = y, ny = w - 1 - x; break;
            }
            out.at(nx, ny) = src.at(x, y);
        }
    return out;
}

std::string normalised(ZXing::BarcodeFormat f, std::string text)
{
    if (f == ZXing::BarcodeFormat::UPCE && text.size() == 8)
        if (auto a = gtinOfUpce(text)) text = *a;
    if ((f == ZXing::BarcodeFormat::UPCA || f == ZXing::BarcodeFormat::UPCE || f == ZXing::BarcodeFormat::EAN13) &&
        text.size() == 12)
        text = "0" + text;
    return text;
}

Read readOurs(const ImageDecoder& decoder, const GrayImage& img)
{
    const auto found = decoder.decode(img.view());
    if (found.empty()) return {};
    Read r{found.front().format, found.front().text, {}};
    for (size_t i = 1; i < found.size(); ++i) r.rest.emplace_back(found[i].format, found[i].text);
    return r;
}

// Plain ZXing with default hints in a child process; the child writes "format\0text".
Read readPlain(const GrayImage& img, ZXing::BarcodeFormat format)
{
    int fds[2];
    if (pipe(fds) != 0) return {};
    std::fflush(nullptr);
    const pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        ZXing::DecodeHints hints;  // defaults: tryHarder, tryRotate, tryDownscale on
        hints.setFormats(format);
        const auto t0 = Clock::now();
        const auto r = ZXing::ReadBarcode({img.data(), img.width(), img.height(), ZXing::ImageFormat::Lum}, hints);
        // The child times the decode itself, so fork and pipe costs stay out of the figure.
        std::string out = std::to_string(std::chrono::duration<double, std::milli>(Clock::now() - t0).count()) + '\0';
        if (r.isValid()) out += std::string(ZXing::ToString(r.format())) + '\0' + r.text();
        std::size_t off = 0;
        while (off < out.size()) {
            const ssize_t n = write(fds[1], out.data() + off, out.size() - off);
            if (n <= 0) break;
            off += static_cast<std::size_t>(n);
        }
        _exit(0);
    }
    close(fds[1]);
    std::string buf;
    char chunk[4096];
    ssize_t n;
    while ((n = read(fds[0], chunk, sizeof chunk)) > 0) buf.append(chunk, static_cast<std::size_t>(n));
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    Read r;
    if (!WIFEXITED(status)) {
        r.crashed = true;
        return r;
    }
    const auto first = buf.find('\0');
    if (first == std::string::npos) return r;
    r.ms = std::stod(buf.substr(0, first));
    const auto nul = buf.find('\0', first + 1);
    if (nul == std::string::npos) return r;
    r.format = buf.substr(first + 1, nul - first - 1);
    r.text = buf.substr(nul + 1);
    return r;
}

// zbarimg on a PGM of the same grey pixels, XML output for exact data.
Read readZbar(const GrayImage& img, const FolderFormat& ff, const fs::path& tmp)
{
    if (!*ff.zbarType) return {};
    {
        std::ofstream out(tmp, std::ios::binary);
        out << "P5\n" << img.width() << ' ' << img.height() << "\n255\n";
        out.write(reinterpret_cast<const char*>(img.data()), static_cast<std::streamsize>(img.width()) * img.height());
    }
    const std::string cmd = "zbarimg -q --xml '" + tmp.string() + "' 2>/dev/null";
    FILE* p = popen(cmd.c_str(), "r");
    if (!p) return {};
    std::string xml;
    char chunk[4096];
    std::size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, p)) > 0) xml.append(chunk, n);
    pclose(p);
    const auto sym = xml.find("<symbol type='");
    if (sym == std::string::npos) return {};
    const auto typeStart = sym + 14;
    Read r;
    r.format = xml.substr(typeStart, xml.find('\'', typeStart) - typeStart);
    const auto d0 = xml.find("<data><![CDATA[", sym);
    const auto d1 = xml.find("]]></data>", d0);
    if (d0 == std::string::npos || d1 == std::string::npos) return {};
    r.text = xml.substr(d0 + 15, d1 - d0 - 15);
    // zbar reports UPC-A as EAN-13 and its GS1-128 with a leading FNC1 as ']C1'.
    if (r.format == "EAN-13" && (std::string(ff.zbarType) == "UPC-A" || std::string(ff.zbarType) == "UPC-E"))
        r.format = ff.zbarType;
    if (r.format == "ISBN-13") r.format = "EAN-13";
    return r;
}

void judge(Tally& t, const Read& r, const std::string& wantFormat, ZXing::BarcodeFormat f, const std::string& expected,
           const std::string& where)
{
    if (r.crashed) ++t.crash;
    if (r.text.empty() && r.format.empty()) {
        ++t.none;
        t.misses.push_back(where);
        return;
    }
    const auto matches = [&](const std::string& format, const std::string& text) {
        return format == wantFormat && normalised(f, text) == normalised(f, expected);
    };
    if (matches(r.format, r.text)) {
        ++t.correct;
    } else if (std::any_of(r.rest.begin(), r.rest.end(), [&](const auto& x) { return matches(x.first, x.second); })) {
        ++t.correct;
        ++t.notFirst;
        t.notFirstList.push_back(where + " (first: '" + r.text + "')");
    } else {
        ++t.misread;
        t.misreads.push_back(where + " got '" + r.text + "'");
    }
}

std::string cell(const Tally& t, int n)
{
    char buf[96];
    std::snprintf(buf, sizeof buf, "%d / %d / %d", t.correct, t.misread, t.none);
    std::string s = buf;
    if (t.notFirst) s += " (" + std::to_string(t.notFirst) + " not first)";
    if (t.crash) s += " (" + std::to_string(t.crash) + " crash)";
    std::snprintf(buf, sizeof buf, " | %.0f", n ? t.ms / n : 0.0);
    s += buf;
    return s;
}


// Camera-frame timing: 1280x720 grey frames (sensor noise, one code off-centre), decoded
// in-process many times by our decoder with the camera's options and by plain ZXing with
// default hints; medians per frame.
int cameraFrameTiming(int repeats)
{
    struct Spec {
        ZXing::BarcodeFormat format;
        const char* text;
        int w, h;
    };
    const Spec specs[] = {
        {ZXing::BarcodeFormat::EAN13, "9501101530003", 380, 160},
        {ZXing::BarcodeFormat::Code128, "PALLET-0042/B", 420, 140},
        {ZXing::BarcodeFormat::QRCode, "LOC:A-01-03", 220, 220},
        {ZXing::BarcodeFormat::DataMatrix, "BIN A-01-03", 180, 180},
    };
    std::cout << "\n### 1280x720 camera frame, one code, " << repeats << " runs each (median ms)\n\n"
              << "| code | ours (camera options) | plain ZXing 1.4.0 | ratio | ours found |\n|---|---|---|---|---|\n";
    std::mt19937 rng(11);
    std::normal_distribution<double> noise(0, 6);
    const CameraScannerOptions camera;
    const ImageDecoder ours(camera.decode);
    for (const auto& spec : specs) {
        GrayImage frame(1280, 720);
        for (int y = 0; y < 720; ++y)
            for (int x = 0; x < 1280; ++x)
                frame.at(x, y) = static_cast<std::uint8_t>(std::clamp(150 + x / 40 + noise(rng), 0.0, 255.0));
        const auto bits = ZXing::MultiFormatWriter(spec.format).setMargin(16).encode(spec.text, spec.w, spec.h);
        for (int y = 0; y < bits.height(); ++y)
            for (int x = 0; x < bits.width(); ++x)
                frame.at(500 + x, 260 + y) = static_cast<std::uint8_t>(bits.get(x, y) ? 30 : 225);
        std::vector<double> a, b;
        bool found = false;
        for (int i = 0; i < repeats; ++i) {
            auto t0 = Clock::now();
            const auto r = ours.decode(frame.view());
            auto t1 = Clock::now();
            const auto p = ZXing::ReadBarcode({frame.data(), 1280, 720, ZXing::ImageFormat::Lum}, ZXing::DecodeHints());
            auto t2 = Clock::now();
            found = !r.empty() && r[0].text == spec.text && p.isValid();
            a.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
            b.push_back(std::chrono::duration<double, std::milli>(t2 - t1).count());
        }
        std::sort(a.begin(), a.end());
        std::sort(b.begin(), b.end());
        const double ma = a[a.size() / 2], mb = b[b.size() / 2];
        char line[200];
        std::snprintf(line, sizeof line, "| %s | %.1f | %.1f | %.2f | %s |\n", ZXing::ToString(spec.format), ma, mb,
                      ma / mb, found ? "yes" : "NO");
        std::cout << line;
    }
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    std::string root;
    std::vector<int> rotations{0};
    bool useZbar = true, usePlain = true, verbose = false, byDefect = false;
    std::string only;
    std::string errataPath = BACKFILL_SOURCE_DIR "/bench/decode/corpus_errata.txt";
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--camera-frames" && i + 1 < argc) return cameraFrameTiming(std::stoi(argv[++i]));
        if (a == "--no-zbar") useZbar = false;
        else if (a == "--by-defect") byDefect = true;
        else if (a == "--no-plain") usePlain = false;
        else if (a == "-v") verbose = true;
        else if (a == "--errata" && i + 1 < argc) errataPath = argv[++i];
        else if (a == "--only" && i + 1 < argc) only = argv[++i];
        else if (a == "--rotations" && i + 1 < argc) {
            rotations.clear();
            std::stringstream ss(argv[++i]);
            for (std::string r; std::getline(ss, r, ',');) rotations.push_back(std::stoi(r));
        } else if (root.empty()) root = a;
        else {
            std::cerr << "usage: decode_bench SAMPLES_DIR [--rotations 0,180] [--no-zbar] [--no-plain] [--only PREFIX] [--by-defect] [--errata FILE] [-v]\n"
                         "       decode_bench --camera-frames RUNS\n";
            return 3;
        }
    }
    if (root.empty() || !fs::is_directory(root)) {
        std::cout << "decode_bench: sample folder '" << root << "' absent, skipped\n";
        return 0;
    }
    std::vector<fs::path> folders;
    for (const auto& e : fs::directory_iterator(root))
        if (e.is_directory() && folderFormat(e.path().filename().string())) folders.push_back(e.path());
    std::sort(folders.begin(), folders.end());
    const fs::path tmp = fs::temp_directory_path() / ("decode_bench_" + std::to_string(getpid()) + ".pgm");
    const auto errata = loadErrata(errataPath);
    for (const auto& [where, text] : errata)
        std::cout << "erratum applied to " << where << ": expected '" << text << "' (" << errataPath << ")\n";

    for (int rot : rotations) {
        std::cout << "\n### " << root << " at " << rot << " degrees\n\n"
                  << "| folder | images | ours correct / misread / none | ms | plain ZXing 1.4.0 | ms | zbarimg | ms |\n"
                  << "|---|---|---|---|---|---|---|---|\n";
        Tally totals[3];
        int totalN = 0;
        std::map<std::string, std::array<Tally, 3>> defects;  // by file-name prefix: "rot25", "blur" ...
        std::map<std::string, int> defectN;
        for (const auto& folder : folders) {
            const std::string name = folder.filename().string();
            if (!only.empty() && name.rfind(only, 0) != 0) continue;
            const FolderFormat ff = *folderFormat(name);
            // 1D folders at 0/180 only, as upstream does.
            const bool linear = ZXing::BarcodeFormats(ZXing::BarcodeFormat::LinearCodes).testFlag(ff.format);
            if (linear && rot % 180 != 0) continue;
            DecodeOptions opt;
            opt.formats = ff.format;
            const ImageDecoder decoder(opt);
            std::vector<fs::path> images;
            for (const auto& e : fs::directory_iterator(folder)) {
                const auto ext = e.path().extension().string();
                if ((ext == ".png" || ext == ".jpg") && fs::exists(fs::path(e.path()).replace_extension(".txt")))
                    images.push_back(e.path());
            }
            std::sort(images.begin(), images.end());
            Tally t[3];
            for (const auto& path : images) {
                const std::string where = name + "/" + path.filename().string();
                std::string expected = readFile(fs::path(path).replace_extension(".txt"));
                if (const auto e = errata.find(where); e != errata.end()) expected = e->second;
                auto loaded = loadImageFile(path.string());
                if (!loaded) {
                    std::cerr << loaded.error().message << "\n";
                    continue;
                }
                const GrayImage img = rotated(*loaded, rot);
                const std::string want = ZXing::ToString(ff.format);
                const std::string stem = path.stem().string();
                const std::string defect = stem.substr(0, stem.find('-'));
                auto& d = defects[defect];
                ++defectN[defect];
                const auto run = [&](int k, auto read, const std::string& wantFormat) {
                    const auto t0 = Clock::now();
                    const Read r = read();
                    const double ms = r.ms >= 0 ? r.ms : std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
                    judge(t[k], r, wantFormat, ff.format, expected, where);
                    judge(d[k], r, wantFormat, ff.format, expected, where);
                    t[k].ms += ms;
                    d[k].ms += ms;
                };
                run(0, [&] { return readOurs(decoder, img); }, want);
                if (usePlain) run(1, [&] { return readPlain(img, ff.format); }, want);
                if (useZbar && *ff.zbarType) run(2, [&] { return readZbar(img, ff, tmp); }, ff.zbarType);
            }
            const int n = static_cast<int>(images.size());
            totalN += n;
            std::cout << "| " << name << " | " << n << " | " << cell(t[0], n) << " | "
                      << (usePlain ? cell(t[1], n) : "- | -") << " | "
                      << (useZbar && *ff.zbarType ? cell(t[2], n) : "- | -") << " |\n";
            for (int k = 0; k < 3; ++k) {
                totals[k].correct += t[k].correct, totals[k].misread += t[k].misread, totals[k].none += t[k].none;
                totals[k].crash += t[k].crash, totals[k].ms += t[k].ms, totals[k].notFirst += t[k].notFirst;
                if (verbose) {
                    static const char* who[] = {"ours", "plain", "zbar"};
                    for (const auto& m : t[k].misreads) std::cerr << who[k] << " MISREAD " << m << "\n";
                    for (const auto& m : t[k].notFirstList) std::cerr << who[k] << " found, not first: " << m << "\n";
                    if (k < 2)
                        for (const auto& m : t[k].misses) std::cerr << who[k] << " none " << m << "\n";
                }
            }
        }
        std::cout << "| **total** | " << totalN << " | " << cell(totals[0], totalN) << " | "
                  << (usePlain ? cell(totals[1], totalN) : "- | -") << " | "
                  << (useZbar ? cell(totals[2], totalN) : "- | -") << " |\n";
        if (byDefect) {
            std::cout << "\n| defect | images | ours correct / misread / none | ms | plain ZXing 1.4.0 | ms | zbarimg | ms |\n"
                      << "|---|---|---|---|---|---|---|---|\n";
            for (const auto& [name, t] : defects)
                std::cout << "| " << name << " | " << defectN[name] << " | " << cell(t[0], defectN[name]) << " | "
                          << (usePlain ? cell(t[1], defectN[name]) : "- | -") << " | "
                          << (useZbar ? cell(t[2], defectN[name]) : "- | -") << " |\n";
        }
    }
    fs::remove(tmp);
    return 0;
}

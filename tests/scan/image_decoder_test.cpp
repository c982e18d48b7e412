// ImageDecoder on generated images: every default format, GS1 labels with several symbols,
// the images that abort Debian's libZXing with tryDownscale, the preprocessing retries and the
// misread guards.

#include "image_test_support.h"

#include "scan/image/ImageDecoder.h"

#include "ledger/CheckDigit.h"

#include <ZXing/DecodeHints.h>
#include <ZXing/ReadBarcode.h>

#include <csignal>
#include <map>
#include <sys/wait.h>
#include <unistd.h>

using namespace backfill;
using namespace backfill::scan::image;
using namespace backfill::scan::image::testing;
using ZXing::BarcodeFormat;

namespace {

DecodeOptions opts(bool retry = true)
{
    DecodeOptions o;
    o.retry = retry;
    o.today = *ledger::parseDate("2026-01-15");
    return o;
}

std::vector<DecodedBarcode> decode(const GrayImage& img, bool retry = true)
{
    return ImageDecoder(opts(retry)).decode(img.view());
}

GrayImage turned(const GrayImage& img, double degrees)
{
    return rotate(img.view(), degrees, 255).image;
}

} // namespace

TEST_CASE("every default format decodes to the exact text, format name and symbology identifier")
{
    struct Case {
        BarcodeFormat format;
        std::string text;
        int width, height;
        std::string name, expected, symbology;
    };
    const Case cases[] = {
        {BarcodeFormat::EAN13, "9501101530003", 300, 120, "EAN-13", "9501101530003", "]E0"},
        {BarcodeFormat::EAN8, "96385074", 240, 100, "EAN-8", "96385074", "]E4"},
        {BarcodeFormat::UPCA, "036000291452", 300, 120, "UPC-A", "036000291452", "]E0"},
        {BarcodeFormat::UPCE, "01234565", 200, 100, "UPC-E", "01234565", "]E0"},
        {BarcodeFormat::Code128, "PALLET-42/B", 360, 100, "Code128", "PALLET-42/B", "]C0"},
        {BarcodeFormat::ITF, "1234567895", 300, 100, "ITF", "1234567895", "]I0"},
        {BarcodeFormat::QRCode, "LOC:A-01-03", 200, 200, "QRCode", "LOC:A-01-03", "]Q1"},
        {BarcodeFormat::DataMatrix, "BIN 7 SHELF 2", 200, 200, "DataMatrix", "BIN 7 SHELF 2", "]d1"},
        {BarcodeFormat::PDF417, "DELIVERY NOTE 2026-0042", 400, 160, "PDF417", "DELIVERY NOTE 2026-0042", "]L2"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.name);
        const auto found = decode(generated(c.format, c.text, c.width, c.height));
        REQUIRE(found.size() == 1);
        CHECK(found[0].format == c.name);
        CHECK(found[0].text == c.expected);
        CHECK(found[0].symbology == c.symbology);
        CHECK(found[0].pass == "plain");
    }
}

TEST_CASE("a GTIN comes with its GS1 interpretation; UPC-E as the UPC-A it stands for")
{
    auto ean = decode(generated(BarcodeFormat::EAN13, "9501101530003", 300, 120));
    REQUIRE(ean.size() == 1);
    CHECK_FALSE(ean[0].gs1);
    REQUIRE(ean[0].interpretation.has_value());
    REQUIRE(ean[0].interpretation->elements.size() == 1);
    CHECK(ean[0].interpretation->elements[0].ai == "01");
    CHECK(ean[0].interpretation->elements[0].value == "09501101530003");

    auto upce = decode(generated(BarcodeFormat::UPCE, "01234565", 200, 100));
    REQUIRE(upce.size() == 1);
    REQUIRE(upce[0].interpretation.has_value());
    CHECK(upce[0].interpretation->elements.at(0).value == "00012345000065");
    CHECK(gtinOfUpce("01234565") == std::optional<std::string>("012345000065"));
    CHECK(gtinOfUpce("21234565") == std::nullopt);
}

TEST_CASE("a GS1 logistic label: SSCC, content line and GS1 DataMatrix all come back with their elements")
{
    TempDir dir;
    const GrayImage sscc = zint(dir, "sscc", "-b GS1_128 --height 60 --scale 2", "[00]095011015300000010");
    const GrayImage content = zint(dir, "content", "-b GS1_128 --height 60 --scale 2",
                                   "[02]09501101530003[37]24[15]260630[10]LOT7");
    const GrayImage matrix = zint(dir, "dm", "-b DATAMATRIX --gs1 --scale 4 --quietzones",
                                  "[01]09501101530003[17]260630[10]LOT7[21]SN42");
    GrayImage label(std::max({sscc.width(), content.width(), matrix.width()}) + 80,
                    sscc.height() + content.height() + matrix.height() + 160, 255);
    paste(label, matrix, 40, 40);
    paste(label, content, 40, matrix.height() + 80);
    paste(label, sscc, 40, matrix.height() + content.height() + 120);

    const auto found = decode(label);
    REQUIRE(found.size() == 3);
    std::map<std::string, const DecodedBarcode*> byFirstAi;
    for (const auto& b : found) {
        CHECK(b.gs1);
        REQUIRE(b.interpretation.has_value());
        byFirstAi[b.interpretation->elements.at(0).ai] = &b;
    }
    REQUIRE(byFirstAi.count("00") == 1);
    REQUIRE(byFirstAi.count("02") == 1);
    REQUIRE(byFirstAi.count("01") == 1);

    const auto& s = *byFirstAi["00"];
    CHECK(s.format == "Code128");
    CHECK(s.symbology == "]C1");
    CHECK(s.text == "00095011015300000010");

    const auto& c = *byFirstAi["02"];
    CHECK(c.text == "020950110153000337" "24\x1d" "1526063010LOT7");
    REQUIRE(c.interpretation->elements.size() == 4);
    CHECK(c.interpretation->elements[1].ai == "37");
    CHECK(c.interpretation->elements[1].value == "24");
    CHECK(c.interpretation->elements[2].date == std::optional<std::string>("2026-06-30"));
    CHECK(c.interpretation->elements[3].value == "LOT7");

    const auto& d = *byFirstAi["01"];
    CHECK(d.format == "DataMatrix");
    CHECK(d.symbology == "]d2");
    CHECK(d.text == "01095011015300031726063010LOT7\x1d" "21SN42");
    REQUIRE(d.interpretation->elements.size() == 4);
    CHECK(d.interpretation->elements[3].ai == "21");
    CHECK(d.interpretation->elements[3].value == "SN42");
    // The DataMatrix sits in the top-left corner of the label.
    CHECK(d.position[0].x >= 40);
    CHECK(d.position[0].x < 40 + matrix.width());
    CHECK(d.position[2].y <= 40 + matrix.height());
}

TEST_CASE("images that abort libZXing 1.4.0 with tryDownscale decode in-process")
{
    TempDir dir;
    // A large, clean Code 128 with wide modules, like the zxing-cpp sample code128-1/4.png:
    // ReadBarcodes with default hints (tryDownscale on) trips `assert(lineCount() == 1)` in
    // Result::operator== when it merges the down-scaled pass.
    for (int scale : {5, 8}) {
        CAPTURE(scale);
        const GrayImage img = zint(dir, "c128-" + std::to_string(scale),
                                   "-b CODE128 --height 70 --quietzones --scale " + std::to_string(scale), "123456");
        std::fflush(nullptr);
        const pid_t pid = fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            // Silence the assertion message; only the way the child ends matters.
            std::signal(SIGABRT, SIG_DFL);  // doctest's handler would carry on in the child
            std::freopen("/dev/null", "w", stderr);
            (void)ZXing::ReadBarcodes({img.data(), img.width(), img.height(), ZXing::ImageFormat::Lum}, ZXing::DecodeHints());
            _exit(0);
        }
        int status = 0;
        REQUIRE(waitpid(pid, &status, 0) == pid);
        CHECK_MESSAGE(WIFSIGNALED(status), "this libZXing no longer aborts on the image: the guard is still right");
        if (WIFSIGNALED(status)) CHECK(WTERMSIG(status) == SIGABRT);

        for (double angle : {0.0, 180.0}) {
            const auto found = decode(angle == 0 ? img : turned(img, angle));
            REQUIRE(found.size() == 1);
            CHECK(found[0].text == "123456");
            CHECK(found[0].format == "Code128");
        }
    }
}

TEST_CASE("retries: each preprocessing step reads a defect the plain pass cannot")
{
    const GrayImage ean = generated(BarcodeFormat::EAN13, "4006381333931", 380, 160, 30);

    SUBCASE("tilted 1D code: rotation steps")
    {
        const GrayImage tilted = turned(ean, 30);
        CHECK(decode(tilted, false).empty());
        const auto found = decode(tilted);
        REQUIRE(found.size() == 1);
        CHECK(found[0].text == "4006381333931");
        CHECK(found[0].pass.rfind("rotate", 0) == 0);
    }
    SUBCASE("faded print: contrast stretch")
    {
        const GrayImage faded = remapped(ean, 150, 166);
        CHECK(decode(faded, false).empty());
        const auto found = decode(faded);
        REQUIRE(found.size() == 1);
        CHECK(found[0].text == "4006381333931");
    }
    SUBCASE("code cropped to the edge: quiet zone added")
    {
        const GrayImage tight = generated(BarcodeFormat::DataMatrix, "BIN 7", 36, 36, 0);
        CHECK(decode(tight, false).empty());
        const auto found = decode(tight);
        REQUIRE(found.size() == 1);
        CHECK(found[0].text == "BIN 7");
        CHECK(found[0].pass == "pad");
        // Positions are mapped back to the caller's image.
        CHECK(found[0].position[0] == Point{0, 0});
    }
    SUBCASE("reverse-printed code: inversion")
    {
        const GrayImage light = invert(generated(BarcodeFormat::QRCode, "LOC:B-02", 160, 160).view());
        CHECK(decode(light, false).empty());
        const auto found = decode(light);
        REQUIRE(found.size() == 1);
        CHECK(found[0].text == "LOC:B-02");
        CHECK(found[0].pass == "invert");
    }
    SUBCASE("no code at all: nothing, within the budget")
    {
        const GrayImage blank = withNoise(GrayImage(320, 240, 200), 30);
        const auto t0 = std::chrono::steady_clock::now();
        CHECK(decode(blank).empty());
        CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(20));  // budget + one pass, even under ASan
    }
}

TEST_CASE("misread guards")
{
    SUBCASE("ITF-14 with a wrong check digit is a GTIN that is never reported; a right one carries (01)")
    {
        const std::string body = "1950110153000";
        const int check = ledger::gs1CheckDigit(body);
        const std::string good = body + std::to_string(check);
        const std::string bad = body + std::to_string((check + 1) % 10);
        const auto wrong = decode(generated(BarcodeFormat::ITF, bad, 400, 100));
        CHECK_MESSAGE(wrong.empty(), (wrong.empty() ? "" : wrong[0].text + " " + wrong[0].pass));
        const auto found = decode(generated(BarcodeFormat::ITF, good, 400, 100));
        REQUIRE(found.size() == 1);
        CHECK(found[0].text == good);
        REQUIRE(found[0].interpretation.has_value());
        CHECK(found[0].interpretation->elements.at(0).ai == "01");
        CHECK(found[0].interpretation->elements.at(0).value == good);
    }
    SUBCASE("a GS1 key with a wrong check digit inside GS1-128 is not reported")
    {
        TempDir dir;
        const GrayImage img = zint(dir, "badsscc", "-b GS1_128 --height 50 --scale 2 --gs1nocheck", "[00]095011015300000012");
        CHECK(decode(img).empty());
    }
    SUBCASE("a 1D result needs a second look to agree: without it, the same clean code still reads")
    {
        DecodeOptions o = opts();
        o.confirmLinear = false;
        const GrayImage img = generated(BarcodeFormat::Code128, "A1", 200, 80);
        CHECK(ImageDecoder(o).decode(img.view()).size() == 1);
        CHECK(decode(img).size() == 1);
    }
    SUBCASE("formats outside the configured set are not reported")
    {
        DecodeOptions o = opts();
        o.formats = ZXing::BarcodeFormat::QRCode;
        CHECK(ImageDecoder(o).decode(generated(BarcodeFormat::EAN13, "9501101530003", 300, 120).view()).empty());
    }
}

TEST_CASE("parseFormats reads ZXing's names and names the bad one")
{
    auto f = parseFormats("EAN-13, qrcode,Code128");
    REQUIRE(f.has_value());
    CHECK(*f == (ZXing::BarcodeFormat::EAN13 | ZXing::BarcodeFormat::QRCode | ZXing::BarcodeFormat::Code128));
    auto bad = parseFormats("EAN-13,Barcode9");
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error().code == "bad_format");
    CHECK(bad.error().message.find("'Barcode9'") != std::string::npos);
    CHECK(parseFormats("").error().code == "bad_format");
}

TEST_CASE("an empty view decodes to nothing")
{
    CHECK(ImageDecoder().decode(GrayImageView{}).empty());
}

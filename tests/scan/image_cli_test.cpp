// `backfill decode` end to end: the JSON line contract, unreadable files, exit statuses, and
// the camera path on a folder of frames.

#include "image_test_support.h"

#include <nlohmann/json.hpp>

#include <sstream>

using namespace backfill::scan::image;
using namespace backfill::scan::image::testing;
using ZXing::BarcodeFormat;
using nlohmann::ordered_json;

namespace {

std::string bin()
{
    const char* b = std::getenv("BACKFILL_BIN");
    REQUIRE_MESSAGE(b != nullptr, "BACKFILL_BIN is not set (run through ctest)");
    return b;
}

std::vector<ordered_json> lines(const std::string& out)
{
    std::vector<ordered_json> docs;
    std::istringstream in(out);
    for (std::string line; std::getline(in, line);) docs.push_back(ordered_json::parse(line));
    return docs;
}

std::vector<std::string> keys(const ordered_json& j)
{
    std::vector<std::string> k;
    for (auto it = j.begin(); it != j.end(); ++it) k.push_back(it.key());
    return k;
}

} // namespace

TEST_CASE("decode prints one line per image, keeps going after an unreadable file, exits 1")
{
    TempDir dir;
    savePng(dir.file("ean.png"), generated(BarcodeFormat::EAN13, "9501101530003", 300, 120));
    zint(dir, "dm", "-b DATAMATRIX --gs1 --scale 4 --quietzones", "[01]09501101530003[17]260630[10]LOT7");
    zint(dir, "c128", "-b CODE128 --height 70 --quietzones --scale 6", "123456");  // aborts plain libZXing
    saveBytes(dir.file("broken.png"), readBytes(dir.file("ean.png")).substr(0, 60));
    savePgm(dir.file("blank.pgm"), GrayImage(64, 48, 255));

    int status = -1;
    const std::string out = runCommand(bin() + " --today 2026-01-15 decode '" + dir.file("ean.png") + "' '" +
                                           dir.file("broken.png") + "' '" + dir.file("dm.png") + "' '" +
                                           dir.file("c128.png") + "' '" + dir.file("blank.pgm") + "'",
                                       status);
    CHECK(status == 1);
    const auto docs = lines(out);
    REQUIRE(docs.size() == 5);

    const auto& ean = docs[0];
    CHECK(keys(ean) == std::vector<std::string>{"file", "barcodes", "ms"});
    CHECK(ean["file"] == dir.file("ean.png"));
    CHECK(ean["ms"].is_number_integer());
    REQUIRE(ean["barcodes"].size() == 1);
    const auto& b = ean["barcodes"][0];
    CHECK(keys(b) == std::vector<std::string>{"format", "text", "symbology", "gs1", "elements", "position"});
    CHECK(b["format"] == "EAN-13");
    CHECK(b["text"] == "9501101530003");
    CHECK(b["symbology"] == "]E0");
    CHECK(b["gs1"] == false);
    CHECK(b["elements"] == ordered_json::parse(R"([{"ai":"01","value":"09501101530003"}])"));
    REQUIRE(b["position"].size() == 4);
    CHECK(b["position"][0].size() == 2);

    CHECK(keys(docs[1]) == std::vector<std::string>{"file", "code", "error"});
    CHECK(docs[1]["code"] == "unreadable_image");
    CHECK(docs[1]["error"].get<std::string>().find(dir.file("broken.png") + ": corrupt or truncated PNG data") == 0);

    const auto& dm = docs[2]["barcodes"].at(0);
    CHECK(dm["format"] == "DataMatrix");
    CHECK(dm["text"] == "01095011015300031726063010LOT7");
    CHECK(dm["symbology"] == "]d2");
    CHECK(dm["gs1"] == true);
    CHECK(dm["elements"] == ordered_json::parse(
                                R"([{"ai":"01","value":"09501101530003"},{"ai":"17","value":"260630","date":"2026-06-30"},{"ai":"10","value":"LOT7"}])"));

    REQUIRE(docs[3]["barcodes"].size() == 1);
    CHECK(docs[3]["barcodes"][0]["format"] == "Code128");
    CHECK(docs[3]["barcodes"][0]["text"] == "123456");

    CHECK(docs[4]["barcodes"] == ordered_json::array());
}

TEST_CASE("decode exits 0 when every image was read, and refuses bad usage")
{
    TempDir dir;
    savePgm(dir.file("blank.pgm"), GrayImage(64, 48, 255));
    int status = -1;
    const auto docs = lines(runCommand(bin() + " decode '" + dir.file("blank.pgm") + "'", status));
    CHECK(status == 0);
    REQUIRE(docs.size() == 1);
    CHECK(docs[0]["barcodes"] == ordered_json::array());

    runCommand(bin() + " decode --formats EAN-13,Barcode9 '" + dir.file("blank.pgm") + "' 2>/dev/null", status);
    CHECK(status == 3);
    runCommand(bin() + " decode 2>/dev/null", status);
    CHECK(status == 3);
}

TEST_CASE("decode --camera: a folder of frames plays as a camera, a non-camera node is refused")
{
    TempDir dir;
    GrayImage blank(240, 180, 230);
    GrayImage withCode = blank;
    paste(withCode, generated(BarcodeFormat::QRCode, "LOC:A-01-03", 100, 100, 8), 70, 40);
    std::filesystem::create_directory(dir.path() / "frames");
    const char* plan[] = {"0", "1", "1", "1", "0", "1"};  // one sighting: gaps shorter than 700 ms
    for (int i = 0; i < 6; ++i)
        savePng(dir.file("frames/f" + std::to_string(i) + ".png"), plan[i][0] == '1' ? withCode : blank);
    int status = -1;
    const auto docs = lines(runCommand(bin() + " decode --every-frame --fps 0 --camera '" + dir.file("frames") + "'", status));
    CHECK(status == 0);
    REQUIRE(docs.size() == 1);
    CHECK(keys(docs[0]) == std::vector<std::string>{"camera", "frame", "format", "text", "symbology", "gs1", "elements",
                                                    "position", "ms"});
    CHECK(docs[0]["frame"] == 1);
    CHECK(docs[0]["format"] == "QRCode");
    CHECK(docs[0]["text"] == "LOC:A-01-03");

    const std::string err = runCommand(bin() + " decode --camera /dev/null 2>&1 >/dev/null", status);
    CHECK(status == 3);
    CHECK(ordered_json::parse(err)["code"] == "not_a_camera");
}

// store/JsonText.h writes the outbox payload of a receipt by hand: it must give exactly the
// bytes nlohmann's dump() gives (the server and older payloads are read with it), and leave
// text with bytes of 0x80 or above to nlohmann.

#include "store/JsonText.h"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <limits>
#include <string>

using backfill::store::appendJsonInt;
using backfill::store::appendJsonString;

namespace {

std::string viaNlohmann(const std::string& text) { return nlohmann::json(text).dump(); }

std::string viaJsonText(const std::string& text)
{
    std::string out = "x";
    REQUIRE(appendJsonString(out, text));
    return out.substr(1);
}

} // namespace

TEST_CASE("every byte below 0x80 is written as nlohmann's dump() writes it")
{
    for (int c = 0; c < 0x80; ++c) {
        const std::string text = std::string("a") + static_cast<char>(c) + "b";
        CAPTURE(c);
        CHECK(viaJsonText(text) == viaNlohmann(text));
    }
    CHECK(viaJsonText("") == "\"\"");
    CHECK(viaJsonText("\x1d" "0100614141000418") == "\"\\u001d0100614141000418\"");
    CHECK(viaJsonText("q\"\\\t\n\r\b\f\x7f") == "\"q\\\"\\\\\\t\\n\\r\\b\\f\x7f\"");
    const std::string scan = "https://id.gs1.org/01/09506000134352/10/AB-12?17=261231&x=\"y\"";
    CHECK(viaJsonText(scan) == viaNlohmann(scan));
}

TEST_CASE("text with a byte of 0x80 or above is refused and leaves the output as it was")
{
    std::string out = "{";
    CHECK_FALSE(appendJsonString(out, "caf\xc3\xa9"));
    CHECK_FALSE(appendJsonString(out, "\xff"));
    CHECK_FALSE(appendJsonString(out, "a\"b\n\x01c\xc3\xa9")); // escapes written before the refusal are taken back
    CHECK(out == "{");
}

TEST_CASE("integers are written as nlohmann writes them")
{
    for (const int64_t n : {int64_t{0}, int64_t{1}, int64_t{-1}, int64_t{100}, int64_t{-987654321},
                            std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::min()}) {
        std::string out;
        appendJsonInt(out, n);
        CHECK(out == nlohmann::json(n).dump());
    }
}

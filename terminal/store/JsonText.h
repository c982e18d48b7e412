#pragma once
// appendJsonString writes `text` as a JSON string exactly as nlohmann::json's dump() does
// (the outbox payloads were made with it, and the server reads them): `"` and `\` escaped,
// \b \t \n \f \r by their short forms, other bytes below 0x20 as \u00xx (lowercase hex),
// everything else as it is. It returns false, leaving `out` as it found it, when the text has
// a byte of 0x80 or above: dump() checks UTF-8 (and throws on a bad sequence), so such text
// is left to nlohmann. A receipt's payload is built this way because building and dumping
// an nlohmann tree cost more than the rest of its JSON (store/TerminalStoreReceiving.cpp).

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

namespace backfill::store {

inline bool appendJsonString(std::string& out, std::string_view text)
{
    const size_t mark = out.size();
    out += '"';
    // One pass: runs of bytes that need no escape are appended whole.
    size_t run = 0;
    for (size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c >= 0x80) {
            out.resize(mark);
            return false;
        }
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        out.append(text.data() + run, i - run);
        run = i + 1;
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\b': out += "\\b"; break;
        case '\t': out += "\\t"; break;
        case '\n': out += "\\n"; break;
        case '\f': out += "\\f"; break;
        case '\r': out += "\\r"; break;
        default: {
            static constexpr char kHex[] = "0123456789abcdef";
            out += "\\u00";
            out += kHex[(c >> 4) & 0xf];
            out += kHex[c & 0xf];
        }
        }
    }
    out.append(text.data() + run, text.size() - run);
    out += '"';
    return true;
}

inline void appendJsonInt(std::string& out, int64_t value)
{
    char buf[24];
    const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
    out.append(buf, end);
}

} // namespace backfill::store

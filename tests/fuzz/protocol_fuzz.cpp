// libFuzzer target for the sync protocol's decoder (sync/protocol/Codec.h), the first code to
// touch bytes from the network. Beyond "no crash, no UB, no leak" it checks that:
//  - a refusal carries one of decode's documented codes and a message;
//  - an accepted message passes validate and encodeChecked, decodes back to itself, and its
//    encoding is a fixed point (encode(decode(encode(m))) == encode(m)).

#include "protocol/Codec.h"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

using namespace backfill::protocol;

namespace {

void check(bool condition)
{
    if (!condition) std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const auto r = decode(input);
    if (!r) {
        const std::string& code = r.error().code;
        check(code == "too_large" || code == "bad_message" || code == "unsupported_version" ||
              code == "unknown_message" || code == "bad_field");
        check(!r.error().message.empty());
        return 0;
    }
    check(validate(*r).has_value());
    const auto bytes = encodeChecked(*r);
    check(bytes.has_value());
    const auto again = decode(*bytes);
    check(again.has_value() && *again == *r);
    check(encode(*again) == *bytes);
    return 0;
}

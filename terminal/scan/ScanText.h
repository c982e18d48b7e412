#pragma once
// Character tests shared by the scan sources (GS1 element strings, Digital Link URIs, the AI
// table): one definition each, so the files agree and can be compiled together.

#include <algorithm>
#include <cctype>
#include <string_view>

namespace backfill::scan::text {

inline bool isDigit(char c) { return c >= '0' && c <= '9'; }

// allDigits: non-empty and ASCII digits only.
inline bool allDigits(std::string_view s) { return !s.empty() && std::all_of(s.begin(), s.end(), isDigit); }

// startsWithNoCase: `s` starts with `prefix`, ASCII case ignored (`prefix` is lower case).
inline bool startsWithNoCase(std::string_view s, std::string_view prefix)
{
    if (s.size() < prefix.size()) return false;
    for (size_t i = 0; i < prefix.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
    return true;
}

} // namespace backfill::scan::text

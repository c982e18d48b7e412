#include "ledger/CheckDigit.h"

#include <string>

namespace backfill::ledger {

int gs1CheckDigit(std::string_view data)
{
    if (data.empty()) return -1;
    int sum = 0;
    int weight = 3;
    for (auto it = data.rbegin(); it != data.rend(); ++it) {
        if (*it < '0' || *it > '9') return -1;
        sum += (*it - '0') * weight;
        weight = 4 - weight;
    }
    return (10 - sum % 10) % 10;
}

bool hasValidCheckDigit(std::string_view key)
{
    if (key.size() < 2) return false;
    const char last = key.back();
    if (last < '0' || last > '9') return false;
    return gs1CheckDigit(key.substr(0, key.size() - 1)) == last - '0';
}

bool isGtin(std::string_view text)
{
    const auto n = text.size();
    return (n == 8 || n == 12 || n == 13 || n == 14) && hasValidCheckDigit(text);
}

std::optional<std::string> toGtin14(std::string_view text)
{
    if (!isGtin(text)) return std::nullopt;
    return std::string(14 - text.size(), '0') + std::string(text);
}

bool isSscc(std::string_view text) { return text.size() == 18 && hasValidCheckDigit(text); }

} // namespace backfill::ledger

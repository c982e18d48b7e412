#include "ledger/Date.h"

#include <cstdio>

namespace backfill::ledger {

namespace {

bool isLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

// Days from civil and back use the era decomposition (400-year cycles of 146097 days), the
// standard proleptic Gregorian arithmetic; written here from the calendar rules.
int32_t daysFromCivil(int y, int m, int d)
{
    y -= m <= 2;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const int yoe = y - era * 400;
    const int mp = (m + 9) % 12;
    const int doy = (153 * mp + 2) / 5 + d - 1;
    const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

bool digits(std::string_view s, size_t pos, size_t n, int& out)
{
    if (pos + n > s.size()) return false;
    int v = 0;
    for (size_t i = pos; i < pos + n; ++i) {
        if (s[i] < '0' || s[i] > '9') return false;
        v = v * 10 + (s[i] - '0');
    }
    out = v;
    return true;
}

} // namespace

int daysInMonth(int year, int month)
{
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12) return 0;
    return month == 2 && isLeap(year) ? 29 : kDays[month - 1];
}

std::optional<Date> dateFromYmd(int year, int month, int day)
{
    if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return std::nullopt;
    return Date{daysFromCivil(year, month, day)};
}

void ymd(Date date, int& year, int& month, int& day)
{
    const int32_t z = date.days + 719468;
    const int era = (z >= 0 ? z : z - 146096) / 146097;
    const int doe = z - era * 146097;
    const int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int mp = (5 * doy + 2) / 153;
    day = doy - (153 * mp + 2) / 5 + 1;
    month = mp < 10 ? mp + 3 : mp - 9;
    year = yoe + era * 400 + (month <= 2);
}

std::optional<Date> parseDate(std::string_view s)
{
    int y, m, d;
    if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
    if (!digits(s, 0, 4, y) || !digits(s, 5, 2, m) || !digits(s, 8, 2, d)) return std::nullopt;
    return dateFromYmd(y, m, d);
}

std::optional<Timestamp> parseTimestamp(std::string_view s)
{
    auto date = parseDate(s.substr(0, 10));
    if (!date) return std::nullopt;
    Timestamp t = startOf(*date);
    if (s.size() == 10) return t;
    if (s[10] != 'T') return std::nullopt;
    int hh, mm, ss = 0;
    if (!digits(s, 11, 2, hh) || s.size() < 16 || s[13] != ':' || !digits(s, 14, 2, mm)) return std::nullopt;
    size_t pos = 16;
    if (pos < s.size() && s[pos] == ':') {
        if (!digits(s, pos + 1, 2, ss)) return std::nullopt;
        pos += 3;
    }
    if (hh > 23 || mm > 59 || ss > 59) return std::nullopt;
    t += hh * 3600 + mm * 60 + ss;
    if (pos == s.size()) return std::nullopt; // the zone is required
    if (s[pos] == 'Z' && pos + 1 == s.size()) return t;
    if (s[pos] != '+' && s[pos] != '-') return std::nullopt;
    int oh, om;
    if (s.size() != pos + 6 || !digits(s, pos + 1, 2, oh) || s[pos + 3] != ':' || !digits(s, pos + 4, 2, om))
        return std::nullopt;
    if (oh > 23 || om > 59) return std::nullopt;
    const int offset = oh * 3600 + om * 60;
    return s[pos] == '+' ? t - offset : t + offset;
}

std::string formatDate(Date d)
{
    int y, m, day;
    ymd(d, y, m, day);
    char buf[40]; // wide enough for any int year, so -Wformat-truncation has nothing to say
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, day);
    return buf;
}

Date dateOf(Timestamp t)
{
    int64_t days = t / 86400;
    if (t % 86400 < 0) --days;
    return Date{static_cast<int32_t>(days)};
}

Timestamp startOf(Date d) { return static_cast<Timestamp>(d.days) * 86400; }

std::string formatTimestamp(Timestamp t)
{
    const Date d = dateOf(t);
    const int64_t secs = t - startOf(d);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%sT%02d:%02d:%02dZ", formatDate(d).c_str(), static_cast<int>(secs / 3600),
                  static_cast<int>(secs / 60 % 60), static_cast<int>(secs % 60));
    return buf;
}

} // namespace backfill::ledger

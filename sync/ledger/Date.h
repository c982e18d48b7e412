#pragma once
// Calendar dates and UTC timestamps, parsed and formatted by hand: g++ 12 has no
// std::chrono::parse. Everything is stored in UTC.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace backfill::ledger {

// Date is a civil date in the proleptic Gregorian calendar, as days since 1970-01-01.
struct Date {
    int32_t days = 0;
    friend auto operator<=>(const Date&, const Date&) = default;
};

// Timestamp is a UTC instant in seconds since 1970-01-01T00:00:00Z.
using Timestamp = int64_t;

// dateFromYmd builds a Date; nullopt when month/day do not exist (2026-02-29).
std::optional<Date> dateFromYmd(int year, int month, int day);
// ymd splits a Date into its year, month and day.
void ymd(Date d, int& year, int& month, int& day);
// daysInMonth gives 28..31 for the month of that year.
int daysInMonth(int year, int month);
// parseDate reads exactly `YYYY-MM-DD`; nullopt otherwise.
std::optional<Date> parseDate(std::string_view text);
// parseTimestamp reads `YYYY-MM-DD` (00:00 UTC) or `YYYY-MM-DDTHH:MM[:SS](Z|+HH:MM|-HH:MM)`.
std::optional<Timestamp> parseTimestamp(std::string_view text);
// formatDate writes `YYYY-MM-DD`.
std::string formatDate(Date d);
// formatTimestamp writes `YYYY-MM-DDTHH:MM:SSZ`.
std::string formatTimestamp(Timestamp t);
// dateOf gives the UTC calendar date of an instant.
Date dateOf(Timestamp t);
// startOf gives 00:00 UTC of a date.
Timestamp startOf(Date d);

} // namespace backfill::ledger

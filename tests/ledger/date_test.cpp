#include "ledger/CheckDigit.h"
#include "ledger/Date.h"

#include <doctest/doctest.h>

using namespace backfill::ledger;

TEST_CASE("dates round trip through days since the epoch")
{
    CHECK(parseDate("1970-01-01")->days == 0);
    CHECK(parseDate("2000-03-01")->days == 11017);
    CHECK(formatDate(*parseDate("2024-02-29")) == "2024-02-29");
    CHECK_FALSE(parseDate("2026-02-29"));
    CHECK_FALSE(parseDate("2026-13-01"));
    CHECK_FALSE(parseDate("2026-1-01"));
    // Every date of years 0001..9999 (the four-digit years the text form can hold).
    const int32_t first = parseDate("0001-01-01")->days, last = parseDate("9999-12-31")->days;
    CHECK(first == -719162);
    CHECK(last == 2932896);
    for (int32_t d = first; d <= last; d += 97) {
        const auto back = parseDate(formatDate(Date{d}));
        REQUIRE(back.has_value());
        CHECK(back->days == d);
    }
}

TEST_CASE("timestamps accept a date, Z and offsets")
{
    CHECK(*parseTimestamp("2026-11-28") == 1795824000);
    CHECK(*parseTimestamp("2026-11-28T10:30Z") == 1795824000 + 37800);
    CHECK(*parseTimestamp("2026-11-28T10:30:15+02:00") == 1795824000 + 37815 - 7200);
    CHECK(*parseTimestamp("2026-11-28T00:00:00-01:30") == 1795824000 + 5400);
    CHECK_FALSE(parseTimestamp("2026-11-28T10:30"));
    CHECK_FALSE(parseTimestamp("2026-11-28T24:00Z"));
    CHECK_FALSE(parseTimestamp("2026-11-28 10:30Z"));
    CHECK(formatTimestamp(1795824000 + 37815) == "2026-11-28T10:30:15Z");
}

TEST_CASE("GS1 check digits (GS1 General Specifications 7.9.1)")
{
    CHECK(gs1CheckDigit("0950110153000") == 3);
    CHECK(hasValidCheckDigit("09501101530003"));
    CHECK_FALSE(hasValidCheckDigit("09501101530004"));
    CHECK(isGtin("96385074"));
    CHECK(isSscc("106141411234567897"));
    CHECK(*toGtin14("4006381333931") == "04006381333931");
    CHECK_FALSE(toGtin14("400638133393"));
    CHECK(gs1CheckDigit("12a") == -1);
}

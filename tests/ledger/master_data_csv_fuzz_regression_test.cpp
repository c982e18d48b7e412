// What the CSV import fuzz target (tests/fuzz/csv_import_fuzz.cpp) found, as deterministic
// tests: accepted rows must write back to CSV and read back the same.

#include "ledger/Date.h"
#include "ledger/MasterDataCsv.h"

#include <doctest/doctest.h>

#include <string>

using namespace backfill::ledger;

TEST_CASE("a timestamp whose offset carries it out of the years 0000-9999 in UTC is bad_date")
{
    // tests/fuzz/csv_seeds/backorders-dates.csv: accepted before, stored as year -1 and 10000,
    // which formatTimestamp wrote as "-001-12-31T23:00:00Z" and "10000-01-01T23:58:00Z".
    const auto rows = parseBackordersCsv("order_id,line,customer,email,sku,qty,priority,ordered_at,promised_at\n"
                                         "SO-1,1,K,,A,1,,0000-01-01T00:00+01:00,\n"
                                         "SO-1,2,K,,A,1,,2026-11-04,9999-12-31T23:59-23:59\n");
    REQUIRE(rows.errors.size() == 2);
    CHECK(rows.errors[0].line == 2);
    CHECK(rows.errors[0].column == "ordered_at");
    CHECK(rows.errors[0].code == "bad_date");
    CHECK(rows.errors[1].line == 3);
    CHECK(rows.errors[1].column == "promised_at");
    CHECK(rows.errors[1].code == "bad_date");
    CHECK(rows.rows.empty());
}

TEST_CASE("the first and last instants of years 0000-9999 in UTC are accepted and write back")
{
    const auto rows = parseBackordersCsv("order_id,line,customer,email,sku,qty,priority,ordered_at,promised_at\n"
                                         "SO-1,1,K,,A,1,,0000-01-01T01:00+01:00,9999-12-31T23:59:59Z\n"
                                         "SO-1,2,K,,A,1,,0000-01-01,9999-12-31T22:59:59-01:00\n");
    REQUIRE(rows.ok());
    REQUIRE(rows.rows.size() == 2);
    for (const auto& row : rows.rows) {
        CHECK(formatTimestamp(row.orderedAt) == "0000-01-01T00:00:00Z");
        REQUIRE(row.promisedAt.has_value());
        CHECK(formatTimestamp(*row.promisedAt) == "9999-12-31T23:59:59Z");
        CHECK(parseTimestamp(formatTimestamp(*row.promisedAt)) == row.promisedAt);
    }
}

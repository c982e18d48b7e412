// ledger/LocationLabels.h: the stored-label rule both imports share (docs/import.md,
// locations), over a map standing in for the database.
#include "ledger/LocationLabels.h"

#include <doctest/doctest.h>

#include <map>

using namespace backfill::ledger;

namespace {

using Pair = std::pair<std::string, std::string>;

std::vector<ImportIssue> check(const std::string& csv, const std::map<Pair, std::string>& stored, std::vector<Pair>* asked = nullptr)
{
    const auto rows = parseLocationsCsv(csv);
    REQUIRE(rows.errors.empty());
    auto issues = checkStoredGlns(rows, [&](const std::string& gln, const std::string& ext) -> Result<std::optional<std::string>> {
        if (asked) asked->emplace_back(gln, ext);
        auto it = stored.find({gln, ext});
        if (it == stored.end()) return std::optional<std::string>();
        return std::optional<std::string>(it->second);
    });
    REQUIRE(issues);
    return *issues;
}

const std::map<Pair, std::string> kStored{{{"9501101000018", "A1"}, "A1"}, {{"9501101000018", ""}, "A2"}};

} // namespace

TEST_CASE("checkStoredGlns: a pair another location holds is duplicate_gln unless that location takes another here")
{
    std::vector<Pair> asked;
    // Rows without a gln are not asked about; a location's own pair is no conflict.
    CHECK(check("code,kind,sequence,gln,gln_extension\nDOCK,receiving,1,,\nA1,storage,10,9501101000018,A1\n", kStored, &asked).empty());
    CHECK(asked == std::vector<Pair>{{"9501101000018", "A1"}});

    auto taken = check("code,kind,sequence,gln,gln_extension\nDOCK,receiving,1,,\nQ,quarantine,40,9501101000018,A1\n", kStored);
    REQUIRE(taken.size() == 1);
    CHECK(taken[0].line == 3);
    CHECK(taken[0].column == "gln");
    CHECK(taken[0].code == "duplicate_gln");
    CHECK(taken[0].message == "GLN 9501101000018 extension A1 already names location A1; a GS1 location label names one location");
    // The holder in the file without a gln keeps its label: still refused.
    CHECK(check("code,kind,sequence,gln,gln_extension\nA1,storage,10,,\nQ,quarantine,40,9501101000018,A1\n", kStored).size() == 1);
    // A trade, and a label moving on to a new location while its holder takes another.
    CHECK(check("code,kind,sequence,gln,gln_extension\nA1,storage,10,9501101000018,\nA2,storage,20,9501101000018,A1\n", kStored).empty());
    CHECK(check("code,kind,sequence,gln,gln_extension\nQ,quarantine,40,9501101000018,\nA2,storage,20,9501101000025,\n", kStored).empty());
    auto none = check("code,kind,sequence,gln,gln_extension\nQ,quarantine,40,9501101000018,\n", kStored);
    REQUIRE(none.size() == 1);
    CHECK(none[0].message == "GLN 9501101000018 already names location A2; a GS1 location label names one location");
}

TEST_CASE("checkStoredGlns: a lookup failure ends the check with its error")
{
    const auto rows = parseLocationsCsv("code,kind,sequence,gln\nA1,storage,10,9501101000018\nA2,storage,20,9501101000025\n");
    int calls = 0;
    auto r = checkStoredGlns(rows, [&](const std::string&, const std::string&) -> Result<std::optional<std::string>> {
        ++calls;
        return fail("db_busy", "the database is busy");
    });
    REQUIRE_FALSE(r);
    CHECK(r.error().code == "db_busy");
    CHECK(calls == 1);
}

// The RFC 4180 reader (sync/ledger/Csv.h): quoting, line ends, line numbers, errors.
#include "ledger/Csv.h"

#include "ledger/TestRng.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace backfill::ledger;

namespace {

using Fields = std::vector<std::string>;

std::vector<Fields> fieldsOf(const CsvTable& t)
{
    std::vector<Fields> out;
    for (const auto& r : t.records) out.push_back(r.fields);
    return out;
}

std::vector<int64_t> linesOf(const CsvTable& t)
{
    std::vector<int64_t> out;
    for (const auto& r : t.records) out.push_back(r.line);
    return out;
}

} // namespace

TEST_CASE("plain records, with and without a final line end")
{
    const auto a = readCsv("a,b,c\n1,2,3\n");
    CHECK_FALSE(a.error);
    CHECK(fieldsOf(a) == std::vector<Fields>{{"a", "b", "c"}, {"1", "2", "3"}});
    CHECK(linesOf(a) == std::vector<int64_t>{1, 2});
    const auto b = readCsv("a,b,c\n1,2,3");
    CHECK(fieldsOf(b) == fieldsOf(a));
    CHECK(readCsv("").records.empty());
    CHECK_FALSE(readCsv("").error);
}

TEST_CASE("empty fields, a trailing delimiter and a single column")
{
    const auto t = readCsv(",a,,\nx\n");
    CHECK(fieldsOf(t) == std::vector<Fields>{{"", "a", "", ""}, {"x"}});
}

TEST_CASE("CRLF, LF and lone CR all end a record")
{
    const auto t = readCsv("h1,h2\r\n1,2\r\n3,4\n5,6\r7,8\r\n");
    CHECK_FALSE(t.error);
    CHECK(fieldsOf(t) == std::vector<Fields>{{"h1", "h2"}, {"1", "2"}, {"3", "4"}, {"5", "6"}, {"7", "8"}});
    CHECK(linesOf(t) == std::vector<int64_t>{1, 2, 3, 4, 5});
}

TEST_CASE("a UTF-8 BOM is skipped and does not shift line numbers")
{
    CsvReader reader("\xEF\xBB\xBFsku,qty\nA,1\n");
    CsvRecord r;
    REQUIRE(reader.next(r) == CsvReader::Status::Record);
    CHECK(reader.hadBom());
    CHECK(r.fields == Fields{"sku", "qty"});
    CHECK(r.line == 1);
    REQUIRE(reader.next(r) == CsvReader::Status::Record);
    CHECK(r.fields == Fields{"A", "1"});
    CHECK(r.line == 2);
    CHECK(reader.next(r) == CsvReader::Status::End);
    CHECK(reader.next(r) == CsvReader::Status::End);
    CHECK_FALSE(CsvReader("a\n").hadBom());
}

TEST_CASE("quoted fields hold delimiters, doubled quotes and line ends")
{
    const auto t = readCsv("id,text\n"
                           "1,\"a, b\"\n"
                           "2,\"say \"\"hi\"\"\"\n"
                           "3,\"two\r\nlines\nand\rthree\"\n"
                           "4,\"\"\n"
                           "5,\"\"\"\"\n");
    CHECK_FALSE(t.error);
    REQUIRE(t.records.size() == 6);
    CHECK(t.records[1].fields == Fields{"1", "a, b"});
    CHECK(t.records[2].fields == Fields{"2", "say \"hi\""});
    CHECK(t.records[3].fields == Fields{"3", "two\nlines\nand\nthree"});
    CHECK(t.records[4].fields == Fields{"4", ""});
    CHECK(t.records[5].fields == Fields{"5", "\""});
    // The record with embedded line ends starts on line 4 and ends on line 7; the next one
    // starts on line 8.
    CHECK(t.records[3].line == 4);
    CHECK(t.records[3].lastLine == 7);
    CHECK(t.records[4].line == 8);
    CHECK(t.records[5].line == 9);
}

TEST_CASE("spaces around fields are trimmed unless quoted, and can be kept")
{
    const auto t = readCsv("  a , \" b \" ,\tc\t\n");
    CHECK(fieldsOf(t) == std::vector<Fields>{{"a", " b ", "c"}});
    const auto raw = readCsv("  a , b\n", {.trimSpaces = false});
    CHECK(fieldsOf(raw) == std::vector<Fields>{{"  a ", " b"}});
    // Inner spaces of an unquoted field stay.
    CHECK(fieldsOf(readCsv("New  York ,x\n")) == std::vector<Fields>{{"New  York", "x"}});
}

TEST_CASE("blank lines are skipped but counted")
{
    const auto t = readCsv("\nh\n\n  \n\t\r\nx\n\n");
    CHECK(fieldsOf(t) == std::vector<Fields>{{"h"}, {"x"}});
    CHECK(linesOf(t) == std::vector<int64_t>{2, 6});
    CHECK(readCsv("\n\n \n").records.empty());
}

TEST_CASE("a quote inside an unquoted field is a character")
{
    CHECK(fieldsOf(readCsv("12\" pan,x\"y\"\n")) == std::vector<Fields>{{"12\" pan", "x\"y\""}});
}

TEST_CASE("text after a closing quote spoils that record only")
{
    CsvReader reader("h1,h2\n\"ab\"c,1\n2,3\n");
    CsvRecord r;
    REQUIRE(reader.next(r) == CsvReader::Status::Record);
    REQUIRE(reader.next(r) == CsvReader::Status::Error);
    CHECK(reader.error().code == "bad_quote");
    CHECK(reader.error().line == 2);
    REQUIRE(reader.next(r) == CsvReader::Status::Record);
    CHECK(r.fields == Fields{"2", "3"});
    CHECK(r.line == 3);
    CHECK(reader.next(r) == CsvReader::Status::End);
}

TEST_CASE("an unterminated quote ends reading at the record where it opened")
{
    const auto t = readCsv("h1,h2\n1,2\n3,\"open\n4,5\n6,7\n");
    REQUIRE(t.error);
    CHECK(t.error->code == "unterminated_quote");
    CHECK(t.error->line == 3);
    CHECK(t.error->message.find("line 3") != std::string::npos);
    CHECK(t.records.size() == 2);

    CsvReader reader("\"a");
    CsvRecord r;
    CHECK(reader.next(r) == CsvReader::Status::Error);
    CHECK(reader.error().code == "unterminated_quote");
    CHECK(reader.next(r) == CsvReader::Status::End);
}

TEST_CASE("another delimiter")
{
    CHECK(fieldsOf(readCsv("a;\"b;c\";d,e\n", {.delimiter = ';'})) == std::vector<Fields>{{"a", "b;c", "d,e"}});
}

TEST_CASE("record buffers are reused without leaking old fields")
{
    CsvReader reader("a,b,c,d\nx\n");
    CsvRecord r;
    REQUIRE(reader.next(r) == CsvReader::Status::Record);
    CHECK(r.fields.size() == 4);
    REQUIRE(reader.next(r) == CsvReader::Status::Record);
    CHECK(r.fields == Fields{"x"});
}

TEST_CASE("UTF-8 validation (RFC 3629)")
{
    CHECK_FALSE(utf8ErrorOffset(""));
    CHECK_FALSE(utf8ErrorOffset("plain ascii"));
    CHECK_FALSE(utf8ErrorOffset("Kaffeebecher gr\xC3\xBCn \xE2\x82\xAC \xF0\x9F\x93\xA6"));
    CHECK(utf8ErrorOffset("ab\xFC") == 2u);                // Latin-1 u-umlaut
    CHECK(utf8ErrorOffset("\xC3") == 0u);                  // truncated sequence
    CHECK(utf8ErrorOffset("x\xC0\xAF") == 1u);             // overlong '/'
    CHECK(utf8ErrorOffset("\xE0\x80\xAF") == 0u);          // overlong 3-byte
    CHECK(utf8ErrorOffset("ok\xED\xA0\x80") == 2u);        // surrogate U+D800
    CHECK(utf8ErrorOffset("\xF4\x90\x80\x80") == 0u);      // above U+10FFFF
    CHECK(utf8ErrorOffset("\xE2\x82") == 0u);              // cut 3-byte
    CHECK(utf8ErrorOffset("\x80") == 0u);                  // lone continuation
    CHECK_FALSE(utf8ErrorOffset("\xF4\x8F\xBF\xBF"));      // U+10FFFF itself
    CHECK_FALSE(utf8ErrorOffset("\xED\x9F\xBF"));          // U+D7FF
}

// ---------------------------------------------------------------------------------------------
// Properties over random inputs (fixed seeds, so a failure reproduces).

namespace {

using backfill::test::Lcg;

std::string quoteField(const std::string& f)
{
    std::string out = "\"";
    for (char c : f) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + '"';
}

} // namespace

TEST_CASE("round trip: records written with RFC 4180 quoting read back unchanged")
{
    // Pieces that stress the syntax: delimiters, quotes, line ends, spaces, multi-byte text.
    const std::vector<std::string> pieces = {"a", "Z9", ",", "\"", "\n", " ", "\t", "\xC3\xA9", "\"\"", ";", "x y"};
    for (uint64_t seed = 1; seed <= 200; ++seed) {
        Lcg rng{seed};
        std::vector<Fields> records(1 + rng.below(6));
        const size_t width = 1 + rng.below(5);
        std::string text;
        const char* eol = rng.below(2) ? "\r\n" : "\n";
        for (auto& record : records) {
            for (size_t i = 0; i < width; ++i) {
                std::string f;
                for (size_t k = rng.below(5); k > 0; --k) f += pieces[rng.below(pieces.size())];
                // A field that needs no quotes is written bare half of the time.
                const bool plain = f.find_first_of(",\"\n \t") == std::string::npos && !f.empty();
                text += (plain && rng.below(2)) ? f : quoteField(f);
                text += i + 1 < width ? "," : eol;
                record.push_back(f);
            }
        }
        if (rng.below(2)) text.resize(text.size() - std::string(eol).size()); // no final line end
        const auto t = readCsv(text);
        CHECK_MESSAGE(!t.error, "seed " << seed);
        CHECK_MESSAGE(fieldsOf(t) == records, "seed " << seed);
        // Line numbers: each record starts one line after the previous one ended.
        for (size_t i = 1; i < t.records.size(); ++i) CHECK(t.records[i].line == t.records[i - 1].lastLine + 1);
    }
}

TEST_CASE("random bytes never break the reader: it ends, and line numbers only grow")
{
    const std::string alphabet = "a,\"\n\r \t\xEF\xBB\xBF;x";
    for (uint64_t seed = 1; seed <= 500; ++seed) {
        Lcg rng{seed};
        std::string text;
        for (size_t n = rng.below(200); n > 0; --n) text += alphabet[rng.below(alphabet.size())];
        int64_t physicalLines = 1;
        for (size_t i = 0; i < text.size(); ++i)
            physicalLines += text[i] == '\n' || (text[i] == '\r' && (i + 1 == text.size() || text[i + 1] != '\n'));
        CsvReader reader(text);
        CsvRecord r;
        int64_t last = 0;
        for (int guard = 0; guard < 10000; ++guard) {
            const auto status = reader.next(r);
            if (status == CsvReader::Status::End) break;
            const int64_t line = status == CsvReader::Status::Record ? r.line : reader.error().line;
            CHECK(line > last);
            CHECK(line <= physicalLines);
            if (status == CsvReader::Status::Record) CHECK(r.lastLine >= r.line);
            last = line;
        }
        CHECK(reader.next(r) == CsvReader::Status::End);
    }
}

// CsvSheet.h: the walk shared by every master-data CSV parser (ledger/MasterDataCsv.cpp):
// the header checked against column specs, then one record at a time with typed cells, and
// every issue collected with its line and column, up to kMaxImportErrors errors.
#pragma once

#include "ledger/CheckDigit.h"
#include "ledger/Csv.h"
#include "ledger/Date.h"
#include "ledger/Decimal.h"
#include "ledger/MasterDataCsv.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <initializer_list>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace backfill::ledger::sheet {

// ColumnSpec names a column a file may have; `required` ones must be in the header.
struct ColumnSpec {
    std::string_view name;
    bool required;
};

inline char asciiLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

inline bool equalsIgnoreCase(std::string_view a, std::string_view b)
{
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (asciiLower(a[i]) != asciiLower(b[i])) return false;
    return true;
}

inline bool allDigits(std::string_view s)
{
    if (s.empty()) return false;
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}

// quoted shows a value inside a message: in quotes, control characters escaped, cut after
// 40 bytes (on a UTF-8 boundary) so that one bad cell cannot flood the terminal.
inline std::string quoted(std::string_view value)
{
    constexpr size_t kMax = 40;
    std::string out = "\"";
    size_t i = 0;
    for (; i < value.size() && i < kMax; ++i) {
        const auto c = static_cast<unsigned char>(value[i]);
        if (c == '\n') {
            out += "\\n";
        } else if (c == '\t') {
            out += "\\t";
        } else if (c < 0x20 || c == 0x7F) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02X", c);
            out += buf;
        } else {
            out += static_cast<char>(c);
        }
    }
    if (i < value.size()) {
        while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0) == 0x80) out.pop_back();
        if (!out.empty() && static_cast<unsigned char>(out.back()) >= 0xC0) out.pop_back();
        out += "...";
    }
    out += '"';
    return out;
}

inline std::string listNames(std::span<const ColumnSpec> specs)
{
    std::string out;
    for (const auto& spec : specs) {
        if (!out.empty()) out += ',';
        out += spec.name;
    }
    return out;
}

// Sheet walks one CSV file: it checks the header against the column specs, then hands out
// data records one at a time and collects every issue, up to kMaxImportErrors errors. The
// per-file parsers (MasterDataCsv.cpp) only say what a row means.
template <class T>
class Sheet {
public:
    Sheet(std::string_view text, std::span<const ColumnSpec> specs, ParsedRows<T>& out)
        : m_reader(text), m_specs(specs), m_out(out), m_index(specs.size(), -1)
    {
        // Line ends bound the number of records: reserving for them avoids regrowing the rows
        // of a large import (one pass of memchr-speed counting).
        m_capacityHint = static_cast<size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
        m_out.rows.reserve(m_capacityHint);
        m_out.lines.reserve(m_capacityHint);
    }

    // capacityHint is an upper bound on the number of records, for sizing key maps.
    size_t capacityHint() const { return m_capacityHint; }

    // readHeader maps the columns; false when the header is unusable (errors say why).
    bool readHeader()
    {
        CsvRecord header;
        const auto status = m_reader.next(header);
        if (status == CsvReader::Status::End) {
            error(1, "", "missing_header",
                  "the file is empty; its first line must be the header: " + listNames(m_specs));
            return false;
        }
        if (status == CsvReader::Status::Error) {
            addCsvError();
            return false;
        }
        if (!checkEncoding(header, /*named=*/false)) return false;
        if (header.line != 1) {
            // Blank lines before the header were skipped; the header is still the first record.
            m_headerLine = header.line;
        }
        m_names.reserve(header.fields.size());
        for (size_t i = 0; i < header.fields.size(); ++i) {
            const std::string& name = header.fields[i];
            m_names.push_back(name);
            if (name.empty()) {
                warning(m_headerLine, "", "unknown_column",
                        "column " + std::to_string(i + 1) + " has no name; it is ignored");
                continue;
            }
            size_t s = 0;
            while (s < m_specs.size() && !equalsIgnoreCase(m_specs[s].name, name)) ++s;
            if (s == m_specs.size()) {
                warning(m_headerLine, name, "unknown_column",
                        "unknown column, ignored; the columns of this file are " + listNames(m_specs));
            } else if (m_index[s] >= 0) {
                error(m_headerLine, name, "duplicate_column",
                      "named twice (columns " + std::to_string(m_index[s] + 1) + " and " + std::to_string(i + 1) +
                          "); keep one");
            } else {
                m_index[s] = static_cast<int>(i);
            }
        }
        for (size_t s = 0; s < m_specs.size(); ++s)
            if (m_specs[s].required && m_index[s] < 0)
                error(m_headerLine, std::string(m_specs[s].name), "missing_column",
                      "required column is missing from the header; the columns of this file are " +
                          listNames(m_specs));
        for (size_t s = 0; s < m_specs.size(); ++s)
            if (m_index[s] >= 0) m_out.columns.emplace_back(m_specs[s].name);
        return m_out.errors.empty();
    }

    // nextRow moves to the next well-formed data record; false at the end or when the error
    // limit is reached.
    bool nextRow()
    {
        for (;;) {
            if (m_out.errors.size() >= kMaxImportErrors) {
                if (m_reader.next(m_record) != CsvReader::Status::End) m_out.truncated = true;
                return false;
            }
            const auto status = m_reader.next(m_record);
            if (status == CsvReader::Status::End) return false;
            ++m_recordIndex;
            if (status == CsvReader::Status::Error) {
                addCsvError();
                continue;
            }
            if (m_record.fields.size() != m_names.size()) {
                error(m_record.line, "", "bad_row",
                      "the record has " + std::to_string(m_record.fields.size()) + " fields, the header has " +
                          std::to_string(m_names.size()) + "; quote fields that hold a comma");
                continue;
            }
            if (!checkEncoding(m_record, /*named=*/true)) continue;
            m_rowFailed = false;
            return true;
        }
    }

    int64_t line() const { return m_record.line; }
    int64_t recordIndex() const { return m_recordIndex; }
    // rowOk is true when the current row had no error so far (counting errors dropped
    // beyond kMaxImportErrors: a row with a dropped error is still not valid).
    bool rowOk() const { return !m_rowFailed; }

    // get gives the field of column `s` (a spec index); empty when the file lacks the column.
    std::string_view get(size_t s) const
    {
        return m_index[s] < 0 ? std::string_view{} : std::string_view(m_record.fields[m_index[s]]);
    }

    // name gives the column's name as the header spells it (the spec's name when absent).
    std::string name(size_t s) const
    {
        return m_index[s] < 0 ? std::string(m_specs[s].name) : m_names[m_index[s]];
    }

    void fail(size_t s, std::string code, std::string message)
    {
        error(m_record.line, name(s), std::move(code), std::move(message));
    }

    void warn(size_t s, std::string code, std::string message)
    {
        warning(m_record.line, name(s), std::move(code), std::move(message));
    }

    // text reads an identifier: no control characters; `required` ones must not be empty.
    std::optional<std::string> text(size_t s, bool required, bool multiline = false)
    {
        const std::string_view v = get(s);
        if (v.empty()) {
            if (required) fail(s, "required", "a value is required");
            return required ? std::nullopt : std::optional<std::string>(std::string{});
        }
        for (char ch : v) {
            const auto c = static_cast<unsigned char>(ch);
            const bool allowed = multiline && (c == '\n' || c == '\t');
            if ((c < 0x20 || c == 0x7F) && !allowed) {
                fail(s, "bad_text", quoted(v) + " holds a control character; remove it");
                return std::nullopt;
            }
        }
        return std::string(v);
    }

    // number reads a whole number in [min, max]; empty gives `empty` when set, else required.
    std::optional<int64_t> number(size_t s, int64_t min, int64_t max, std::optional<int64_t> empty)
    {
        const std::string_view v = get(s);
        if (v.empty()) {
            if (!empty) fail(s, "required", "a value is required");
            return empty;
        }
        int64_t value = 0;
        const char* begin = v.data();
        const char* end = v.data() + v.size();
        const bool negative = v[0] == '-';
        const bool digits = allDigits(negative ? v.substr(1) : v);
        const auto [ptr, ec] = std::from_chars(begin, end, value);
        if (!digits) {
            fail(s, "bad_number", quoted(v) + " is not a whole number; write digits only, like 12");
            return std::nullopt;
        }
        if (ec != std::errc() || ptr != end || value > max) {
            fail(s, "bad_number", quoted(v) + " is too large; the most is " + std::to_string(max));
            return std::nullopt;
        }
        if (value < min) {
            if (min == 0)
                fail(s, "bad_number", quoted(v) + " is negative; use 0 or more");
            else if (min == 1)
                fail(s, "bad_number", quoted(v) + " must be at least 1");
            else
                fail(s, "bad_number", quoted(v) + " is too small; the least is " + std::to_string(min));
            return std::nullopt;
        }
        return value;
    }

    // gtin reads an optional GTIN-8/12/13/14 and gives it as 14 digits.
    std::optional<std::string> gtin(size_t s)
    {
        const std::string_view v = get(s);
        if (!allDigits(v)) {
            fail(s, "bad_gtin", quoted(v) + " is not a GTIN; a GTIN has 8, 12, 13 or 14 digits and nothing else");
            return std::nullopt;
        }
        if (v.size() != 8 && v.size() != 12 && v.size() != 13 && v.size() != 14) {
            fail(s, "bad_gtin",
                 quoted(v) + " has " + std::to_string(v.size()) + " digits; a GTIN has 8, 12, 13 or 14");
            return std::nullopt;
        }
        if (!checkDigit(s, v)) return std::nullopt;
        return toGtin14(v);
    }

    // caseGtin reads a GTIN-14 whose indicator digit is 1-8 (GS1 General Specifications
    // 3.3.2: the indicator of a GTIN-14 for a trade item grouping is 1-8; 9 marks a
    // variable measure item, 0 the each-level GTIN padded to 14 digits).
    std::optional<std::string> caseGtin(size_t s)
    {
        const std::string_view v = get(s);
        if (!allDigits(v) || v.size() != 14) {
            fail(s, "bad_case_gtin",
                 quoted(v) + " is not a case GTIN; a case GTIN-14 has 14 digits, the first (indicator) 1-8");
            return std::nullopt;
        }
        if (v[0] == '0' || v[0] == '9') {
            fail(s, "bad_case_gtin",
                 quoted(v) + " has indicator digit " + v[0] + "; a case GTIN-14 starts with 1-8 (" +
                     (v[0] == '0' ? "0 is the each-level GTIN, put it in column gtin" : "9 is a variable measure item") +
                     ")");
            return std::nullopt;
        }
        if (!checkDigit(s, v)) return std::nullopt;
        return std::string(v);
    }

    // sscc reads an SSCC: 18 digits with a valid check digit (GS1 General Specifications 2.2.1).
    std::optional<std::string> sscc(size_t s)
    {
        const std::string_view v = get(s);
        if (!allDigits(v) || v.size() != 18) {
            fail(s, "bad_sscc", quoted(v) + " is not an SSCC; an SSCC has 18 digits and nothing else");
            return std::nullopt;
        }
        if (!checkDigit(s, v)) return std::nullopt;
        return std::string(v);
    }

    // checkDigit verifies the GS1 mod-10 check digit (GS1 General Specifications 7.9.1).
    bool checkDigit(size_t s, std::string_view digits)
    {
        const int expected = gs1CheckDigit(digits.substr(0, digits.size() - 1));
        if (digits.back() - '0' == expected) return true;
        fail(s, "check_digit",
             quoted(digits) + ": check digit is " + digits.back() + ", expected " + std::to_string(expected) +
                 "; check the number");
        return false;
    }

    std::optional<Timestamp> timestamp(size_t s, bool required)
    {
        const std::string_view v = get(s);
        if (v.empty()) {
            if (required) fail(s, "required", "a value is required");
            return std::nullopt;
        }
        if (auto t = parseTimestamp(v)) {
            // An offset can carry 0000-01-01T00:00+01:00 or 9999-12-31T23:59-01:00 out of
            // the years a date is written in (YYYY): stored, it would be shown as year -1 or
            // 10000 and not read back (found by tests/fuzz/csv_import_fuzz.cpp).
            int year = 0, month = 0, day = 0;
            ymd(dateOf(*t), year, month, day);
            if (year >= 0 && year <= 9999) return t;
            fail(s, "bad_date", quoted(v) + " is outside the years 0000-9999 in UTC; check the date and its offset");
            return std::nullopt;
        }
        const bool zoneMissing = v.size() > 10 && v[10] == 'T' && v.find_first_of("Z+-", 11) == std::string_view::npos;
        fail(s, "bad_date",
             quoted(v) + (zoneMissing ? " has no time zone; end it with Z (UTC) or an offset such as +01:00"
                                      : " is not a date; use YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS] followed by Z or "
                                        "an offset such as +01:00"));
        return std::nullopt;
    }

    // decimal reads a required decimal >= 0 (ledger/Decimal.h).
    std::optional<Decimal> decimal(size_t s)
    {
        const std::string_view v = get(s);
        if (v.empty()) {
            fail(s, "required", "a value is required");
            return std::nullopt;
        }
        auto d = parseDecimal(v);
        if (d) return *d;
        fail(s, d.error().code, quoted(v) + " " + d.error().message);
        return std::nullopt;
    }

    std::optional<Date> date(size_t s)
    {
        const std::string_view v = get(s);
        if (v.empty()) {
            fail(s, "required", "a value is required");
            return std::nullopt;
        }
        if (auto d = parseDate(v)) return d;
        fail(s, "bad_date", quoted(v) + " is not a date; use YYYY-MM-DD, like 2026-12-01");
        return std::nullopt;
    }

    void accept(T row)
    {
        m_out.rows.push_back(std::move(row));
        m_out.lines.push_back(m_record.line);
    }

private:
    void error(int64_t line, std::string column, std::string code, std::string message)
    {
        m_rowFailed = true;
        if (m_out.errors.size() >= kMaxImportErrors) {
            m_out.truncated = true;
            return;
        }
        m_out.errors.push_back({line, std::move(column), std::move(code), std::move(message)});
    }

    void warning(int64_t line, std::string column, std::string code, std::string message)
    {
        m_out.warnings.push_back({line, std::move(column), std::move(code), std::move(message)});
    }

    void addCsvError()
    {
        const CsvError& e = m_reader.error();
        error(e.line, "", e.code, e.message);
    }

    // checkEncoding reports every field that is not valid UTF-8; `named` rows name the column.
    bool checkEncoding(const CsvRecord& record, bool named)
    {
        bool ok = true;
        for (size_t i = 0; i < record.fields.size(); ++i) {
            const auto bad = utf8ErrorOffset(record.fields[i]);
            if (!bad) continue;
            ok = false;
            char byte[8];
            std::snprintf(byte, sizeof byte, "0x%02X", static_cast<unsigned char>(record.fields[i][*bad]));
            std::string column = named ? m_names[i] : std::string{};
            error(record.line, std::move(column), "bad_encoding",
                  std::string(named ? "" : "header field " + std::to_string(i + 1) + ": ") + "byte " + byte +
                      " at offset " + std::to_string(*bad) +
                      " is not UTF-8; save the file as UTF-8 (Excel: CSV UTF-8)");
        }
        return ok;
    }

    CsvReader m_reader;
    std::span<const ColumnSpec> m_specs;
    ParsedRows<T>& m_out;
    std::vector<int> m_index; // spec index -> field index, -1 when absent
    std::vector<std::string> m_names;
    CsvRecord m_record;
    int64_t m_headerLine = 1;
    int64_t m_recordIndex = 0;
    bool m_rowFailed = false;
    size_t m_capacityHint = 0;
};

// compositeKey joins key parts with the unit separator 0x1F: identifiers cannot hold control
// characters (bad_text), so distinct keys give distinct strings.
inline std::string compositeKey(std::initializer_list<std::string_view> parts)
{
    std::string key;
    for (const auto part : parts) {
        key += part;
        key += '\x1f';
    }
    return key;
}

inline constexpr int64_t kMaxInt = std::numeric_limits<int64_t>::max();
inline constexpr int64_t kMinInt = std::numeric_limits<int64_t>::min();

} // namespace backfill::ledger::sheet

#include "ledger/MasterDataCsv.h"

#include "ledger/CheckDigit.h"
#include "ledger/Csv.h"
#include "ledger/Date.h"
#include "ledger/Decimal.h"

#include <algorithm>
#include <charconv>
#include <initializer_list>
#include <cstdio>
#include <limits>
#include <map>
#include <optional>
#include <span>
#include <unordered_map>

namespace backfill::ledger {

std::string ImportIssue::format(std::string_view file) const
{
    std::string out(file);
    if (line > 0) out += ':' + std::to_string(line);
    out += ": ";
    if (!column.empty()) out += "column " + column + ": ";
    out += message;
    return out;
}

namespace {

// ColumnSpec names a column a file may have; `required` ones must be in the header.
struct ColumnSpec {
    std::string_view name;
    bool required;
};

char asciiLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool equalsIgnoreCase(std::string_view a, std::string_view b)
{
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (asciiLower(a[i]) != asciiLower(b[i])) return false;
    return true;
}

bool allDigits(std::string_view s)
{
    if (s.empty()) return false;
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}

// quoted shows a value inside a message: in quotes, control characters escaped, cut after
// 40 bytes (on a UTF-8 boundary) so that one bad cell cannot flood the terminal.
std::string quoted(std::string_view value)
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

std::string listNames(std::span<const ColumnSpec> specs)
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
// per-file parsers below only say what a row means.
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
std::string compositeKey(std::initializer_list<std::string_view> parts)
{
    std::string key;
    for (const auto part : parts) {
        key += part;
        key += '\x1f';
    }
    return key;
}

constexpr int64_t kMaxInt = std::numeric_limits<int64_t>::max();
constexpr int64_t kMinInt = std::numeric_limits<int64_t>::min();

} // namespace

ParsedRows<Product> parseCatalogCsv(std::string_view text)
{
    enum { kSku, kDescription, kGtin, kCaseGtin, kCaseQty, kSafetyStock, kLeadTime };
    static constexpr ColumnSpec kSpecs[] = {
        {"sku", true},        {"description", true},  {"gtin", false},           {"case_gtin", false},
        {"case_qty", false},  {"safety_stock", false}, {"lead_time_days", false},
    };
    ParsedRows<Product> out;
    Sheet<Product> sheet(text, kSpecs, out);
    if (!sheet.readHeader()) return out;

    struct GtinOwner {
        int64_t line;
        std::string sku;
        std::string column;
    };
    std::unordered_map<std::string, int64_t> skus;
    std::unordered_map<std::string, GtinOwner> gtins;
    skus.reserve(sheet.capacityHint());
    while (sheet.nextRow()) {
        Product p;
        auto sku = sheet.text(kSku, true);
        auto description = sheet.text(kDescription, true, /*multiline=*/true);
        std::optional<std::string> gtin, caseGtin;
        if (!sheet.get(kGtin).empty()) gtin = sheet.gtin(kGtin);
        if (!sheet.get(kCaseGtin).empty()) caseGtin = sheet.caseGtin(kCaseGtin);
        const bool hasCase = !sheet.get(kCaseGtin).empty();
        std::optional<int64_t> caseQty;
        if (hasCase && sheet.get(kCaseQty).empty()) {
            sheet.fail(kCaseQty, "case_qty_required",
                       "a case GTIN needs the number of units in the case; fill in case_qty");
        } else if (hasCase) {
            caseQty = sheet.number(kCaseQty, 1, kMaxInt, std::nullopt);
        } else if (!sheet.get(kCaseQty).empty()) {
            sheet.warn(kCaseQty, "unused_case_qty", "ignored: the product has no case_gtin");
        }
        const auto safety = sheet.number(kSafetyStock, 0, kMaxInt, 0);
        const auto lead = sheet.number(kLeadTime, 0, std::numeric_limits<int32_t>::max(), 0);

        if (sku) {
            const auto [it, fresh] = skus.emplace(*sku, sheet.line());
            if (!fresh)
                sheet.fail(kSku, "duplicate_key",
                           "sku " + quoted(*sku) + " is already on line " + std::to_string(it->second) +
                               "; each sku may appear once");
        }
        // A GTIN identifies one thing: two products, or a product's each and case level,
        // may not share it.
        const auto claim = [&](size_t column, const std::optional<std::string>& g) {
            if (!g) return;
            const auto [it, fresh] = gtins.emplace(*g, GtinOwner{sheet.line(), sku.value_or(""), sheet.name(column)});
            if (fresh) return;
            const GtinOwner& owner = it->second;
            sheet.fail(column, "duplicate_gtin",
                       "GTIN " + *g + " is already the " + owner.column + " of sku " + quoted(owner.sku) + " on line " +
                           std::to_string(owner.line) + "; a GTIN may belong to one product only");
        };
        claim(kGtin, gtin);
        claim(kCaseGtin, caseGtin);

        if (!sheet.rowOk()) continue;
        p.sku = std::move(*sku);
        p.description = std::move(*description);
        p.gtin = std::move(gtin);
        p.caseGtin = std::move(caseGtin);
        p.caseQty = caseQty.value_or(0);
        p.safetyStock = *safety;
        p.leadTimeDays = static_cast<int32_t>(*lead);
        sheet.accept(std::move(p));
    }
    return out;
}

ParsedRows<OrderLine> parseBackordersCsv(std::string_view text)
{
    enum { kOrderId, kLine, kCustomer, kEmail, kSku, kQty, kPriority, kOrderedAt, kPromisedAt };
    static constexpr ColumnSpec kSpecs[] = {
        {"order_id", true}, {"line", true},     {"customer", true},   {"email", false},       {"sku", true},
        {"qty", true},      {"priority", false}, {"ordered_at", true}, {"promised_at", false},
    };
    ParsedRows<OrderLine> out;
    Sheet<OrderLine> sheet(text, kSpecs, out);
    if (!sheet.readHeader()) return out;

    std::unordered_map<std::string, int64_t> keys;
    keys.reserve(sheet.capacityHint());
    while (sheet.nextRow()) {
        auto orderId = sheet.text(kOrderId, true);
        auto line = sheet.number(kLine, 0, kMaxInt, std::nullopt);
        auto customer = sheet.text(kCustomer, true);
        auto email = sheet.text(kEmail, false);
        if (email && !email->empty()) {
            const auto at = email->find('@');
            const bool ok = at != std::string::npos && at > 0 && at + 1 < email->size() &&
                            email->find('@', at + 1) == std::string::npos && email->find(' ') == std::string::npos;
            if (!ok) sheet.fail(kEmail, "bad_email", quoted(*email) + " is not an e-mail address like name@example.com");
        }
        auto sku = sheet.text(kSku, true);
        auto qty = sheet.number(kQty, 0, kMaxInt, std::nullopt);
        auto priority = sheet.number(kPriority, kMinInt, kMaxInt, 0);
        auto orderedAt = sheet.timestamp(kOrderedAt, true);
        auto promisedAt = sheet.timestamp(kPromisedAt, false);

        if (orderId && line) {
            const auto [it, fresh] = keys.emplace(compositeKey({*orderId, std::to_string(*line)}), sheet.line());
            if (!fresh)
                sheet.fail(kLine, "duplicate_key",
                           "order " + quoted(*orderId) + " line " + std::to_string(*line) + " is already on line " +
                               std::to_string(it->second) + "; each (order_id, line) may appear once");
        }
        if (!sheet.rowOk()) continue;
        OrderLine o;
        o.orderId = std::move(*orderId);
        o.line = *line;
        o.customer = std::move(*customer);
        o.email = std::move(*email);
        o.sku = std::move(*sku);
        o.qty = *qty;
        o.priority = *priority;
        o.orderedAt = *orderedAt;
        o.promisedAt = promisedAt;
        o.cancelled = *qty == 0;
        sheet.accept(std::move(o));
    }
    return out;
}

ParsedRows<InboundLine> parseInboundCsv(std::string_view text)
{
    enum { kInboundId, kSupplier, kSku, kQty, kEta, kSscc };
    static constexpr ColumnSpec kSpecs[] = {
        {"inbound_id", true}, {"supplier", true}, {"sku", true}, {"qty", true}, {"eta", true}, {"sscc", false},
    };
    ParsedRows<InboundLine> out;
    Sheet<InboundLine> sheet(text, kSpecs, out);
    if (!sheet.readHeader()) return out;

    std::unordered_map<std::string, int64_t> keys;
    keys.reserve(sheet.capacityHint());
    struct SsccOwner {
        std::string inboundId;
        int64_t line;
    };
    std::unordered_map<std::string, SsccOwner> ssccs;
    while (sheet.nextRow()) {
        auto inboundId = sheet.text(kInboundId, true);
        auto supplier = sheet.text(kSupplier, true);
        auto sku = sheet.text(kSku, true);
        auto qty = sheet.number(kQty, 1, kMaxInt, std::nullopt);
        auto eta = sheet.date(kEta);
        std::optional<std::string> sscc;
        const bool hasSscc = !sheet.get(kSscc).empty();
        if (hasSscc) sscc = sheet.sscc(kSscc);

        if (inboundId && sku && (!hasSscc || sscc)) {
            const auto [it, fresh] = keys.emplace(compositeKey({*inboundId, *sku, sscc.value_or("")}), sheet.line());
            if (!fresh)
                sheet.fail(kSku, "duplicate_key",
                           "inbound " + quoted(*inboundId) + " sku " + quoted(*sku) +
                               (sscc ? " on SSCC " + *sscc : std::string(" without SSCC")) + " is already on line " +
                               std::to_string(it->second) + "; add the quantities up into one row");
        }
        if (inboundId && sscc) {
            const auto [it, fresh] = ssccs.emplace(*sscc, SsccOwner{*inboundId, sheet.line()});
            if (!fresh && it->second.inboundId != *inboundId)
                sheet.fail(kSscc, "sscc_conflict",
                           "SSCC " + *sscc + " already belongs to inbound " + quoted(it->second.inboundId) +
                               " on line " + std::to_string(it->second.line) + "; a pallet belongs to one inbound");
        }
        if (!sheet.rowOk()) continue;
        InboundLine in;
        in.inboundId = std::move(*inboundId);
        in.supplier = std::move(*supplier);
        in.sku = std::move(*sku);
        in.qty = *qty;
        in.eta = *eta;
        in.sscc = std::move(sscc);
        in.fileRow = sheet.recordIndex();
        sheet.accept(std::move(in));
    }
    return out;
}

ParsedRows<Location> parseLocationsCsv(std::string_view text)
{
    enum { kCode, kKind, kSequence, kGln, kGlnExtension };
    static constexpr ColumnSpec kSpecs[] = {
        {"code", true}, {"kind", true}, {"sequence", true}, {"gln", false}, {"gln_extension", false}};
    ParsedRows<Location> out;
    Sheet<Location> sheet(text, kSpecs, out);
    if (!sheet.readHeader()) return out;

    std::unordered_map<std::string, int64_t> codes;
    codes.reserve(sheet.capacityHint());
    std::map<std::pair<std::string, std::string>, int64_t> glns;
    while (sheet.nextRow()) {
        auto code = sheet.text(kCode, true);
        std::optional<LocationKind> kind;
        const std::string_view kindText = sheet.get(kKind);
        if (kindText.empty()) {
            sheet.fail(kKind, "required", "a value is required: receiving, storage, staging or quarantine");
        } else {
            std::string lower(kindText);
            for (char& c : lower) c = asciiLower(c);
            kind = parseLocationKind(lower);
            if (!kind)
                sheet.fail(kKind, "bad_kind",
                           quoted(kindText) + " is not a location kind; use receiving, storage, staging or quarantine");
        }
        auto sequence = sheet.number(kSequence, kMinInt, kMaxInt, std::nullopt);
        if (code) {
            const auto [it, fresh] = codes.emplace(*code, sheet.line());
            if (!fresh)
                sheet.fail(kCode, "duplicate_key",
                           "location " + quoted(*code) + " is already on line " + std::to_string(it->second) +
                               "; each code may appear once");
        }
        std::optional<std::string> gln;
        std::string glnExtension;
        if (const std::string_view g = sheet.get(kGln); !g.empty()) {
            // GS1 General Specifications 3.7.9: a GLN is 13 digits, the last a mod-10 check digit.
            if (!allDigits(g) || g.size() != 13)
                sheet.fail(kGln, "bad_gln", quoted(g) + " is not a GLN; a GLN has 13 digits and nothing else");
            else if (sheet.checkDigit(kGln, g))
                gln = std::string(g);
        }
        if (const std::string_view x = sheet.get(kGlnExtension); !x.empty()) {
            // AI (254) is X..20: GS1 AI encodable character set 82 (GS1 GS Figure 7.11-1).
            static constexpr std::string_view kCset82 = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";
            if (x.size() > 20 || x.find_first_not_of(kCset82) != std::string_view::npos)
                sheet.fail(kGlnExtension, "bad_gln_extension",
                           quoted(x) + " is not a GLN extension; AI (254) takes 1 to 20 letters, digits or GS1 punctuation");
            else if (sheet.get(kGln).empty())
                sheet.fail(kGlnExtension, "gln_required", "a GLN extension needs the GLN it extends in column gln");
            else
                glnExtension = std::string(x);
        }
        if (gln) {
            const auto [it, fresh] = glns.emplace(std::make_pair(*gln, glnExtension), sheet.line());
            if (!fresh)
                sheet.fail(kGln, "duplicate_gln",
                           "GLN " + *gln + (glnExtension.empty() ? "" : " extension " + glnExtension) + " is already on line " +
                               std::to_string(it->second) + "; a GS1 location label names one location");
        }
        if (!sheet.rowOk()) continue;
        Location location;
        location.code = std::move(*code);
        location.kind = *kind;
        location.sequence = *sequence;
        location.gln = std::move(gln);
        location.glnExtension = std::move(glnExtension);
        sheet.accept(std::move(location));
    }
    return out;
}

std::string_view reasonKindName(ReasonKind kind) { return kind == ReasonKind::Short ? "short" : "adjust"; }

std::optional<ReasonKind> parseReasonKind(std::string_view text)
{
    if (text == "short") return ReasonKind::Short;
    if (text == "adjust") return ReasonKind::Adjust;
    return std::nullopt;
}

ParsedRows<Reason> parseReasonsCsv(std::string_view text)
{
    enum { kCode, kKind, kDescription };
    static constexpr ColumnSpec kSpecs[] = {{"code", true}, {"kind", true}, {"description", true}};
    ParsedRows<Reason> out;
    Sheet<Reason> sheet(text, kSpecs, out);
    if (!sheet.readHeader()) return out;

    std::unordered_map<std::string, int64_t> codes;
    codes.reserve(sheet.capacityHint());
    while (sheet.nextRow()) {
        auto code = sheet.text(kCode, true);
        std::optional<ReasonKind> kind;
        const std::string_view kindText = sheet.get(kKind);
        if (kindText.empty()) {
            sheet.fail(kKind, "required", "a value is required: short or adjust");
        } else {
            std::string lower(kindText);
            for (char& c : lower) c = asciiLower(c);
            kind = parseReasonKind(lower);
            if (!kind)
                sheet.fail(kKind, "bad_kind",
                           quoted(kindText) + " is not a reason kind; use short (a short pick) or adjust (a count's "
                                              "adjustment)");
        }
        auto description = sheet.text(kDescription, true, /*multiline=*/true);
        if (code) {
            const auto [it, fresh] = codes.emplace(*code, sheet.line());
            if (!fresh)
                sheet.fail(kCode, "duplicate_key",
                           "reason " + quoted(*code) + " is already on line " + std::to_string(it->second) +
                               "; each code may appear once (one code, one kind)");
        }
        if (!sheet.rowOk()) continue;
        sheet.accept(Reason{std::move(*code), *kind, std::move(*description)});
    }
    return out;
}

ParsedRows<Supplier> parseSuppliersCsv(std::string_view text)
{
    enum { kSku, kSupplier, kLeadTime, kMinOrderQty, kUnitCost };
    static constexpr ColumnSpec kSpecs[] = {
        {"sku", true}, {"supplier", true}, {"lead_time_days", true}, {"min_order_qty", false}, {"unit_cost", true},
    };
    ParsedRows<Supplier> out;
    Sheet<Supplier> sheet(text, kSpecs, out);
    if (!sheet.readHeader()) return out;

    std::unordered_map<std::string, int64_t> keys;
    keys.reserve(sheet.capacityHint());
    while (sheet.nextRow()) {
        auto sku = sheet.text(kSku, true);
        auto supplier = sheet.text(kSupplier, true);
        auto lead = sheet.number(kLeadTime, 0, std::numeric_limits<int32_t>::max(), std::nullopt);
        auto moq = sheet.number(kMinOrderQty, 1, kMaxInt, 1);
        auto cost = sheet.decimal(kUnitCost);
        if (sku && supplier) {
            const auto [it, fresh] = keys.emplace(compositeKey({*sku, *supplier}), sheet.line());
            if (!fresh)
                sheet.fail(kSupplier, "duplicate_key",
                           "sku " + quoted(*sku) + " supplier " + quoted(*supplier) + " is already on line " +
                               std::to_string(it->second) + "; each (sku, supplier) may appear once");
        }
        if (!sheet.rowOk()) continue;
        sheet.accept(Supplier{std::move(*sku), std::move(*supplier), static_cast<int32_t>(*lead), *moq, *cost});
    }
    return out;
}

ParsedRows<WaitlistEntry> parseWaitlistCsv(std::string_view text)
{
    enum { kEmail, kSku };
    static constexpr ColumnSpec kSpecs[] = {{"email", true}, {"sku", true}};
    ParsedRows<WaitlistEntry> out;
    Sheet<WaitlistEntry> sheet(text, kSpecs, out);
    if (!sheet.readHeader()) return out;

    std::unordered_map<std::string, int64_t> keys;
    keys.reserve(sheet.capacityHint());
    while (sheet.nextRow()) {
        auto email = sheet.text(kEmail, true);
        if (email) {
            const auto at = email->find('@');
            const bool ok = at != std::string::npos && at > 0 && at + 1 < email->size() &&
                            email->find('@', at + 1) == std::string::npos && email->find(' ') == std::string::npos;
            if (!ok) sheet.fail(kEmail, "bad_email", quoted(*email) + " is not an e-mail address like name@example.com");
        }
        auto sku = sheet.text(kSku, true);
        if (sheet.rowOk()) {
            // The key compares addresses as the notifications do (ledger/Notifications.h).
            std::string key = *email;
            for (char& c : key)
                if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
            const auto [it, fresh] = keys.emplace(compositeKey({key, *sku}), sheet.line());
            if (!fresh)
                sheet.fail(kSku, "duplicate_key",
                           "email " + quoted(*email) + " sku " + quoted(*sku) + " is already on line " +
                               std::to_string(it->second) + "; each (email, sku) may appear once");
        }
        if (!sheet.rowOk()) continue;
        sheet.accept(WaitlistEntry{std::move(*email), std::move(*sku)});
    }
    return out;
}

} // namespace backfill::ledger

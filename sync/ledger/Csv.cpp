#include "ledger/Csv.h"

namespace backfill::ledger {

namespace {

bool isSpace(char c) { return c == ' ' || c == '\t'; }

} // namespace

CsvReader::CsvReader(std::string_view text, CsvOptions options) : m_text(text), m_options(options)
{
    if (m_text.substr(0, 3) == "\xEF\xBB\xBF") {
        m_pos = 3;
        m_hadBom = true;
    }
}

bool CsvReader::atLineEnd() const
{
    return m_pos >= m_text.size() || m_text[m_pos] == '\n' || m_text[m_pos] == '\r';
}

void CsvReader::skipLineEnd()
{
    if (m_pos >= m_text.size()) return;
    if (m_text[m_pos] == '\r') {
        ++m_pos;
        if (m_pos < m_text.size() && m_text[m_pos] == '\n') ++m_pos;
    } else {
        ++m_pos; // '\n'
    }
    ++m_line;
}

void CsvReader::skipRestOfLine()
{
    while (!atLineEnd()) ++m_pos;
    skipLineEnd();
}

bool CsvReader::skipBlankLine()
{
    size_t p = m_pos;
    if (m_options.trimSpaces)
        while (p < m_text.size() && isSpace(m_text[p])) ++p;
    const bool end = p >= m_text.size();
    if (!end && m_text[p] != '\n' && m_text[p] != '\r') return false;
    if (end && p == m_pos) return false;
    m_pos = p;
    skipLineEnd();
    return true;
}

CsvReader::Status CsvReader::next(CsvRecord& out)
{
    if (m_done) return Status::End;
    while (skipBlankLine()) {
    }
    if (m_pos >= m_text.size()) {
        m_done = true;
        return Status::End;
    }

    const char delim = m_options.delimiter;
    const bool trim = m_options.trimSpaces;
    out.line = m_line;
    size_t count = 0;
    for (;;) {
        if (count == out.fields.size()) out.fields.emplace_back();
        std::string& field = out.fields[count++];
        field.clear();
        if (trim)
            while (m_pos < m_text.size() && isSpace(m_text[m_pos])) ++m_pos;

        if (m_pos < m_text.size() && m_text[m_pos] == '"') {
            const int64_t quoteLine = m_line;
            ++m_pos;
            for (;;) {
                if (m_pos >= m_text.size()) {
                    m_done = true;
                    m_error = {out.line, "unterminated_quote",
                               "the quote opened on line " + std::to_string(quoteLine) +
                                   " is never closed; close it, and double every quote inside a quoted field (\"\")"};
                    return Status::Error;
                }
                const char c = m_text[m_pos];
                if (c == '"') {
                    if (m_pos + 1 < m_text.size() && m_text[m_pos + 1] == '"') {
                        field += '"';
                        m_pos += 2;
                        continue;
                    }
                    ++m_pos;
                    break;
                }
                if (c == '\r' || c == '\n') {
                    // A line end inside quotes is data; deliver it as "\n" whatever the file uses.
                    field += '\n';
                    skipLineEnd();
                    continue;
                }
                size_t end = m_pos + 1;
                while (end < m_text.size() && m_text[end] != '"' && m_text[end] != '\r' && m_text[end] != '\n') ++end;
                field.append(m_text.data() + m_pos, end - m_pos);
                m_pos = end;
            }
            if (trim)
                while (m_pos < m_text.size() && isSpace(m_text[m_pos])) ++m_pos;
            if (!atLineEnd() && m_text[m_pos] != delim) {
                m_error = {out.line, "bad_quote",
                           "field " + std::to_string(count) +
                               " has text after its closing quote; put the whole field in quotes and double the quotes "
                               "inside it (\"\")"};
                // Resynchronise at the next physical line: the best guess at the next record.
                skipRestOfLine();
                return Status::Error;
            }
        } else {
            size_t end = m_pos;
            while (end < m_text.size() && m_text[end] != delim && m_text[end] != '\r' && m_text[end] != '\n') ++end;
            size_t last = end;
            if (trim)
                while (last > m_pos && isSpace(m_text[last - 1])) --last;
            field.append(m_text.data() + m_pos, last - m_pos);
            m_pos = end;
        }

        if (m_pos < m_text.size() && m_text[m_pos] == delim) {
            ++m_pos;
            continue;
        }
        out.lastLine = m_line;
        skipLineEnd();
        break;
    }
    out.fields.resize(count);
    return Status::Record;
}

CsvTable readCsv(std::string_view text, CsvOptions options)
{
    CsvTable table;
    CsvReader reader(text, options);
    CsvRecord record;
    for (;;) {
        const auto status = reader.next(record);
        if (status == CsvReader::Status::End) break;
        if (status == CsvReader::Status::Error) {
            table.error = reader.error();
            break;
        }
        table.records.push_back(record);
    }
    return table;
}

std::optional<size_t> utf8ErrorOffset(std::string_view text)
{
    const auto* s = reinterpret_cast<const unsigned char*>(text.data());
    const size_t n = text.size();
    size_t i = 0;
    while (i < n) {
        const unsigned char c = s[i];
        if (c < 0x80) {
            ++i;
            continue;
        }
        // RFC 3629 section 4 (syntax of UTF-8 byte sequences): the second byte's range depends
        // on the first so that overlong forms, surrogates and code points above U+10FFFF are out.
        size_t len;
        unsigned char lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            if (c == 0xE0) lo = 0xA0;
            if (c == 0xED) hi = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            if (c == 0xF0) lo = 0x90;
            if (c == 0xF4) hi = 0x8F;
        } else {
            return i;
        }
        if (i + 1 >= n || s[i + 1] < lo || s[i + 1] > hi) return i;
        for (size_t k = 2; k < len; ++k)
            if (i + k >= n || s[i + k] < 0x80 || s[i + k] > 0xBF) return i;
        i += len;
    }
    return std::nullopt;
}

} // namespace backfill::ledger

#pragma once
// An RFC 4180 CSV reader over text already in memory (https://www.rfc-editor.org/rfc/rfc4180).
// It knows nothing about columns or meanings: MasterDataCsv.h gives the fields their names.
//
// What it accepts, beyond the letter of RFC 4180 (documented for users in docs/import.md):
// - a UTF-8 byte order mark at the start is skipped;
// - records end with CRLF, LF or a lone CR; the last record may lack a line end;
// - a quoted field may hold the delimiter, doubled quotes ("") and line ends, so one record
//   can span several physical lines; a line end inside quotes is delivered as "\n";
// - blank lines (nothing but spaces and tabs) are skipped, they are not records;
// - with `trimSpaces` (the default) spaces and tabs around a field are dropped; spaces and
//   tabs *inside* the quotes of a quoted field are kept;
// - a quote inside an unquoted field (`12" pan`) is kept as a character.
// What it rejects:
// - text after the closing quote of a field (`"ab"c,`): code bad_quote, that record only;
// - a quote that is never closed: code unterminated_quote; reading ends there.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace backfill::ledger {

// CsvOptions: how fields are separated and cleaned.
struct CsvOptions {
    char delimiter = ',';
    bool trimSpaces = true;
};

// CsvRecord is one record. `line` is the physical line where it starts (the first line of
// the text is 1, whatever the BOM); `lastLine` the line where it ends (> line when a quoted
// field holds line ends).
struct CsvRecord {
    std::vector<std::string> fields;
    int64_t line = 0;
    int64_t lastLine = 0;
};

// CsvError is a syntax error: a stable `code` (bad_quote, unterminated_quote), the physical
// `line` of the record it spoils and a message for a person.
struct CsvError {
    int64_t line = 0;
    std::string code;
    std::string message;
};

// CsvReader reads records one at a time; it keeps a view of `text`, which must outlive it.
//
//   CsvReader reader(text);
//   CsvRecord record;
//   for (;;) {
//       auto status = reader.next(record);
//       if (status == CsvReader::Status::End) break;
//       if (status == CsvReader::Status::Error) { report(reader.error()); continue; }
//       use(record);
//   }
class CsvReader {
public:
    enum class Status {
        Record, // `out` holds the next record
        Error,  // error() describes a bad record; call next() again for the ones after it
        End,    // no more records (also after an unterminated quote)
    };

    explicit CsvReader(std::string_view text, CsvOptions options = {});

    // next reads the following record into `out` (its buffers are reused, so passing the same
    // record each time avoids allocations).
    Status next(CsvRecord& out);
    // error is the error of the last next() that returned Status::Error.
    const CsvError& error() const { return m_error; }
    // hadBom tells whether the text started with a UTF-8 byte order mark.
    bool hadBom() const { return m_hadBom; }

private:
    bool atLineEnd() const;
    void skipLineEnd();
    void skipRestOfLine();
    bool skipBlankLine();

    std::string_view m_text;
    CsvOptions m_options;
    size_t m_pos = 0;
    int64_t m_line = 1;
    bool m_hadBom = false;
    bool m_done = false;
    CsvError m_error;
};

// readCsv reads every record of `text`; the first syntax error ends it. Convenient for small
// texts and tests; importers use CsvReader to go on after a bad_quote.
struct CsvTable {
    std::vector<CsvRecord> records;
    std::optional<CsvError> error;
};
CsvTable readCsv(std::string_view text, CsvOptions options = {});

// utf8ErrorOffset gives the offset of the first byte of `text` that is not part of a
// well-formed UTF-8 sequence (RFC 3629: no overlong forms, no surrogates, nothing above
// U+10FFFF); nullopt when all of `text` is valid UTF-8.
std::optional<size_t> utf8ErrorOffset(std::string_view text);

} // namespace backfill::ledger

#pragma once
// Parsing and validation of the master data CSV files (issue 2 contract; users' reference:
// docs/import.md). Pure functions from text to rows and issues: no files, no database. The
// caller reads the file, and imports nothing when `errors` is not empty.
//
// Common rules, every file:
// - the first record is the header; names are matched without surrounding spaces and without
//   regard to ASCII case; columns may come in any order;
// - a column that is not in the file's list is ignored with a warning (unknown_column);
// - a required column that is missing is an error (missing_column, line 1), and so is a column
//   named twice (duplicate_column); after a header error no row is checked;
// - every record must have as many fields as the header (bad_row);
// - every field must be valid UTF-8 (bad_encoding); identifiers may not hold control
//   characters (bad_text; only `description` may hold line ends and tabs);
// - unquoted fields lose surrounding spaces and tabs; an empty field of an optional column
//   means "not given";
// - whole numbers only: optional '-', digits, within 64 bits (bad_number);
// - at most kMaxImportErrors errors are collected, then parsing stops (`truncated`).
//
// Error codes (stable; tests and callers match on them): missing_header, missing_column,
// duplicate_column, bad_row, bad_quote, unterminated_quote, bad_encoding, bad_text, required,
// bad_number, bad_gtin, bad_case_gtin, check_digit, case_qty_required, bad_email, bad_date,
// bad_kind, bad_sscc, duplicate_key, duplicate_gtin, sscc_conflict, bad_gln, bad_gln_extension,
// gln_required, duplicate_gln (checks against a database: ledger/LocationLabels.h).
// Warning codes: unknown_column, unused_case_qty.

#include "ledger/Replenishment.h"
#include "ledger/Types.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace backfill::ledger {

// kMaxImportErrors caps the errors collected from one file.
inline constexpr size_t kMaxImportErrors = 100;

// ImportIssue is one problem in a file. `line` is the physical line where the record starts
// (header = 1); `column` the column name as the header spells it (empty for file-level and
// record-level problems such as bad_row). format(file) gives "FILE:LINE: column NAME: message"
// ("FILE:LINE: message" without a column).
struct ImportIssue {
    int64_t line = 0;
    std::string column;
    std::string code;
    std::string message;

    std::string format(std::string_view file) const;
};

// ParsedRows is what one file holds: the valid rows and every problem found.
template <class T>
struct ParsedRows {
    std::vector<T> rows;               // valid rows in file order
    std::vector<int64_t> lines;        // lines[i] = physical start line of rows[i]
    std::vector<ImportIssue> errors;   // any error: the caller imports nothing
    std::vector<ImportIssue> warnings; // e.g. unknown column ignored (code unknown_column)
    bool truncated = false;            // kMaxImportErrors reached; the rest was not checked
    std::vector<std::string> columns;  // the known columns the header has, by their canonical names

    bool ok() const { return errors.empty(); }
    // has: whether the file has the column. A column it lacks leaves that field of existing
    // records as stored (an empty cell in a column it has clears the field).
    bool has(std::string_view column) const
    {
        for (const auto& c : columns)
            if (c == column) return true;
        return false;
    }
};

// parseCatalogCsv reads `sku,description,gtin,case_gtin,case_qty,safety_stock,lead_time_days`.
// Required: sku, description. gtin (GTIN-8/12/13/14) and case_gtin (GTIN-14, indicator digit
// 1-8) are stored as 14 digits; case_qty (>= 1) is required with case_gtin; safety_stock and
// lead_time_days are whole numbers >= 0, empty = 0. Key: sku (duplicate_key). A GTIN, each or
// case, may belong to one product only (duplicate_gtin).
ParsedRows<Product> parseCatalogCsv(std::string_view text);

// parseBackordersCsv reads `order_id,line,customer,email,sku,qty,priority,ordered_at,promised_at`.
// Required: order_id, line (>= 0), customer, sku, qty (>= 0; 0 cancels the line, and such a
// row comes back with `cancelled` set), ordered_at. Optional: email (checked for one '@'),
// priority (any whole number, empty = 0), promised_at. Dates are `YYYY-MM-DD` (00:00 UTC) or
// `YYYY-MM-DDTHH:MM[:SS](Z|+HH:MM|-HH:MM)`. Key: (order_id, line). Whether the sku exists is
// the caller's check.
ParsedRows<OrderLine> parseBackordersCsv(std::string_view text);

// parseInboundCsv reads `inbound_id,supplier,sku,qty,eta,sscc`. Required: inbound_id, supplier,
// sku, qty (>= 1), eta (`YYYY-MM-DD`). Optional: sscc (18 digits, valid check digit). Key:
// (inbound_id, sku, sscc); one SSCC belongs to one inbound_id (sscc_conflict). `fileRow` is
// the 1-based index of the record among the data records, in file order.
ParsedRows<InboundLine> parseInboundCsv(std::string_view text);

// parseLocationsCsv reads `code,kind,sequence[,gln,gln_extension]`. code, kind and sequence
// are required; kind is receiving, storage, staging or quarantine (any ASCII case); sequence
// any whole number. Key: code. Optional, for GS1 location labels (AI 414 + AI 254): gln, 13
// digits with a valid check digit (bad_gln, check_digit; GS1 General Specifications 3.7.9 and
// 7.9.1), and gln_extension, 1 to 20 characters of GS1 AI encodable set 82 (bad_gln_extension;
// GS1 GS 3.2, AI 254), only beside a gln (gln_required). A (gln, gln_extension) pair names one
// location (duplicate_gln).
ParsedRows<Location> parseLocationsCsv(std::string_view text);

// ReasonKind says what a reason code explains: a short pick (`short`) or a stock adjustment
// by a count (`adjust`). A short pick accepts only `short` codes, an approval only `adjust`.
enum class ReasonKind { Short, Adjust };

// reasonKindName gives the CSV/JSON spelling (`short`, `adjust`).
std::string_view reasonKindName(ReasonKind kind);
// parseReasonKind reads that spelling; nullopt for anything else.
std::optional<ReasonKind> parseReasonKind(std::string_view text);

// Reason is one reason code (assets/reasons.csv): why a pick came up short or why stock was
// adjusted. `code` is matched exactly (case-sensitive), as operators scan or type it.
struct Reason {
    std::string code;
    ReasonKind kind = ReasonKind::Short;
    std::string description;
};

// parseReasonsCsv reads `code,kind,description`. All required; kind is short or adjust (any
// ASCII case); description may hold line ends and tabs. Key: code (duplicate_key): one code
// has one kind, so DAMAGED for a short pick and for an adjustment are two codes.
ParsedRows<Reason> parseReasonsCsv(std::string_view text);

// parseSuppliersCsv reads `sku,supplier,lead_time_days,min_order_qty,unit_cost` (issue 13
// item 1), several rows per product. Required: sku, supplier, lead_time_days (0 or more
// days), unit_cost (a decimal >= 0 with at most 4 decimals, like 12.50). Optional:
// min_order_qty (>= 1, empty = 1). Key: (sku, supplier) (duplicate_key). Whether the sku
// exists is the caller's check.
ParsedRows<Supplier> parseSuppliersCsv(std::string_view text);

// WaitlistEntry is a customer who asked to be told when a product is back in stock (issue 13
// item 3; docs/backoffice.md, Notifications).
struct WaitlistEntry {
    std::string email;
    std::string sku;
};

// parseWaitlistCsv reads `email,sku`, both required; email as in the backorders (bad_email).
// Key: (email with ASCII letters lower-cased, sku) (duplicate_key). Whether the sku exists is
// the caller's check.
ParsedRows<WaitlistEntry> parseWaitlistCsv(std::string_view text);

} // namespace backfill::ledger

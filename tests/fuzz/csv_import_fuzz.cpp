// libFuzzer target for the master data import (`backfill import`): the bytes are a CSV file,
// read by ledger::parse*Csv and, when the file has no error, applied to a real TerminalStore
// as terminal/app/CmdImport.cpp does (it has no checks of its own between the two).
//
// Byte 0 picks the file and what happens to it:
//   bits 0-1  file kind: catalog, locations, backorders, inbound
//   bit 2     apply accepted rows to a store (a copy of a template database with a small
//             catalog and locations, on /dev/shm when there is one)
//   bit 3     reasons instead of the kind in bits 0-1 (a fifth kind, added without changing
//             what the existing seeds mean)
// the remaining bytes are the file.
//
// Beyond "no crash, no UB, no leak" it checks the contracts of MasterDataCsv.h and the store:
// - every issue has a documented code, a message and a line; at most kMaxImportErrors
//   errors, `truncated` only at the cap;
// - accepted rows are valid (GTINs of 14 digits with their check digit, quantities in range,
//   unique keys, no control characters in identifiers) and in file order;
// - accepted rows written back as CSV (every field quoted) read back to the same rows;
// - the store imports them or refuses with unknown_sku / duplicate_gtin / sscc_conflict,
//   never with a database error; afterwards the stock and backorder queries work and no
//   product has more allocated than it has free on hand.

#include "ledger/CheckDigit.h"
#include "ledger/Date.h"
#include "ledger/MasterDataCsv.h"
#include "store/TerminalStore.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <unistd.h>

using namespace backfill;
using namespace backfill::ledger;
namespace fs = std::filesystem;

namespace {

void check(bool condition)
{
    if (!condition) std::abort();
}

const std::set<std::string, std::less<>> kErrorCodes = {
    "missing_header", "missing_column",  "duplicate_column", "bad_row",   "bad_quote",         "unterminated_quote",
    "bad_encoding",   "bad_text",        "required",         "bad_number", "bad_gtin",         "bad_case_gtin",
    "check_digit",    "case_qty_required", "bad_email",      "bad_date",  "bad_kind",          "bad_sscc",
    "duplicate_key",  "duplicate_gtin",  "sscc_conflict",
};
const std::set<std::string, std::less<>> kWarningCodes = {"unknown_column", "unused_case_qty"};
const std::set<std::string, std::less<>> kStoreCodes = {"unknown_sku", "duplicate_gtin", "sscc_conflict"};

// The template store: these products (rows of assets/demo/catalog.csv, which the seeds use)
// and locations exist before every applied file.
constexpr std::string_view kTemplateCatalog =
    "sku,description,gtin,case_gtin,case_qty,safety_stock,lead_time_days\n"
    "MUG-0101,\"Stoneware mug 0.3 l, white\",9501101010079,19501101010076,6,30,12\n"
    "STA-0102,\"Gel pen 0.5 mm, black\",9501104010144,,,30,7\n"
    "STA-0103,\"Notebook A5, dotted, 96 sheets\",9501104010212,29501104010216,12,0,10\n"
    "STA-0104,\"Notebook A4, squared, 80 sheets\",9501104010281,,,30,5\n"
    "CLN-0101,\"Dish soap 1 l, lemon\",9501105010075,19501105010072,6,20,8\n";
constexpr std::string_view kTemplateLocations =
    "code,kind,sequence\nDOCK-1,receiving,1\nA-01-01,storage,100\nSTAGE-1,staging,500\nQ-1,quarantine,900\n";

struct Paths {
    fs::path dir, templateDb, workDb;
};

const Paths& paths()
{
    static const Paths p = [] {
        const fs::path base = fs::is_directory("/dev/shm") ? fs::path("/dev/shm") : fs::temp_directory_path();
        Paths out;
        out.dir = base / ("backfill-csv-fuzz-" + std::to_string(::getpid()));
        fs::remove_all(out.dir);
        fs::create_directories(out.dir);
        out.templateDb = out.dir / "template.db";
        out.workDb = out.dir / "work.db";
        std::atexit([] { std::error_code ec; fs::remove_all(paths().dir, ec); });
        return out;
    }();
    return p;
}

void makeTemplate()
{
    auto store = store::TerminalStore::open(paths().templateDb.string());
    check(store.has_value());
    const auto catalog = parseCatalogCsv(kTemplateCatalog);
    const auto locations = parseLocationsCsv(kTemplateLocations);
    check(catalog.ok() && locations.ok());
    check((*store)->importCatalog(catalog, {}).has_value() && (*store)->importLocations(locations, {}).has_value());
}

void checkIssues(const std::vector<ImportIssue>& issues, const std::set<std::string, std::less<>>& codes)
{
    for (const auto& i : issues) {
        check(codes.count(i.code) == 1);
        check(!i.message.empty() && i.line >= 1);
        check(i.format("f.csv").rfind("f.csv:" + std::to_string(i.line) + ": ", 0) == 0);
    }
}

bool hasControl(std::string_view s, bool multiline)
{
    return std::any_of(s.begin(), s.end(), [&](char ch) {
        const auto c = static_cast<unsigned char>(ch);
        return (c < 0x20 || c == 0x7F) && !(multiline && (c == '\n' || c == '\t'));
    });
}

bool isGtin14(const std::optional<std::string>& g) { return !g || (g->size() == 14 && isGtin(*g)); }

// q writes one CSV field in quotes, quotes doubled.
std::string q(std::string_view v)
{
    std::string out = "\"";
    for (char c : v) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

std::string qOpt(const std::optional<std::string>& v) { return v ? q(*v) : std::string(); }

// Per kind: the rows' own checks, the file they write back to, and what "the same" means.
void checkRow(const Product& p)
{
    check(!p.sku.empty() && !hasControl(p.sku, false) && !p.description.empty() && !hasControl(p.description, true));
    check(isGtin14(p.gtin) && isGtin14(p.caseGtin));
    check(!p.caseGtin || ((*p.caseGtin)[0] >= '1' && (*p.caseGtin)[0] <= '8' && p.caseQty >= 1));
    check(p.safetyStock >= 0 && p.leadTimeDays >= 0);
}
std::string key(const Product& p) { return p.sku; }
std::string header(const Product*) { return "sku,description,gtin,case_gtin,case_qty,safety_stock,lead_time_days\r\n"; }
std::string write(const Product& p)
{
    return q(p.sku) + "," + q(p.description) + "," + qOpt(p.gtin) + "," + qOpt(p.caseGtin) + "," +
           (p.caseGtin ? std::to_string(p.caseQty) : "") + "," + std::to_string(p.safetyStock) + "," +
           std::to_string(p.leadTimeDays);
}
auto fields(const Product& p) { return std::tie(p.sku, p.description, p.gtin, p.caseGtin, p.caseQty, p.safetyStock, p.leadTimeDays); }

void checkRow(const Location& l) { check(!l.code.empty() && !hasControl(l.code, false)); }
std::string key(const Location& l) { return l.code; }
std::string header(const Location*) { return "code,kind,sequence\n"; }
std::string write(const Location& l)
{
    return q(l.code) + "," + q(locationKindName(l.kind)) + "," + std::to_string(l.sequence);
}
auto fields(const Location& l) { return std::tie(l.code, l.kind, l.sequence); }

void checkRow(const Reason& r)
{
    check(!r.code.empty() && !hasControl(r.code, false) && !r.description.empty() && !hasControl(r.description, true));
    check(r.kind == ReasonKind::Short || r.kind == ReasonKind::Adjust);
}
std::string key(const Reason& r) { return r.code; }
std::string header(const Reason*) { return "code,kind,description\n"; }
std::string write(const Reason& r) { return q(r.code) + "," + q(reasonKindName(r.kind)) + "," + q(r.description); }
auto fields(const Reason& r) { return std::tie(r.code, r.kind, r.description); }

void checkRow(const OrderLine& o)
{
    check(!o.orderId.empty() && !hasControl(o.orderId, false) && !o.customer.empty() && !o.sku.empty());
    check(o.line >= 0 && o.qty >= 0 && o.cancelled == (o.qty == 0) && o.allocated == 0 && o.picked == 0);
    check(o.email.empty() || o.email.find('@') != std::string::npos);
}
std::string key(const OrderLine& o) { return o.orderId + '\x1f' + std::to_string(o.line); }
std::string header(const OrderLine*) { return "order_id,line,customer,email,sku,qty,priority,ordered_at,promised_at\n"; }
std::string write(const OrderLine& o)
{
    return q(o.orderId) + "," + std::to_string(o.line) + "," + q(o.customer) + "," + q(o.email) + "," + q(o.sku) +
           "," + std::to_string(o.qty) + "," + std::to_string(o.priority) + "," + q(formatTimestamp(o.orderedAt)) +
           "," + (o.promisedAt ? q(formatTimestamp(*o.promisedAt)) : "");
}
auto fields(const OrderLine& o)
{
    return std::tie(o.orderId, o.line, o.customer, o.email, o.sku, o.qty, o.priority, o.orderedAt, o.promisedAt,
                    o.cancelled);
}

void checkRow(const InboundLine& l)
{
    check(!l.inboundId.empty() && !l.supplier.empty() && !l.sku.empty() && l.qty >= 1 && l.received == 0);
    check(!l.sscc || (l.sscc->size() == 18 && gs1CheckDigit(l.sscc->substr(0, 17)) == l.sscc->back() - '0'));
}
std::string key(const InboundLine& l) { return l.inboundId + '\x1f' + l.sku + '\x1f' + l.sscc.value_or(""); }
std::string header(const InboundLine*) { return "inbound_id,supplier,sku,qty,eta,sscc\n"; }
std::string write(const InboundLine& l)
{
    return q(l.inboundId) + "," + q(l.supplier) + "," + q(l.sku) + "," + std::to_string(l.qty) + "," +
           q(formatDate(l.eta)) + "," + qOpt(l.sscc);
}
auto fields(const InboundLine& l) { return std::tie(l.inboundId, l.supplier, l.sku, l.qty, l.eta.days, l.sscc, l.fileRow); }

template <class T>
void checkParsed(const ParsedRows<T>& parsed, ParsedRows<T> (*parse)(std::string_view))
{
    checkIssues(parsed.errors, kErrorCodes);
    checkIssues(parsed.warnings, kWarningCodes);
    check(parsed.errors.size() <= kMaxImportErrors);
    check(!parsed.truncated || parsed.errors.size() == kMaxImportErrors);
    check(parsed.rows.size() == parsed.lines.size());
    if (!parsed.ok()) return;

    std::set<std::string> keys;
    for (size_t i = 0; i < parsed.rows.size(); ++i) {
        checkRow(parsed.rows[i]);
        check(keys.insert(key(parsed.rows[i])).second);
        check(parsed.lines[i] >= 2 && (i == 0 || parsed.lines[i] > parsed.lines[i - 1]));
    }
    std::string again = header(static_cast<const T*>(nullptr));
    for (const auto& row : parsed.rows) again += write(row) + "\n";
    const auto back = parse(again);
    check(back.ok() && back.warnings.empty() && back.rows.size() == parsed.rows.size());
    for (size_t i = 0; i < back.rows.size(); ++i) check(fields(back.rows[i]) == fields(parsed.rows[i]));
}

template <class T, class Apply>
void applyToStore(const ParsedRows<T>& parsed, Apply apply)
{
    const Paths& p = paths();
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(p.workDb.string() + suffix);
    fs::copy_file(p.templateDb, p.workDb);
    auto opened = store::TerminalStore::open(p.workDb.string());
    check(opened.has_value());
    store::TerminalStore& s = **opened;
    const auto report = apply(s, parsed);
    check(report.has_value());
    checkIssues(report->errors, kStoreCodes);
    check(report->errors.empty() ? report->imported == static_cast<int64_t>(parsed.rows.size())
                                 : report->imported == 0);
    const auto stock = s.stock(std::nullopt);
    check(stock.has_value());
    for (const auto& row : *stock) check(row.allocated >= 0 && row.allocated <= row.onHand - row.quarantined);
    check(s.backorders().has_value());
}

template <class T, class Apply>
void run(std::string_view text, bool toStore, ParsedRows<T> (*parse)(std::string_view), Apply apply)
{
    const ParsedRows<T> parsed = parse(text);
    checkParsed(parsed, parse);
    if (toStore && parsed.ok() && !parsed.rows.empty()) applyToStore(parsed, apply);
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***)
{
    makeTemplate();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size < 1) return 0;
    const bool toStore = data[0] & 4;
    const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
    const store::Actor actor;
    if (data[0] & 8) {
        run(text, toStore, &parseReasonsCsv, [&](auto& s, const auto& r) { return s.importReasons(r, actor); });
        return 0;
    }
    switch (data[0] & 3) {
    case 0:
        run(text, toStore, &parseCatalogCsv, [&](auto& s, const auto& r) { return s.importCatalog(r, actor); });
        break;
    case 1:
        run(text, toStore, &parseLocationsCsv, [&](auto& s, const auto& r) { return s.importLocations(r, actor); });
        break;
    case 2:
        run(text, toStore, &parseBackordersCsv, [&](auto& s, const auto& r) { return s.importBackorders(r, actor); });
        break;
    default:
        run(text, toStore, &parseInboundCsv, [&](auto& s, const auto& r) { return s.importInbound(r, actor); });
        break;
    }
    return 0;
}

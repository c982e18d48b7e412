#include "ledger/MasterDataCsv.h"

#include "ledger/CsvSheet.h"

#include <map>
#include <optional>
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

using sheet::allDigits;
using sheet::asciiLower;
using sheet::ColumnSpec;
using sheet::compositeKey;
using sheet::kMaxInt;
using sheet::kMinInt;
using sheet::quoted;
using sheet::Sheet;

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
            caseQty = sheet.number(kCaseQty, 1, kMaxUnits, std::nullopt);
        } else if (!sheet.get(kCaseQty).empty()) {
            sheet.warn(kCaseQty, "unused_case_qty", "ignored: the product has no case_gtin");
        }
        const auto safety = sheet.number(kSafetyStock, 0, kMaxUnits, 0);
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
        auto qty = sheet.number(kQty, 0, kMaxUnits, std::nullopt);
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
        auto qty = sheet.number(kQty, 1, kMaxUnits, std::nullopt);
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
        auto moq = sheet.number(kMinOrderQty, 1, kMaxUnits, 1);
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

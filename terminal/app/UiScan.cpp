#include "app/UiScan.h"

#include "app/AppStore.h"
#include "scan/Gs1Parser.h"
#include "workflow/ReceiptScan.h"

namespace backfill::app {

namespace {

ScanMeaning refusedScan(const std::string& text, const ledger::Error& e)
{
    ScanMeaning m;
    m.text = text;
    m.code = e.code;
    m.message = e.message;
    return m;
}

} // namespace

ScanMeaning readScan(store::TerminalStore& store, const GlobalOptions& g, const std::string& text)
{
    std::string prefix = kDefaultLocationPrefix;
    if (auto stored = store.setting("location_prefix"); stored && *stored && !(*stored)->empty()) prefix = **stored;
    const bool labelled = text.size() > prefix.size() && text.compare(0, prefix.size(), prefix) == 0;
    const std::string code = labelled ? text.substr(prefix.size()) : text;
    auto kind = store.locationKind(code);
    if (!kind) return refusedScan(text, kind.error());
    if (*kind) {
        ScanMeaning m;
        m.kind = ScanMeaning::Kind::Location;
        m.text = text;
        m.location = code;
        m.locationKind = **kind;
        return m;
    }
    if (labelled)
        return refusedScan(text, {"unknown_location", "location " + code + " is not in the location list: check the label or "
                                                                           "import the location"});

    const scan::ParseOptions parse = scanOptions(store, g.today(), g.gsChar());
    // A GS1 location label: (414) the GLN of a physical location, (254) its extension
    // component (GS1 General Specifications 3.7.9 and 3.2, AI 254), carrying no trade item
    // or logistic unit key.
    if (auto gs1 = scan::parseScan(text, parse); gs1 && !gs1->find("00") && !gs1->find("01") && !gs1->find("02"))
        if (const scan::Element* gln = gs1->find("414")) {
            const scan::Element* ext = gs1->find("254");
            const std::string extension = ext ? ext->value : "";
            auto code = store.locationByGln(gln->value, extension);
            if (!code) return refusedScan(text, code.error());
            if (!*code)
                return refusedScan(text, {"unknown_location", "GLN " + gln->value + (extension.empty() ? "" : " extension " + extension) +
                                                                  " (AI 414/254) names no location here: check the label or import the "
                                                                  "locations with their gln"});
            auto glnKind = store.locationKind(**code);
            if (!glnKind) return refusedScan(text, glnKind.error());
            ScanMeaning m;
            m.kind = ScanMeaning::Kind::Location;
            m.text = text;
            m.location = **code;
            m.locationKind = glnKind->value_or(ledger::LocationKind::Storage);
            return m;
        }
    auto parsed = workflow::parseReceiptScan(text, parse);
    if (!parsed) return refusedScan(text, parsed.error());
    auto request = workflow::receiptFromScan(*parsed, "");
    if (!request) return refusedScan(text, request.error());
    ScanMeaning m;
    m.text = text;
    if (request->sscc) {
        m.kind = ScanMeaning::Kind::Pallet;
        return m;
    }
    auto product = store.productByGtin(*request->gtin);
    if (!product) return refusedScan(text, product.error());
    if (!*product)
        return refusedScan(text, {"unknown_gtin", "GTIN " + *request->gtin + " is not in the catalog: check the label or add the product"});
    m.kind = ScanMeaning::Kind::Product;
    m.sku = (*product)->sku;
    m.units = (*product)->units * request->count;
    m.lot = request->lot;
    m.expiry = request->expiry;
    return m;
}

} // namespace backfill::app

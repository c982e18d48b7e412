// TerminalStore: small lookups the touch UI needs (a GTIN's product, product search, reason
// codes, the pallets announced and not received). Read only.

#include "store/StoreSupport.h"

namespace backfill::store {

Result<std::optional<TerminalStore::ProductRef>> TerminalStore::productByGtin(const std::string& gtin)
{
    Database::Operation op(*m_db, "looking up a GTIN");
    std::optional<ProductRef> found;
    TRY(m_db->prepare("SELECT p.sku, p.description, g.units FROM gtins g JOIN products p ON p.id = g.product_id WHERE g.gtin = ?")
            .bind(1, gtin)
            .first([&](const Statement& r) { found = ProductRef{r.columnText(0), r.columnText(1), r.columnInt(2)}; }));
    return found;
}

Result<std::vector<TerminalStore::ProductRef>> TerminalStore::findProducts(const std::string& text, size_t limit)
{
    Database::Operation op(*m_db, "searching products");
    std::string pattern = "%";
    for (char c : text) {
        if (c == '%' || c == '_' || c == '\\') pattern += '\\';
        pattern += c;
    }
    pattern += "%";
    std::vector<ProductRef> rows;
    auto& s = m_db->prepare("SELECT sku, description FROM products WHERE sku LIKE ?1 ESCAPE '\\' OR description LIKE ?1 "
                            "ESCAPE '\\' ORDER BY sku LIMIT ?2");
    s.bind(1, pattern).bind(2, static_cast<int64_t>(limit));
    while (s.step()) rows.push_back({s.columnText(0), s.columnText(1), 1});
    TRY(fromStatement(s));
    s.reset();
    return rows;
}

Result<std::vector<ledger::Reason>> TerminalStore::reasons(ledger::ReasonKind kind)
{
    Database::Operation op(*m_db, "reading reason codes");
    std::vector<ledger::Reason> rows;
    auto& s = m_db->prepare("SELECT code, description FROM reasons WHERE kind = ? ORDER BY code");
    s.bind(1, std::string(ledger::reasonKindName(kind)));
    while (s.step()) rows.push_back({s.columnText(0), kind, s.columnText(1)});
    TRY(fromStatement(s));
    s.reset();
    return rows;
}

Result<std::vector<TerminalStore::AnnouncedPallet>> TerminalStore::announcedPallets(size_t limit)
{
    Database::Operation op(*m_db, "listing the pallets announced");
    std::vector<AnnouncedPallet> pallets;
    // The pallets first (through inbound_sscc), then their lines.
    auto& s = m_db->prepare("SELECT i.sscc, MIN(i.inbound_id), MIN(i.supplier), MIN(i.eta) FROM inbound_lines i "
                            "WHERE i.sscc <> '' AND NOT EXISTS(SELECT 1 FROM received_ssccs r WHERE r.sscc = i.sscc) "
                            "GROUP BY i.sscc ORDER BY MIN(i.eta), MIN(i.inbound_id), i.sscc LIMIT ?");
    s.bind(1, static_cast<int64_t>(limit));
    while (s.step()) pallets.push_back({s.columnText(0), s.columnText(1), s.columnText(2), ledger::Date{static_cast<int32_t>(s.columnInt(3))}, {}});
    TRY(fromStatement(s));
    s.reset();
    for (auto& pallet : pallets) {
        auto& l = m_db->prepare("SELECT p.sku, i.qty FROM inbound_lines i JOIN products p ON p.id = i.product_id WHERE i.sscc = ? ORDER BY i.id");
        l.bind(1, pallet.sscc);
        while (l.step()) pallet.lines.push_back({l.columnText(0), l.columnInt(1)});
        TRY(fromStatement(l));
        l.reset();
    }
    return pallets;
}

Result<std::optional<std::string>> TerminalStore::locationByGln(const std::string& gln, const std::string& extension)
{
    Database::Operation op(*m_db, "looking up a GLN");
    std::optional<std::string> code;
    TRY(m_db->prepare("SELECT code FROM locations WHERE gln = ? AND gln_ext = ?")
            .bind(1, gln)
            .bind(2, extension)
            .first([&](const Statement& r) { code = r.columnText(0); }));
    return code;
}

} // namespace backfill::store

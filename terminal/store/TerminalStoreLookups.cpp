// TerminalStore: small lookups the touch UI needs (a GTIN's product, product search, reason
// codes, the pallets announced and not received). Read only.

#include "store/StoreSupport.h"

#include <map>

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

namespace {
// The pallets announced and not received, one row each, in the order they are listed.
constexpr const char* kOpenPallets = "SELECT i.sscc, MIN(i.inbound_id), MIN(i.supplier), MIN(i.eta) FROM inbound_lines i "
                                     "WHERE i.sscc <> '' AND NOT EXISTS(SELECT 1 FROM received_ssccs r WHERE r.sscc = i.sscc) "
                                     "GROUP BY i.sscc ORDER BY MIN(i.eta), MIN(i.inbound_id), i.sscc";
} // namespace

Result<std::vector<TerminalStore::AnnouncedPallet>> TerminalStore::announcedPallets(size_t limit)
{
    Database::Operation op(*m_db, "listing the pallets announced");
    std::vector<AnnouncedPallet> pallets;
    std::map<std::string, size_t> index;
    auto& s = m_db->prepare(std::string(kOpenPallets) + " LIMIT ?");
    s.bind(1, static_cast<int64_t>(limit));
    while (s.step()) {
        index[s.columnText(0)] = pallets.size();
        pallets.push_back({s.columnText(0), s.columnText(1), s.columnText(2), ledger::Date{static_cast<int32_t>(s.columnInt(3))}, {}});
    }
    TRY(fromStatement(s));
    s.reset();
    // Their lines in one read (through inbound_sscc), in import order.
    auto& l = m_db->prepare("SELECT i.sscc, p.sku, i.qty FROM inbound_lines i JOIN products p ON p.id = i.product_id "
                            "WHERE i.sscc IN (SELECT sscc FROM (" + std::string(kOpenPallets) + " LIMIT ?)) ORDER BY i.id");
    l.bind(1, static_cast<int64_t>(limit));
    while (l.step())
        if (const auto it = index.find(l.columnText(0)); it != index.end()) pallets[it->second].lines.push_back({l.columnText(1), l.columnInt(2)});
    TRY(fromStatement(l));
    l.reset();
    return pallets;
}

Result<std::vector<TerminalStore::InboundSupply>> TerminalStore::inboundFor(const std::string& sku, size_t limit)
{
    Database::Operation op(*m_db, "listing the inbound supply of a product");
    std::vector<InboundSupply> rows;
    auto& s = m_db->prepare("SELECT i.inbound_id, i.supplier, i.eta, i.sscc, i.qty - i.received FROM inbound_lines i "
                            "JOIN products p ON p.id = i.product_id WHERE p.sku = ? AND i.qty > i.received "
                            "ORDER BY i.eta, i.inbound_id, i.id LIMIT ?");
    s.bind(1, sku).bind(2, static_cast<int64_t>(limit));
    while (s.step())
        rows.push_back({s.columnText(0), s.columnText(1), ledger::Date{static_cast<int32_t>(s.columnInt(2))}, s.columnText(3), s.columnInt(4)});
    TRY(fromStatement(s));
    s.reset();
    return rows;
}

Result<int64_t> TerminalStore::palletsDue(ledger::Date today)
{
    Database::Operation op(*m_db, "counting the pallets due");
    int64_t n = 0;
    TRY(m_db->prepare("SELECT COUNT(*) FROM (SELECT i.sscc FROM inbound_lines i WHERE i.sscc <> '' AND NOT EXISTS("
                      "SELECT 1 FROM received_ssccs r WHERE r.sscc = i.sscc) GROUP BY i.sscc HAVING MIN(i.eta) <= ?)")
            .bind(1, int64_t(today.days))
            .first([&](const Statement& r) { n = r.columnInt(0); }));
    return n;
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

#pragma once
// ProductMemory: what one server connection remembers of products between its reads
// (docs/server.md, What the store remembers).
//
// Three facts per product, one entry each:
// - known: hasProduct found it. No process deletes a product, so it stays true until a
//   rollback (forget) or the bound;
// - no open order line, and no open inbound line: true until something may open one
//   (linesMayOpen, inboundMayOpen: an import, a pick or a receipt undone, another
//   connection's commit). Those forget the fact for every product at once, by generation,
//   in constant time: an import of 10,000 lines calls them 10,000 times.
//
// A receipt asks the three facts of the same product one after another; the entry last
// looked up is kept aside, so the second and third question hash nothing (one hash lookup
// per op instead of three: ~2 % of the writer's time on a 100-receipt push,
// bench/README.md, Sync).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

namespace backfill::server {

class ProductMemory {
public:
    // kMax bounds the entries: past it, everything is forgotten and memory starts again.
    static constexpr size_t kMax = 200'000;

    bool known(std::string_view sku) { return find(sku) && m_last->known; }
    void markKnown(std::string_view sku) { entry(sku).known = true; }

    bool noOpenLines(std::string_view sku) { return find(sku) && m_last->noLinesSince == m_linesGeneration; }
    void markNoOpenLines(std::string_view sku) { entry(sku).noLinesSince = m_linesGeneration; }
    void linesMayOpen() { ++m_linesGeneration; }

    bool noOpenInbound(std::string_view sku) { return find(sku) && m_last->noInboundSince == m_inboundGeneration; }
    void markNoOpenInbound(std::string_view sku) { entry(sku).noInboundSince = m_inboundGeneration; }
    void inboundMayOpen() { ++m_inboundGeneration; }

    // forget drops every fact (a rollback may have undone what was read).
    void forget()
    {
        m_facts.clear();
        m_lastKey = nullptr;
        m_last = nullptr;
    }

    size_t size() const { return m_facts.size(); }

private:
    struct Facts {
        bool known = false;
        uint64_t noLinesSince = 0;   // == m_linesGeneration: no open order line
        uint64_t noInboundSince = 0; // == m_inboundGeneration: no open inbound line
    };
    struct TextHash {
        using is_transparent = void;
        size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };

    // find points m_last at `sku`'s entry and says whether there is one.
    bool find(std::string_view sku)
    {
        if (m_lastKey && *m_lastKey == sku) return true;
        const auto it = m_facts.find(sku);
        if (it == m_facts.end()) return false;
        m_lastKey = &it->first;
        m_last = &it->second;
        return true;
    }

    Facts& entry(std::string_view sku)
    {
        if (find(sku)) return *m_last;
        if (m_facts.size() >= kMax) forget();
        const auto it = m_facts.emplace(std::string(sku), Facts{}).first;
        m_lastKey = &it->first; // node-based: stays valid as the map grows
        m_last = &it->second;
        return *m_last;
    }

    std::unordered_map<std::string, Facts, TextHash, std::equal_to<>> m_facts;
    uint64_t m_linesGeneration = 1; // entries start at 0: not known to have none
    uint64_t m_inboundGeneration = 1;
    const std::string* m_lastKey = nullptr;
    Facts* m_last = nullptr;
};

} // namespace backfill::server

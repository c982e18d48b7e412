#pragma once
// stockDeltasOf: the changes a server log entry makes to stock cells (sku, location, lot), as
// on-hand units and held units (docs/server.md, The log). One reading of the log for
// everyone who folds it: the server's movements (P6), the terminal's copy of the server's
// state (server_stock), so a new op kind or field is read the same way at both ends.
//
//   receive  each line adds `qty` at the entry's `location`, and its `staged` parts
//            ([{"stage","qty"}]) are carried on from there to the order's staging lane
//   undo     each line takes its `qty` back from the same places: `location` and `staged`
//   move     each of `lots` leaves `from` and arrives at `to`
//   pick     each of `lots` leaves `location`
//   short    each of `held` is held at `location` (held units, on hand unchanged)
//   count, count_approve  `adjusted` at the entry's key, and `holds_cleared` released there
//
// Other kinds change no stock. A payload that is not a JSON object changes nothing here
// (its reader refuses it: bad_log_entry). Zero changes are left out.

#include "ledger/Types.h"

#include <string>
#include <string_view>
#include <vector>

namespace backfill::protocol {

struct StockDelta {
    std::string sku, location, lot;
    ledger::Qty qty = 0;  // on-hand units
    ledger::Qty held = 0; // held units
};

std::vector<StockDelta> stockDeltasOf(std::string_view kind, std::string_view payload);

// stockDeltasOfEntry is the same reading of an entry already parsed, for any JSON type with
// nlohmann's interface (the server's apply path has just built the entry: parsing its own text
// again cost ~7 % of a receive op's CPU; the terminal's fold has parsed it to check it). A
// template, so this header needs no JSON library.
template <class Json> std::vector<StockDelta> stockDeltasOfEntry(std::string_view kind, const Json& e);

namespace logstock {

bool movesStock(std::string_view kind);

template <class Json> std::string textOf(const Json& j, const char* key)
{
    const auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->template get<std::string>() : std::string();
}

template <class Json> ledger::Qty qtyOf(const Json& j, const char* key)
{
    const auto it = j.find(key);
    return it != j.end() && it->is_number_integer() ? it->template get<ledger::Qty>() : 0;
}

template <class Json> const Json& listOf(const Json& j, const char* key)
{
    static const Json kEmpty = Json::array();
    const auto it = j.find(key);
    return it != j.end() && it->is_array() ? *it : kEmpty;
}

} // namespace logstock

template <class Json> std::vector<StockDelta> stockDeltasOfEntry(std::string_view kind, const Json& e)
{
    using ledger::Qty;
    using logstock::listOf;
    using logstock::qtyOf;
    using logstock::textOf;
    std::vector<StockDelta> out;
    if (!logstock::movesStock(kind) || !e.is_object()) return out;
    auto add = [&](std::string sku, std::string location, std::string lot, Qty qty, Qty held) {
        if (qty != 0 || held != 0) out.push_back({std::move(sku), std::move(location), std::move(lot), qty, held});
    };
    if (kind == "receive" || kind == "undo") {
        // A receipt's line: the units not staged stay at the location; an undo takes the
        // same units back from the same places.
        const Qty sign = kind == "receive" ? 1 : -1;
        for (const auto& l : listOf(e, "lines")) {
            Qty staged = 0;
            for (const auto& s : listOf(l, "staged")) staged += qtyOf(s, "qty");
            add(textOf(l, "sku"), textOf(e, "location"), textOf(l, "lot"), sign * (qtyOf(l, "qty") - staged), 0);
            for (const auto& s : listOf(l, "staged")) add(textOf(l, "sku"), textOf(s, "stage"), textOf(l, "lot"), sign * qtyOf(s, "qty"), 0);
        }
    } else if (kind == "move") {
        for (const auto& l : listOf(e, "lots")) {
            add(textOf(e, "sku"), textOf(e, "from"), textOf(l, "lot"), -qtyOf(l, "qty"), 0);
            add(textOf(e, "sku"), textOf(e, "to"), textOf(l, "lot"), qtyOf(l, "qty"), 0);
        }
    } else if (kind == "pick") {
        for (const auto& l : listOf(e, "lots")) add(textOf(e, "sku"), textOf(e, "location"), textOf(l, "lot"), -qtyOf(l, "qty"), 0);
    } else if (kind == "short") {
        for (const auto& h : listOf(e, "held")) add(textOf(e, "sku"), textOf(e, "location"), textOf(h, "lot"), 0, qtyOf(h, "qty"));
    } else if (e.contains("adjusted")) { // count, count_approve
        add(textOf(e, "sku"), textOf(e, "location"), textOf(e, "lot"), qtyOf(e, "adjusted"), -qtyOf(e, "holds_cleared"));
    }
    return out;
}

} // namespace backfill::protocol

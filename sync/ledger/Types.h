#pragma once
// The master data and documents of the warehouse: products, locations, customer order lines
// and inbound (purchase order / ASN) lines. Plain values; the stores own them.

#include "ledger/Date.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace backfill::ledger {

using Qty = int64_t;

// kMaxUnits is the most units one quantity may name: an order or inbound line, a case, a
// receipt, a move, a pick, a count, an op's line, claim or release. Every edge that reads a
// quantity refuses more (CSV imports, the CLI and the store, op payloads at the server), so
// sums of them stay far inside Qty: a stock cell of 9223372036854775807 + 5 saturated in
// SQLite and the 5 units were lost.
inline constexpr Qty kMaxUnits = 1'000'000'000;

// Product is a stock-keeping unit. `gtin` is the each-level GTIN, `caseGtin` a GTIN-14 with
// indicator digit 1-8 standing for `caseQty` units (DESIGN.md 1, Identifiers). Both are
// stored normalised to 14 digits.
struct Product {
    std::string sku;
    std::string description;
    std::optional<std::string> gtin;
    std::optional<std::string> caseGtin;
    Qty caseQty = 0;
    Qty safetyStock = 0;
    int32_t leadTimeDays = 0;
};

enum class LocationKind { Receiving, Storage, Staging, Quarantine };

// locationKindName gives the CSV/JSON spelling (`receiving`, `storage`, ...).
std::string_view locationKindName(LocationKind kind);
// parseLocationKind reads that spelling; nullopt for anything else.
std::optional<LocationKind> parseLocationKind(std::string_view text);

// Location is a place stock can be: a dock, a bin, a staging lane, quarantine. `sequence`
// orders the pick path.
struct Location {
    std::string code;
    LocationKind kind = LocationKind::Storage;
    int64_t sequence = 0;
    // gln: the GLN (13 digits) a GS1 location label carries in AI (414), with glnExtension
    // in AI (254) ('' for none): such a label names this location (docs/ui.md). Optional.
    std::optional<std::string> gln;
    std::string glnExtension;
};

// OrderLine is one customer order line waiting for goods. `allocated` counts units reserved
// and not yet picked; `picked` units already issued. A cancelled line waits for nothing.
struct OrderLine {
    std::string orderId;
    int64_t line = 0;
    std::string customer;
    std::string email;
    std::string sku;
    Qty qty = 0;
    int64_t priority = 0;
    Timestamp orderedAt = 0;
    std::optional<Timestamp> promisedAt;
    Qty allocated = 0;
    Qty picked = 0;
    bool cancelled = false;

    // remaining is what the line still needs: qty - allocated - picked (never below 0).
    Qty remaining() const { return cancelled || qty <= allocated + picked ? 0 : qty - allocated - picked; }
};

// InboundLine is an expected receipt: a purchase order or ASN line, optionally on an SSCC
// pallet. `fileRow` keeps the import order (the tie-break after eta and inbound_id).
struct InboundLine {
    std::string inboundId;
    std::string supplier;
    std::string sku;
    Qty qty = 0;
    Date eta;
    std::optional<std::string> sscc;
    int64_t fileRow = 0;
    Qty received = 0;

    Qty open() const { return qty > received ? qty - received : 0; }
};

// EventKind lists the physical actions of the append-only ledger (DESIGN.md 1, Ledger).
// Deallocated returns units of a line to free stock (cancellation, lowered quantity, undo).
// Held puts `qty` units at a location/lot on hold (a short pick's missing units; negative:
// the hold is lifted by a count there): on hand, not allocatable.
enum class EventKind { Received, Allocated, Deallocated, Picked, Moved, Counted, Adjusted, Held };

std::string_view eventKindName(EventKind kind);
std::optional<EventKind> parseEventKind(std::string_view text);

// Event is one ledger entry. Which fields matter depends on the kind: Received/Adjusted/Held
// use location and lot; Moved uses location -> toLocation; Allocated/Deallocated/Picked name the
// order line; Counted records the counted quantity in `qty`.
struct Event {
    int64_t id = 0;
    EventKind kind = EventKind::Received;
    std::string sku;
    Qty qty = 0;
    std::string location;
    std::string toLocation;
    std::string lot;
    std::optional<Date> expiry;
    std::string sscc;
    std::string orderId;
    int64_t line = 0;
    std::string operatorName;
    std::string device;
    Timestamp at = 0;
};

} // namespace backfill::ledger

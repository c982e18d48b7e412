#pragma once
// UiScan: what a scan means on the workflow screens (put away, pick, count, stock, Home),
// decided with the same parser and store lookups as the CLI: a location label (the
// configurable prefix, setting `location_prefix`, default "LOC:", or a bare code that is a
// known location, or a GS1 location label: AI (414) GLN with an optional (254) extension,
// mapped to a location by the locations' gln columns), a pallet label (00), a product label
// ((01)/(02) with count, lot and expiry, its GTIN resolved in the catalog), or a refusal with
// a stable code (an unmapped GLN is unknown_location).

#include "app/Cli.h"
#include "store/TerminalStore.h"

#include <optional>
#include <string>

namespace backfill::app {

inline constexpr const char* kDefaultLocationPrefix = "LOC:";

struct ScanMeaning {
    enum class Kind { Location, Pallet, Product, Refused } kind = Kind::Refused;
    std::string text;                 // the scan as read
    std::string location;             // Location: the code
    ledger::LocationKind locationKind = ledger::LocationKind::Storage;
    std::string sku;                  // Product
    long long units = 0;              // Product: the units the label stands for
    std::optional<std::string> lot;   // Product: (10)
    std::optional<ledger::Date> expiry;
    std::string code;                 // Refused: unknown_location, unknown_gtin, a parse code, ...
    std::string message;
};

// readScan classifies `text` (see above). A store failure comes back as Refused with its code.
ScanMeaning readScan(store::TerminalStore& store, const GlobalOptions& g, const std::string& text);

} // namespace backfill::app

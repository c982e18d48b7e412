#pragma once
// The rules for GS1 location labels that need what a database already holds, shared by the
// terminal's `backfill import locations` (store::TerminalStore::importLocations) and the
// server's `backfilld import locations` (server::importLocations), so both refuse the same
// rows with the same codes and words. The checks within one file are the parser's
// (ledger/MasterDataCsv.h parseLocationsCsv: bad_gln, check_digit, bad_gln_extension,
// gln_required, duplicate_gln); docs/import.md, locations.

#include "ledger/MasterDataCsv.h"
#include "ledger/Result.h"
#include "ledger/Types.h"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace backfill::ledger {

// glnLabelName names a label for a person: "GLN 9501101000018" or "GLN 9501101000018
// extension A1" (an empty extension is none).
std::string glnLabelName(const std::string& gln, const std::string& extension);

// GlnOwnerLookup gives the code of the location that holds the (gln, extension) pair in the
// database (extension "" = none), or nullopt when none does; a store failure is its error.
using GlnOwnerLookup = std::function<Result<std::optional<std::string>>(const std::string& gln, const std::string& extension)>;

// checkStoredGlns checks a parsed locations file against the labels stored. A (gln,
// gln_extension) pair names one location (GS1 General Specifications 3.7.9: a GLN
// identifies one physical location; AI 254 tells apart the places under it): a row whose
// pair another location holds is `duplicate_gln` (column gln, the row's line: "GLN ...
// already names location X; a GS1 location label names one location"), unless X gets another
// pair in the same file (two locations may trade labels in one import). A row without a gln
// is not checked: it keeps what it holds. Rows are asked of `ownerOf` once each, in file
// order; the first lookup failure is returned and ends the check. Every issue is returned;
// the caller caps them (kMaxImportErrors) with its own.
Result<std::vector<ImportIssue>> checkStoredGlns(const ParsedRows<Location>& rows, const GlnOwnerLookup& ownerOf);

} // namespace backfill::ledger

#include "ledger/LocationLabels.h"

#include <algorithm>

namespace backfill::ledger {

std::string glnLabelName(const std::string& gln, const std::string& extension)
{
    return "GLN " + gln + (extension.empty() ? "" : " extension " + extension);
}

Result<std::vector<ImportIssue>> checkStoredGlns(const ParsedRows<Location>& rows, const GlnOwnerLookup& ownerOf)
{
    std::vector<ImportIssue> issues;
    for (size_t i = 0; i < rows.rows.size(); ++i) {
        const Location& l = rows.rows[i];
        if (!l.gln) continue;
        auto owner = ownerOf(*l.gln, l.glnExtension);
        if (!owner) return unexpected(owner.error());
        if (!*owner || **owner == l.code) continue;
        // The holder gives the label up when this file gives it a pair of its own (not this
        // one: the parser already refused a pair twice in one file).
        const bool ownerMoves = std::any_of(rows.rows.begin(), rows.rows.end(), [&](const Location& o) {
            return o.code == **owner && o.gln && !(*o.gln == *l.gln && o.glnExtension == l.glnExtension);
        });
        if (!ownerMoves)
            issues.push_back({rows.lines[i], "gln", "duplicate_gln",
                              glnLabelName(*l.gln, l.glnExtension) + " already names location " + **owner +
                                  "; a GS1 location label names one location"});
    }
    return issues;
}

} // namespace backfill::ledger

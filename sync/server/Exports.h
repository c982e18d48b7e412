#pragma once
// ERP exports (issue 13 item 5; docs/backoffice.md): what happened after a cursor, as JSON
// lines. The cursor is the server log's seq: seqs are given in commit order without gaps
// (ServerStore::appendLog), so an ERP that resumes from the cursor it was given sees every
// record once, never twice.

#include "server/ServerStore.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace backfill::server {

enum class ExportKind { Receipts, Picks, Adjustments };

// parseExportKind reads `receipts`, `picks` or `adjustments`.
std::optional<ExportKind> parseExportKind(std::string_view text);

// ExportBatch is one export: a JSON object per record, each with its "cursor" (the log seq
// it came from), and `nextCursor`, the seq to pass next time (the last log entry examined,
// or the cursor given when there was none).
struct ExportBatch {
    std::vector<std::string> records;
    int64_t nextCursor = 0;
};

// exportSince returns the records of `kind` in log entries after `cursor`:
//   receipts     one per receive entry that took stock in (a pallet received twice has none):
//                {"cursor","type":"receipt","at","op_id","device","location","lines":[{"sku","qty","lot","sscc"}]}
//   picks        one per pick entry:
//                {"cursor","type":"pick","at","op_id","device","order_id","line","sku","qty","location","lots":[{"lot","qty"}]}
//   adjustments  one per count or approval that changed stock:
//                {"cursor","type":"adjustment","at","op_id","device","count_id","sku","location","lot","qty","reason"}
// `at` is the UTC time the entry happened (YYYY-MM-DDTHH:MM:SSZ) or null. At most `limit`
// records (0 = no limit); nextCursor then stops at the last one returned.
Result<ExportBatch> exportSince(ServerStore& store, ExportKind kind, int64_t cursor, size_t limit = 0);

} // namespace backfill::server

#include "app/UiWriter.h"

namespace backfill::app {

ledger::Result<std::unique_ptr<UiWriter>> UiWriter::start(const std::string& dbPath, std::chrono::milliseconds busyTimeout, MainQueue& queue)
{
    auto store = openWorkerStore(dbPath, busyTimeout);
    if (!store) return ledger::unexpected(store.error());
    return std::unique_ptr<UiWriter>(new UiWriter(queue, std::move(*store)));
}

} // namespace backfill::app

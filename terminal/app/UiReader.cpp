#include "app/UiReader.h"

namespace backfill::app {

ledger::Result<std::unique_ptr<UiReader>> UiReader::start(const std::string& dbPath, std::chrono::milliseconds busyTimeout, MainQueue& queue)
{
    auto store = openWorkerStore(dbPath, busyTimeout);
    if (!store) return ledger::unexpected(store.error());
    return std::unique_ptr<UiReader>(new UiReader(queue, std::move(*store)));
}

} // namespace backfill::app

#pragma once
// Queueing customer notifications at the server (issue 13 item 3; docs/backoffice.md,
// Notifications). The rules are ledger/Notifications.h's; these functions gather their facts
// and queue the messages, inside the caller's transaction, so a message is queued exactly
// when the change that causes it commits (imports, ops applied at the dock, cancels).
// Sending is server/Notifier.h's.

#include "server/Imports.h"
#include "server/Ops.h"
#include "server/ServerStore.h"

#include <span>
#include <string>
#include <string_view>

namespace backfill::server {

// NotifyClock: `today` decides the daily limit of ETA messages (a command's --today, else the
// UTC date); `now` (seconds since 1970) stamps the queue time.
struct NotifyClock {
    ledger::Date today;
    int64_t now = 0;
};

// notifyClock is --today's (the store's pinned log time: today 00:00 UTC) or the system clock's.
NotifyClock notifyClock(const ServerStore& store);

// notifyProducts looks at every waiting line (with an address) of each product and queues
// what ledger::decideEta decides (event ["eta", order_id, line, day]: one ETA message per
// line per day), and a back_in_stock message to each waitlisted address of a product that
// has free units (allocatable on hand - allocated > 0; event ["back_in_stock", email, sku,
// day]), marking the entry notified.
// `memo`: the push slice's (server/Ops.h), which remembers whether anyone is waitlisted.
Result<void> notifyProducts(ServerStore& store, std::span<const std::string> skus, const NotifyClock& clock,
                            MasterMemo* memo = nullptr);

// notifyAfterOp queues what an applied op causes: for a receive, an `allocated` message to
// each line its units went to (event ["allocated", log seq, order_id, line]), then
// notifyProducts over the products the op settled (OpOutcome::skus).
Result<void> notifyAfterOp(ServerStore& store, std::string_view kind, const OpOutcome& outcome, const NotifyClock& clock,
                           MasterMemo* memo = nullptr);

// notifyDeferred runs notifyProducts over the products with an ETA change the daily limit
// held back (on a new day it goes out). `backfilld notify` and the serve sender call it
// before sending. Returns how many products it looked at.
Result<int64_t> notifyDeferred(ServerStore& store, const NotifyClock& clock);

// importWaitlist adds the rows (email, sku) to the waitlist in one transaction (unknown_sku
// refuses the file), then queues back_in_stock for products already in stock. `imported`
// counts the rows.
Result<ImportReport> importWaitlist(ServerStore& store, const ledger::ParsedRows<ledger::WaitlistEntry>& rows);

} // namespace backfill::server

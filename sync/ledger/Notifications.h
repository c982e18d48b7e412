#pragma once
// Customer notifications (issue 13 item 3; docs/backoffice.md, Notifications): which events
// give a waiting customer a message, and the message's text. Pure functions: the server
// gathers the facts (server/Notify.h), queues what these decide and sends it by SMTP.
//
// Events and their messages (NoticeKind):
//   eta_first      a waiting line gets a projected ETA for the first time
//   eta_changed    its ETA moved by a day or more since the customer was last told (also: a
//                  date again after a withdrawn one)
//   eta_withdrawn  it had an ETA the customer was told and now has none (out of stock)
//   allocated      units were allocated to it at the dock (a receipt)
//   back_in_stock  a waitlisted product (email, sku) has free units again
// The three ETA messages share one limit: at most one per line per day (decideEta).

#include "ledger/Date.h"
#include "ledger/Types.h"

#include <optional>
#include <string>
#include <string_view>

namespace backfill::ledger {

enum class NoticeKind { EtaFirst, EtaChanged, EtaWithdrawn, Allocated, BackInStock };

// noticeKindName gives the JSON spelling (`eta_first`, ..., `back_in_stock`); parseNoticeKind
// reads it back (nullopt for anything else).
std::string_view noticeKindName(NoticeKind kind);
std::optional<NoticeKind> parseNoticeKind(std::string_view text);

// EtaMemory is what the customer of one line was last told about its date.
struct EtaMemory {
    bool told = false;                 // an ETA message was queued for the line
    std::optional<Date> toldEta;       // the date in the last one (nullopt: a withdrawal)
    std::optional<Date> lastMessageDay; // the day the last ETA message was queued
};

// EtaDecision: the message to queue (if any), the memory after it, and `deferred` when a
// change was held back by the daily limit (look at the line again on a later day).
struct EtaDecision {
    std::optional<NoticeKind> notice;
    EtaMemory memory;
    bool deferred = false;
};

// decideEta compares a waiting line's projected ETA now (`eta`, nullopt = no date can be
// promised) with what its customer was told, on `today`:
//   never told, eta now            -> eta_first (the first message of the day can always go)
//   never told, no eta             -> nothing
//   told eta E, eta now F != E     -> eta_changed, unless an ETA message was queued today
//   told withdrawal, eta now F     -> eta_changed, likewise
//   told eta E, no eta now         -> eta_withdrawn, likewise
//   otherwise (the told date)      -> nothing
// "moves by a day or more": ETAs are dates, so any other date is a move of a day or more.
// A held-back change leaves the memory as it was (so a date that moves back to what was told
// needs no message) and sets `deferred`.
EtaDecision decideEta(const EtaMemory& memory, std::optional<Date> eta, Date today);

// Notice is the facts of one message. For ETA messages `qty` is what the line still waits
// for; for `allocated` the units allocated by the receipt; for back_in_stock the free units.
struct Notice {
    NoticeKind kind = NoticeKind::EtaFirst;
    std::string email;
    std::string customer;          // "" for a waitlist entry
    std::string orderId;           // "" for back_in_stock
    int64_t line = 0;
    std::string sku;
    std::string description;       // the product's
    Qty qty = 0;
    Qty lineQty = 0;               // the line's ordered quantity (0 for back_in_stock)
    std::optional<Date> eta;       // eta_first, eta_changed
    std::optional<Date> previousEta; // eta_changed (nullopt after a withdrawal), eta_withdrawn
    Date day;                      // when the event happened (queued)
};

// MailText is a message's subject (one line, ASCII-safe identifiers and dates only) and its
// plain-text body (LF line ends; the sender writes CRLF).
struct MailText {
    std::string subject;
    std::string body;
};

// renderNotice writes the message: order, line, product, quantity and date, what the date
// means, and the unsubscribe line (reply with the word UNSUBSCRIBE; the office runs
// `backfilld unsubscribe EMAIL`). A description's line breaks become spaces.
MailText renderNotice(const Notice& notice);

// kUnsubscribeLine ends every message body.
inline constexpr std::string_view kUnsubscribeLine =
    "To stop these messages, reply with the word UNSUBSCRIBE and we will take your address off our list.";

// normalizeEmail is the form addresses are compared in (unsubscribes, waitlist keys):
// surrounding spaces removed, ASCII letters lower-cased. RFC 5321 lets a local part be
// case-sensitive, but no real mailbox is, and a missed unsubscribe is worse than none.
std::string normalizeEmail(std::string_view email);

// retryDelaySeconds is the back-off before attempt `attempts` + 1 after `attempts` failed
// ones (>= 1): 60 s, doubling, at most 3600 s.
int64_t retryDelaySeconds(int64_t attempts);

} // namespace backfill::ledger

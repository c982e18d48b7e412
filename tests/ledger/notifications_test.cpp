// The notification rules (ledger/Notifications.h): which ETA events give a message, the daily
// limit, the message text, the waitlist CSV, address normalisation and the retry back-off.

#include "ledger/MasterDataCsv.h"
#include "ledger/Notifications.h"

#include <doctest/doctest.h>

#include <string>

using namespace backfill::ledger;

namespace {

Date day(const char* ymd) { return *parseDate(ymd); }

} // namespace

TEST_CASE("decideEta: a first ETA is told at once; no ETA, nothing")
{
    const auto none = decideEta({}, std::nullopt, day("2026-12-01"));
    CHECK_FALSE(none.notice);
    CHECK_FALSE(none.memory.told);
    CHECK_FALSE(none.deferred);

    const auto first = decideEta({}, day("2026-12-10"), day("2026-12-01"));
    REQUIRE(first.notice);
    CHECK(*first.notice == NoticeKind::EtaFirst);
    CHECK(first.memory.told);
    CHECK(first.memory.toldEta == day("2026-12-10"));
    CHECK(first.memory.lastMessageDay == day("2026-12-01"));
    CHECK_FALSE(first.deferred);
}

TEST_CASE("decideEta: the told date again is no message")
{
    const EtaMemory told{true, day("2026-12-10"), day("2026-11-20")};
    const auto same = decideEta(told, day("2026-12-10"), day("2026-12-01"));
    CHECK_FALSE(same.notice);
    CHECK_FALSE(same.deferred);
    CHECK(same.memory.toldEta == day("2026-12-10"));
    CHECK(same.memory.lastMessageDay == day("2026-11-20"));
}

TEST_CASE("decideEta: a move of one day either way is a change; at most one ETA message per line per day")
{
    const EtaMemory told{true, day("2026-12-10"), day("2026-11-30")};
    const auto later = decideEta(told, day("2026-12-11"), day("2026-12-01"));
    REQUIRE(later.notice);
    CHECK(*later.notice == NoticeKind::EtaChanged);
    CHECK(later.memory.toldEta == day("2026-12-11"));
    CHECK(later.memory.lastMessageDay == day("2026-12-01"));

    const auto earlier = decideEta(told, day("2026-12-09"), day("2026-12-01"));
    REQUIRE(earlier.notice);
    CHECK(*earlier.notice == NoticeKind::EtaChanged);

    // The same day again: held back, memory unchanged, deferred.
    const auto again = decideEta(later.memory, day("2026-12-15"), day("2026-12-01"));
    CHECK_FALSE(again.notice);
    CHECK(again.deferred);
    CHECK(again.memory.toldEta == day("2026-12-11"));
    CHECK(again.memory.lastMessageDay == day("2026-12-01"));
    // Moving back to the told date the same day needs nothing and is not deferred.
    const auto back = decideEta(later.memory, day("2026-12-11"), day("2026-12-01"));
    CHECK_FALSE(back.notice);
    CHECK_FALSE(back.deferred);
    // The next day the held-back change goes out, with the told date as the previous one.
    const auto next = decideEta(again.memory, day("2026-12-15"), day("2026-12-02"));
    REQUIRE(next.notice);
    CHECK(*next.notice == NoticeKind::EtaChanged);
    CHECK(next.memory.toldEta == day("2026-12-15"));
    CHECK(next.memory.lastMessageDay == day("2026-12-02"));
}

TEST_CASE("decideEta: the first ETA counts for the day's limit")
{
    const auto first = decideEta({}, day("2026-12-10"), day("2026-12-01"));
    const auto moved = decideEta(first.memory, day("2026-12-12"), day("2026-12-01"));
    CHECK_FALSE(moved.notice);
    CHECK(moved.deferred);
}

TEST_CASE("decideEta: a told date that disappears is withdrawn; a date after that is a change")
{
    const EtaMemory told{true, day("2026-12-10"), day("2026-11-30")};
    const auto gone = decideEta(told, std::nullopt, day("2026-12-01"));
    REQUIRE(gone.notice);
    CHECK(*gone.notice == NoticeKind::EtaWithdrawn);
    CHECK(gone.memory.told);
    CHECK_FALSE(gone.memory.toldEta);
    // Still nothing the same day and the next: nothing new to tell.
    CHECK_FALSE(decideEta(gone.memory, std::nullopt, day("2026-12-02")).notice);
    // A date again on a later day.
    const auto back = decideEta(gone.memory, day("2026-12-20"), day("2026-12-03"));
    REQUIRE(back.notice);
    CHECK(*back.notice == NoticeKind::EtaChanged);
    CHECK(back.memory.toldEta == day("2026-12-20"));
    // A withdrawal is throttled like a change.
    const auto sameDay = decideEta(back.memory, std::nullopt, day("2026-12-03"));
    CHECK_FALSE(sameDay.notice);
    CHECK(sameDay.deferred);
}

TEST_CASE("noticeKindName and parseNoticeKind round-trip")
{
    for (const auto k : {NoticeKind::EtaFirst, NoticeKind::EtaChanged, NoticeKind::EtaWithdrawn, NoticeKind::Allocated,
                         NoticeKind::BackInStock})
        CHECK(parseNoticeKind(noticeKindName(k)) == k);
    CHECK(noticeKindName(NoticeKind::BackInStock) == "back_in_stock");
    CHECK_FALSE(parseNoticeKind("eta"));
}

TEST_CASE("renderNotice: order, product, quantity, date and the unsubscribe line")
{
    Notice n;
    n.kind = NoticeKind::EtaChanged;
    n.email = "ann@example.com";
    n.customer = "Ann";
    n.orderId = "SO-1";
    n.line = 2;
    n.sku = "SKU-A";
    n.description = "Widget\nlarge";
    n.qty = 5;
    n.lineQty = 8;
    n.eta = day("2026-12-14");
    n.previousEta = day("2026-12-10");
    n.day = day("2026-12-01");
    const MailText m = renderNotice(n);
    CHECK(m.subject == "Order SO-1: new date 2026-12-14");
    CHECK(m.body == "Hello Ann,\n\n"
                    "The date of the goods you are waiting for has changed.\n\n"
                    "Order SO-1, line 2: SKU-A (Widget large)\n"
                    "Quantity: 5 units of 8 ordered still to come\n"
                    "Expected at our warehouse: 2026-12-14 (before: 2026-12-10)\n"
                    "\n-- \n"
                    "To stop these messages, reply with the word UNSUBSCRIBE and we will take your address off our list.\n");

    n.kind = NoticeKind::Allocated;
    n.qty = 1;
    const MailText a = renderNotice(n);
    CHECK(a.subject == "Order SO-1: goods arrived");
    CHECK(a.body.find("Quantity: 1 unit of 8 ordered\nArrived: 2026-12-01\n") != std::string::npos);

    n.kind = NoticeKind::EtaFirst;
    n.qty = 8;
    CHECK(renderNotice(n).subject == "Order SO-1: expected 2026-12-14");
    CHECK(renderNotice(n).body.find("Expected at our warehouse: 2026-12-14\n") != std::string::npos);

    n.kind = NoticeKind::EtaWithdrawn;
    n.eta.reset();
    CHECK(renderNotice(n).subject == "Order SO-1: no date yet");
    CHECK(renderNotice(n).body.find("Date given before: 2026-12-10\n") != std::string::npos);

    Notice b;
    b.kind = NoticeKind::BackInStock;
    b.email = "cy@example.com";
    b.sku = "SKU-B";
    b.description = "Gadget";
    b.qty = 3;
    b.day = day("2026-12-02");
    const MailText s = renderNotice(b);
    CHECK(s.subject == "SKU-B is back in stock");
    CHECK(s.body == "Hello,\n\nA product you asked us to watch is back in stock.\n\nProduct: SKU-B (Gadget)\n"
                    "Quantity available: 3 units\nIn stock since: 2026-12-02\n\n-- \n" +
                        std::string(kUnsubscribeLine) + "\n");
}

TEST_CASE("normalizeEmail and retryDelaySeconds")
{
    CHECK(normalizeEmail("  Ann.Lee@Example.COM ") == "ann.lee@example.com");
    CHECK(retryDelaySeconds(1) == 60);
    CHECK(retryDelaySeconds(2) == 120);
    CHECK(retryDelaySeconds(6) == 1920);
    CHECK(retryDelaySeconds(7) == 3600);
    CHECK(retryDelaySeconds(1000) == 3600);
}

TEST_CASE("parseWaitlistCsv: email,sku; bad_email, required, duplicate_key ignoring case")
{
    const auto ok = parseWaitlistCsv("email,sku\nann@example.com,SKU-A\nbob@example.com,SKU-A\nann@example.com,SKU-B\n");
    REQUIRE(ok.errors.empty());
    REQUIRE(ok.rows.size() == 3);
    CHECK(ok.rows[2].email == "ann@example.com");
    CHECK(ok.rows[2].sku == "SKU-B");

    const auto bad = parseWaitlistCsv("sku,email\nSKU-A,ann\nSKU-A,Bob@x.org\nSKU-A,bob@X.org\n,cy@x.org\n");
    REQUIRE(bad.errors.size() == 3);
    CHECK(bad.errors[0].code == "bad_email");
    CHECK(bad.errors[0].line == 2);
    CHECK(bad.errors[1].code == "duplicate_key");
    CHECK(bad.errors[1].line == 4);
    CHECK(bad.errors[1].format("w.csv") ==
          "w.csv:4: column sku: email \"bob@X.org\" sku \"SKU-A\" is already on line 3; each (email, sku) may appear once");
    CHECK(bad.errors[2].code == "required");
    CHECK(bad.errors[2].line == 5);

    const auto missing = parseWaitlistCsv("email\nann@example.com\n");
    REQUIRE(missing.errors.size() == 1);
    CHECK(missing.errors[0].code == "missing_column");
}

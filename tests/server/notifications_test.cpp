// Customer notifications at the server (issue 13 item 3) in process, over a real SQLite file
// and a real SMTP conversation with tests/server/SmtpSink.h on 127.0.0.1: which changes
// queue which messages (in the transaction of the change), the daily limit of ETA messages,
// the waitlist, unsubscribing, and the sender against a relay that is down, refuses, then
// is back, across a restart of the sender, with every message accepted exactly once.

#include "SmtpSink.h"

#include "ledger/Date.h"
#include "server/Apply.h"
#include "server/Imports.h"
#include "server/Metrics.h"
#include "server/Notifier.h"
#include "server/Notify.h"
#include "server/SqliteServerStore.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <string>

using namespace backfill;
using namespace backfill::server;
namespace fs = std::filesystem;

namespace {

ledger::Date day(const char* ymd) { return *ledger::parseDate(ymd); }
ledger::Timestamp at(const char* text) { return *ledger::parseTimestamp(text); }

std::string uuid(int n)
{
    std::string tail = std::to_string(n);
    return "00000000-0000-4000-8000-" + std::string(12 - tail.size(), '0') + tail;
}

// Shop: a fresh server database.
//   catalog  SKU-A Widget, SKU-B Gadget; location DOCK (receiving)
//   lines    SO-1 Ann ann@example.com A 5 (11-20), SO-2 Bob bob@example.com A 3 (11-21),
//            SO-3 Cy (no address) A 2 (11-22)
struct Shop {
    fs::path dir;
    std::unique_ptr<SqliteServerStore> store;
    std::unique_ptr<Applier> applier;
    protocol::Credentials device;
    int64_t seq = 0;
    ledger::Timestamp clock = at("2026-12-01T09:00Z");

    Shop()
    {
        static int counter = 0;
        dir = fs::temp_directory_path() / ("backfilld_notify_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
        fs::remove_all(dir);
        fs::create_directories(dir);
        open();
        onDay("2026-12-01");
        REQUIRE(importLocations(*store, ledger::parseLocationsCsv("code,kind,sequence\nDOCK,receiving,1\n"))->imported == 1);
        REQUIRE(importCatalog(*store, ledger::parseCatalogCsv("sku,description\nSKU-A,Widget\nSKU-B,Gadget\n"))->imported == 2);
        REQUIRE(importBackorders(*store, ledger::parseBackordersCsv("order_id,line,customer,email,sku,qty,ordered_at\n"
                                                                     "SO-1,1,Ann,ann@example.com,SKU-A,5,2026-11-20\n"
                                                                     "SO-2,1,Bob,bob@example.com,SKU-A,3,2026-11-21\n"
                                                                     "SO-3,1,Cy,,SKU-A,2,2026-11-22\n"))
                    ->imported == 3);
        auto token = enrolDevice(*store, "HH-01");
        REQUIRE(token);
        auto hello = applier->hello({protocol::kProtocolVersion, "HH-01", 0, *token});
        REQUIRE(std::holds_alternative<protocol::HelloAck>(hello));
        device = {"HH-01", 1, *token};
    }
    ~Shop()
    {
        applier.reset();
        store.reset();
        fs::remove_all(dir);
    }

    std::string dbPath() const { return (dir / "server.db").string(); }

    // open (re)opens the database, as a restarted process does.
    void open()
    {
        applier.reset();
        store.reset();
        auto s = SqliteServerStore::open(dbPath());
        REQUIRE(s);
        store = std::move(*s);
        ApplierOptions options;
        options.now = [this] { return clock; };
        applier = std::make_unique<Applier>(*store, options);
    }

    // onDay pins what commands and pushes take as today.
    void onDay(const char* ymd)
    {
        store->setLogTime(ledger::startOf(day(ymd)));
        clock = ledger::startOf(day(ymd)) + 9 * 3600;
    }

    void inbound(const std::string& rows)
    {
        auto r = importInbound(*store, ledger::parseInboundCsv("inbound_id,supplier,sku,qty,eta\n" + rows));
        REQUIRE(r);
        REQUIRE(r->errors.empty());
    }

    void push(const std::string& kind, const std::string& payload)
    {
        ++seq;
        auto reply = applier->push({device, {{uuid(static_cast<int>(seq)), seq, 1, kind, payload, clock}}});
        REQUIRE(std::holds_alternative<protocol::PushAck>(reply));
        const auto& ack = std::get<protocol::PushAck>(reply);
        REQUIRE(ack.results.size() == 1);
        REQUIRE_MESSAGE(ack.results[0].status == protocol::OpStatus::Applied, std::string(ack.results[0].code + ": " + ack.results[0].message));
    }

    std::vector<NotificationRecord> outbox(const char* state = "")
    {
        auto rows = store->notifications(state);
        REQUIRE(rows);
        return *rows;
    }
};

// summary: "kind order line qty eta previous_eta email state" per message, for exact checks.
std::vector<std::string> summary(const std::vector<NotificationRecord>& rows)
{
    std::vector<std::string> out;
    for (const auto& r : rows) {
        const auto& n = r.notice;
        out.push_back(std::string(ledger::noticeKindName(n.kind)) + " " + (n.orderId.empty() ? "-" : n.orderId + "/" + std::to_string(n.line)) +
                      " " + n.sku + " " + std::to_string(n.qty) + " " + (n.eta ? ledger::formatDate(*n.eta) : "-") + " " +
                      (n.previousEta ? ledger::formatDate(*n.previousEta) : "-") + " " + n.email + " " + ledger::formatDate(n.day) +
                      " " + r.state);
    }
    return out;
}

} // namespace

TEST_CASE("ETA messages: first date, a change held back to the next day, dock allocations, cancels")
{
    Shop shop;
    CHECK(shop.outbox().empty());

    // 12-01: ASN-1 brings 6 of A for 12-10: SO-1 (5) is covered, SO-2 (3) only partly: no date.
    shop.inbound("ASN-1,Acme,SKU-A,6,2026-12-10\n");
    CHECK(summary(shop.outbox()) == std::vector<std::string>{"eta_first SO-1/1 SKU-A 5 2026-12-10 - ann@example.com 2026-12-01 pending"});

    // ASN-0 brings 2 more for 12-05: SO-1 takes ASN-0's 2 and 3 of ASN-1 (still completed on
    // 12-10: no message); SO-2 gets ASN-1's last 3: its first date.
    shop.inbound("ASN-0,Acme,SKU-A,2,2026-12-05\n");
    CHECK(summary(shop.outbox()) == std::vector<std::string>{
                                        "eta_first SO-1/1 SKU-A 5 2026-12-10 - ann@example.com 2026-12-01 pending",
                                        "eta_first SO-2/1 SKU-A 3 2026-12-10 - bob@example.com 2026-12-01 pending"});

    // The same day ASN-1 slips to 12-12: both lines' dates move, but each was told today.
    shop.inbound("ASN-1,Acme,SKU-A,6,2026-12-12\n");
    CHECK(shop.outbox().size() == 2);
    CHECK(*shop.store->deferredSkus() == std::vector<std::string>{"SKU-A"});
    // Running the held-back ones the same day changes nothing.
    CHECK(*notifyDeferred(*shop.store, {day("2026-12-01"), shop.clock}) == 1);
    CHECK(shop.outbox().size() == 2);

    // 12-02: the held-back changes go out, once.
    shop.onDay("2026-12-02");
    CHECK(*notifyDeferred(*shop.store, {day("2026-12-02"), shop.clock}) == 1);
    CHECK(*notifyDeferred(*shop.store, {day("2026-12-02"), shop.clock}) == 0);
    const auto afterDeferred = summary(shop.outbox());
    CHECK(afterDeferred == std::vector<std::string>{
                               "eta_first SO-1/1 SKU-A 5 2026-12-10 - ann@example.com 2026-12-01 pending",
                               "eta_first SO-2/1 SKU-A 3 2026-12-10 - bob@example.com 2026-12-01 pending",
                               "eta_changed SO-1/1 SKU-A 5 2026-12-12 2026-12-10 ann@example.com 2026-12-02 pending",
                               "eta_changed SO-2/1 SKU-A 3 2026-12-12 2026-12-10 bob@example.com 2026-12-02 pending"});
    CHECK(shop.store->deferredSkus()->empty());

    // 12-03: 6 of A received at the dock: SO-1 gets 5, SO-2 1 (the rule's order): two
    // `allocated` messages. SO-2 waits for 2 more, still covered by ASN-1 on 12-12: no ETA message.
    shop.onDay("2026-12-03");
    shop.push("receive", R"({"location":"DOCK","lines":[{"sku":"SKU-A","qty":6}]})");
    auto rows = summary(shop.outbox());
    REQUIRE(rows.size() == 6);
    CHECK(rows[4] == "allocated SO-1/1 SKU-A 5 - - ann@example.com 2026-12-03 pending");
    CHECK(rows[5] == "allocated SO-2/1 SKU-A 1 - - bob@example.com 2026-12-03 pending");
    const auto allocated = shop.outbox()[4];
    CHECK(allocated.text.subject == "Order SO-1: goods arrived");
    CHECK(allocated.text.body.find("Order SO-1, line 1: SKU-A (Widget)\nQuantity: 5 units of 5 ordered\nArrived: 2026-12-03\n") !=
          std::string::npos);

    // 12-04: SO-2 cancelled (qty 0): nothing for SO-2; SO-3 (no address) never gets anything.
    shop.onDay("2026-12-04");
    REQUIRE(importBackorders(*shop.store, ledger::parseBackordersCsv("order_id,line,customer,email,sku,qty,ordered_at\n"
                                                                      "SO-2,1,Bob,bob@example.com,SKU-A,0,2026-11-21\n"))
                ->imported == 1);
    CHECK(shop.outbox().size() == 6);

    // 12-05: ASN-1 cut to 1 unit: SO-3 has no address; nothing is told, nothing deferred.
    shop.onDay("2026-12-05");
    shop.inbound("ASN-1,Acme,SKU-A,1,2026-12-12\n");
    CHECK(shop.outbox().size() == 6);
}

TEST_CASE("a told date that can no longer be promised is withdrawn; the event is queued once")
{
    Shop shop;
    shop.inbound("ASN-1,Acme,SKU-A,5,2026-12-10\n");
    REQUIRE(shop.outbox().size() == 1);
    // 12-02: a priority line (no address) takes the inbound: SO-1 is out of stock.
    shop.onDay("2026-12-02");
    REQUIRE(importBackorders(*shop.store, ledger::parseBackordersCsv("order_id,line,customer,sku,qty,priority,ordered_at\n"
                                                                      "SO-9,1,Vip,SKU-A,5,9,2026-12-02\n"))
                ->imported == 1);
    const auto rows = summary(shop.outbox());
    CHECK(rows == std::vector<std::string>{"eta_first SO-1/1 SKU-A 5 2026-12-10 - ann@example.com 2026-12-01 pending",
                                           "eta_withdrawn SO-1/1 SKU-A 5 - 2026-12-10 ann@example.com 2026-12-02 pending"});
    // The same event again (a line's ETA message of a day) is not queued twice.
    ledger::Notice n = shop.outbox()[1].notice;
    CHECK_FALSE(*shop.store->queueNotification(shop.outbox()[1].event, n, ledger::renderNotice(n), shop.clock));
    CHECK(shop.outbox().size() == 2);
}

TEST_CASE("waitlist: back in stock once per entry, when free units exist; unsubscribe drops pending messages")
{
    Shop shop;
    // SKU-B has nothing: the entries wait.
    auto w = importWaitlist(*shop.store, ledger::parseWaitlistCsv("email,sku\nCy@Example.com,SKU-B\ndan@example.com,SKU-B\n"));
    REQUIRE(w);
    CHECK(w->imported == 2);
    auto unknown = importWaitlist(*shop.store, ledger::parseWaitlistCsv("email,sku\nx@example.com,SKU-X\n"));
    REQUIRE(unknown);
    REQUIRE(unknown->errors.size() == 1);
    CHECK(unknown->errors[0].code == "unknown_sku");
    CHECK(shop.outbox().empty());

    shop.onDay("2026-12-02");
    shop.push("receive", R"({"location":"DOCK","lines":[{"sku":"SKU-B","qty":4}]})");
    CHECK(summary(shop.outbox()) == std::vector<std::string>{"back_in_stock - SKU-B 4 - - cy@example.com 2026-12-02 pending",
                                                             "back_in_stock - SKU-B 4 - - dan@example.com 2026-12-02 pending"});
    // More stock: the entries were told already.
    shop.push("receive", R"({"location":"DOCK","lines":[{"sku":"SKU-B","qty":1}]})");
    CHECK(shop.outbox().size() == 2);
    // Importing an entry again after it was told makes it wait again: in stock now, told at once.
    shop.onDay("2026-12-03");
    REQUIRE(importWaitlist(*shop.store, ledger::parseWaitlistCsv("email,sku\ncy@example.com,SKU-B\n"))->imported == 1);
    CHECK(shop.outbox().size() == 3);
    CHECK(shop.outbox()[2].notice.qty == 5);

    // Unsubscribing cy drops her pending messages; new ones are recorded `unsubscribed`.
    int64_t dropped = 0;
    REQUIRE(shop.store->transact("t", [&]() -> Result<void> {
        auto r = shop.store->unsubscribe(" CY@example.com", day("2026-12-03"), dropped);
        REQUIRE(r);
        CHECK(*r);
        return {};
    }));
    CHECK(dropped == 2);
    CHECK(shop.outbox("pending").size() == 1);
    CHECK(shop.outbox("unsubscribed").size() == 2);
    shop.onDay("2026-12-04");
    REQUIRE(importWaitlist(*shop.store, ledger::parseWaitlistCsv("email,sku\ncy@example.com,SKU-B\n"))->imported == 1);
    CHECK(shop.outbox().back().state == "unsubscribed");
}

TEST_CASE("sender: relay down, refusing for now, then back, a restart between: each message accepted once, same Message-ID")
{
    Shop shop;
    shop.inbound("ASN-1,Acme,SKU-A,8,2026-12-10\n"); // SO-1 and SO-2 get a first date
    shop.onDay("2026-12-02");
    shop.push("receive", R"({"location":"DOCK","lines":[{"sku":"SKU-A","qty":2}]})"); // SO-1 gets 2 at the dock
    REQUIRE(shop.outbox().size() == 3);
    const std::string instance = *shop.store->notifyInstance();
    CHECK(instance.size() == 16);

    test::SmtpSink sink;
    SmtpOptions smtp{sink.url(), "shop@example.com", std::chrono::seconds(10), std::chrono::seconds(30)};
    int64_t now = at("2026-12-02T10:00Z");
    DeliverOptions options;
    options.now = [&] { return now; };

    // Down: nothing listens. Every message stays pending, tried once, next try in 60 s.
    sink.down();
    {
        SmtpClient client(smtp);
        auto r = deliverDue(*shop.store, client, options);
        REQUIRE(r);
        CHECK(r->sent == 0);
        CHECK(r->retry == 3);
    }
    for (const auto& m : shop.outbox()) {
        CHECK(m.state == "pending");
        CHECK(m.attempts == 1);
        CHECK(m.nextAttemptAt == now + 60);
        REQUIRE(m.lastError);
        CHECK(m.lastError->find("Couldn't connect") != std::string::npos);
    }
    // Up, but greeting 421 (busy): still pending, second attempt, back-off doubled.
    sink.up();
    sink.greet421(true);
    now += 61;
    {
        SmtpClient client(smtp);
        auto r = deliverDue(*shop.store, client, options);
        REQUIRE(r);
        CHECK(r->retry == 3);
    }
    for (const auto& m : shop.outbox()) {
        CHECK(m.attempts == 2);
        CHECK(m.nextAttemptAt == now + 120);
        CHECK(m.lastError->find("(relay replied 421)") != std::string::npos);
    }
    CHECK(sink.messages().empty());

    // The sender process restarts (new connection, new client); the relay is back. Before the
    // back-off ends nothing is due.
    sink.greet421(false);
    shop.open();
    {
        SmtpClient client(smtp);
        auto early = deliverDue(*shop.store, client, options);
        REQUIRE(early);
        CHECK(early->sent == 0);
        CHECK(early->retry == 0);
        now += 120;
        auto r = deliverDue(*shop.store, client, options);
        REQUIRE(r);
        CHECK(r->sent == 3);
        CHECK(r->retry == 0);
    }
    const auto got = sink.messages();
    REQUIRE(got.size() == 3);
    const auto out = shop.outbox();
    for (size_t i = 0; i < 3; ++i) {
        CHECK(out[i].state == "sent");
        CHECK(out[i].attempts == 3);
        CHECK(out[i].sentAt == now);
        CHECK_FALSE(out[i].lastError);
        CHECK(got[i].messageId == messageId(out[i].id, instance));
        CHECK(got[i].from == "shop@example.com");
        CHECK(got[i].to == std::vector<std::string>{out[i].notice.email});
        CHECK(got[i].header("Subject") == out[i].text.subject);
        CHECK(got[i].header("List-Unsubscribe") == "<mailto:shop@example.com?subject=unsubscribe>");
    }
    CHECK(got[0].header("Subject") == "Order SO-1: expected 2026-12-10");
    CHECK(got[2].header("X-Backfill-Notice") == "allocated");
    std::string expectedBody;
    for (const char c : out[0].text.body) expectedBody += c == '\n' ? std::string("\r\n") : std::string(1, c);
    CHECK(got[0].body() == expectedBody);

    // Sent is sent: another run (and another restart, with the back-off ignored) sends nothing.
    shop.open();
    {
        SmtpClient client(smtp);
        DeliverOptions all = options;
        all.ignoreBackoff = true;
        auto r = deliverDue(*shop.store, client, all);
        REQUIRE(r);
        CHECK(r->sent == 0);
    }
    CHECK(sink.messages().size() == 3);
    std::set<std::string> ids;
    for (const auto& m : sink.messages()) ids.insert(m.messageId);
    CHECK(ids.size() == 3);
}

TEST_CASE("sender: a refused recipient fails for good; a message whose data the relay never acknowledged is sent again")
{
    Shop shop;
    shop.inbound("ASN-1,Acme,SKU-A,8,2026-12-10\n");
    REQUIRE(shop.outbox().size() == 2);
    test::SmtpSink sink;
    sink.rejectRecipient("bob@example.com");
    SmtpOptions smtp{sink.url(), "shop@example.com", std::chrono::seconds(10), std::chrono::seconds(30)};
    SmtpClient client(smtp);
    auto r = deliverDue(*shop.store, client);
    REQUIRE(r);
    CHECK(r->sent == 1);
    CHECK(r->failed == 1);
    const auto out = shop.outbox();
    CHECK(out[0].state == "sent");
    CHECK(out[1].state == "failed");
    REQUIRE(out[1].lastError);
    CHECK(out[1].lastError->find("(relay replied 550)") != std::string::npos);
    CHECK(sink.messages().size() == 1);
    // A failed message is not tried again.
    DeliverOptions all;
    all.ignoreBackoff = true;
    CHECK(deliverDue(*shop.store, client, all)->failed == 0);

    // /metrics counts the outbox by state.
    ServerCounters counters;
    auto m = collectMetrics(*shop.store, counters, shop.clock);
    REQUIRE(m);
    CHECK(m->notifications == std::map<std::string, int64_t>{{"failed", 1}, {"sent", 1}});
    const std::string text = renderPrometheus(*m);
    CHECK(text.find("backfilld_notifications{state=\"pending\"} 0\nbackfilld_notifications{state=\"sent\"} 1\n"
                    "backfilld_notifications{state=\"failed\"} 1\nbackfilld_notifications{state=\"unsubscribed\"} 0\n") !=
          std::string::npos);
}

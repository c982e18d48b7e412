#include "server/NotifyCommands.h"

#include "server/CommandSupport.h"
#include "server/Notify.h"

#include "ledger/MasterDataCsv.h"

#include <nlohmann/json.hpp>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace backfill::server {

namespace {

using Json = nlohmann::ordered_json;

std::string defaultFrom()
{
    char host[256] = {0};
    if (::gethostname(host, sizeof host - 1) != 0 || host[0] == 0) return "backfilld@localhost";
    return std::string("backfilld@") + host;
}

Json dateJson(const std::optional<ledger::Date>& d) { return d ? Json(ledger::formatDate(*d)) : Json(); }

Json recordJson(const NotificationRecord& r, const std::string& instance)
{
    const auto& n = r.notice;
    const bool line = n.kind != ledger::NoticeKind::BackInStock;
    return {{"id", r.id},
            {"message_id", messageId(r.id, instance)},
            {"kind", ledger::noticeKindName(n.kind)},
            {"state", r.state},
            {"email", n.email},
            {"order_id", line ? Json(n.orderId) : Json()},
            {"line", line ? Json(n.line) : Json()},
            {"sku", n.sku},
            {"qty", n.qty},
            {"eta", dateJson(n.eta)},
            {"previous_eta", dateJson(n.previousEta)},
            {"day", ledger::formatDate(n.day)},
            {"subject", r.text.subject},
            {"attempts", r.attempts},
            {"queued_at", ledger::formatTimestamp(r.queuedAt)},
            {"next_attempt_at", r.state == "pending" && r.nextAttemptAt > 0 ? Json(ledger::formatTimestamp(r.nextAttemptAt)) : Json()},
            {"sent_at", r.sentAt ? Json(ledger::formatTimestamp(*r.sentAt)) : Json()},
            {"last_error", r.lastError ? Json(*r.lastError) : Json()}};
}

void importWaitlistFile(const Command& c, const std::string& file)
{
    std::ifstream in(file, std::ios::binary);
    std::error_code ec;
    if (!in || std::filesystem::is_directory(file, ec)) return c.failure("unreadable_file", file + ": cannot open the file for reading");
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) return c.failure("unreadable_file", file + ": read error");
    const auto rows = ledger::parseWaitlistCsv(text.str());
    for (const auto& w : rows.warnings) printError(w.code, w.format(file));
    auto refuse = [&](const std::vector<ledger::ImportIssue>& errors, bool truncated) {
        printImportErrors(file, errors, truncated);
        *c.ctx.exitCode = kExitBadInput;
    };
    if (!rows.errors.empty()) return refuse(rows.errors, rows.truncated);
    auto store = c.open();
    if (!store) return;
    auto report = importWaitlist(*store, rows);
    if (!report) return c.fail(report.error());
    if (!report->errors.empty()) return refuse(report->errors, report->errors.size() >= ledger::kMaxImportErrors);
    printLine(Json{{"imported", report->imported}}.dump());
}

} // namespace

void registerNotifyCommands(CLI::App& app, CommandContext context)
{
    const Command c{context};

    auto file = std::make_shared<std::string>();
    auto* import = app.get_subcommand("import");
    auto* waitlist = import->add_subcommand("waitlist", "customers to tell when a product is back in stock: email,sku");
    waitlist->add_option("FILE", *file, "the CSV file")->required();
    waitlist->callback([c, file] { importWaitlistFile(c, *file); });

    auto state = std::make_shared<std::string>();
    auto* list = app.add_subcommand(
        "notifications", R"(print the customer-message outbox: [{"id","message_id","kind","state","email",...}] by id)");
    list->add_option("--state", *state, "only pending, sent, failed or unsubscribed")
        ->check(CLI::IsMember({"pending", "sent", "failed", "unsubscribed"}));
    list->callback([c, state] {
        auto store = c.open();
        if (!store) return;
        auto instance = store->notifyInstance();
        if (!instance) return c.fail(instance.error());
        auto rows = store->notifications(*state);
        if (!rows) return c.fail(rows.error());
        Json out = Json::array();
        for (const auto& r : *rows) out.push_back(recordJson(r, *instance));
        printLine(out.dump());
    });

    struct NotifyArgs {
        std::string smtp, from;
        bool ignoreBackoff = false;
        int64_t max = -1;
        double timeoutSeconds = 60;
    };
    auto args = std::make_shared<NotifyArgs>();
    auto* notify = app.add_subcommand("notify", R"(send the due customer messages once and exit; prints {"sent","retry","failed","pending"})");
    notify->add_option("--smtp", args->smtp, "the relay: smtp://HOST:PORT (smtps:// for TLS)")->required();
    notify->add_option("--smtp-from", args->from, "sender address (default backfilld@HOSTNAME)");
    notify->add_flag("--ignore-backoff", args->ignoreBackoff, "send every pending message now, also those waiting for their next try");
    notify->add_option("--max", args->max, "at most N send attempts")->check(CLI::NonNegativeNumber);
    notify->add_option("--timeout", args->timeoutSeconds, "seconds one message may take (default 60)")->check(CLI::PositiveNumber);
    notify->callback([c, args] {
        auto store = c.open();
        if (!store) return;
        auto lock = SenderLock::acquire(*c.ctx.dbPath);
        if (!lock) return c.failure(lock.error().code, lock.error().message);
        NotifyClock clock = notifyClock(*store);
        clock.today = c.today();
        if (auto d = notifyDeferred(*store, clock); !d) return c.fail(d.error());
        SmtpOptions smtp;
        smtp.url = args->smtp;
        smtp.from = args->from.empty() ? defaultFrom() : args->from;
        smtp.timeout = std::chrono::milliseconds(static_cast<int64_t>(args->timeoutSeconds * 1000));
        SmtpClient client(smtp);
        DeliverOptions options;
        options.ignoreBackoff = args->ignoreBackoff;
        options.max = args->max;
        auto report = deliverDue(*store, client, options);
        if (!report) return c.fail(report.error());
        auto pending = store->notifications("pending");
        if (!pending) return c.fail(pending.error());
        printLine(Json{{"sent", report->sent}, {"retry", report->retry}, {"failed", report->failed},
                       {"pending", static_cast<int64_t>(pending->size())}}
                      .dump());
    });

    auto email = std::make_shared<std::string>();
    auto* unsubscribe = app.add_subcommand(
        "unsubscribe", R"(send no more messages to EMAIL (its pending ones too); prints {"email","unsubscribed":true,"already","dropped"})");
    unsubscribe->add_option("EMAIL", *email, "the customer's address")->required();
    unsubscribe->callback([c, email] {
        const std::string normal = ledger::normalizeEmail(*email);
        if (normal.empty() || normal.find('@') == std::string::npos || normal.find_first_of(" \t\r\n") != std::string::npos)
            return c.fail({"bad_email", "'" + *email + "' is not an e-mail address like name@example.com"});
        auto store = c.open();
        if (!store) return;
        bool added = false;
        int64_t dropped = 0;
        auto done = store->transact("unsubscribing an address", [&]() -> Result<void> {
            auto r = store->unsubscribe(normal, c.today(), dropped);
            if (!r) return ledger::unexpected(r.error());
            added = *r;
            return {};
        });
        if (!done) return c.fail(done.error());
        printLine(Json{{"email", normal}, {"unsubscribed", true}, {"already", !added}, {"dropped", dropped}}.dump());
    });
}

void addServeNotifyOptions(CLI::App& serve, ServeNotifyArgs& args)
{
    serve.add_option("--smtp", args.smtp, "send customer notifications to this relay in the background: smtp://HOST:PORT");
    serve.add_option("--smtp-from", args.from, "sender address of the notifications (default backfilld@HOSTNAME)");
    serve.add_option("--notify-interval", args.intervalSeconds, "seconds between two rounds of the sender (default 5)")
        ->check(CLI::PositiveNumber);
}

std::unique_ptr<BackgroundSender> startServeSender(const ServeNotifyArgs& args, CommandContext context)
{
    if (args.smtp.empty()) return nullptr;
    BackgroundSender::Options o;
    o.dbPath = *context.dbPath;
    o.smtp.url = args.smtp;
    o.smtp.from = args.from.empty() ? defaultFrom() : args.from;
    o.interval = std::chrono::milliseconds(static_cast<int64_t>(args.intervalSeconds * 1000));
    o.today = ledger::parseDate(*context.todayText);
    return std::make_unique<BackgroundSender>(std::move(o));
}

} // namespace backfill::server

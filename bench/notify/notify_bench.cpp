// Notification throughput (bench/README.md, ## Notifications): N queued messages sent by
// backfilld's sender (server/Notifier.h deliverDue: read the due page, compose, SMTP by
// libcurl on one kept connection, record `sent` in its own transaction per message) to the
// SMTP sink of the tests on 127.0.0.1, beside the limit measured in the same run: one bare
// libcurl SMTP conversation of the same composed messages on one kept connection, with no
// database. Each is repeated; medians are printed with the ratio.
//
//   bench_notify [--messages N] [--repetitions R] [--dir DIR]

#include "server/SmtpSink.h"

#include "ledger/MasterDataCsv.h"
#include "server/Imports.h"
#include "server/Notifier.h"
#include "server/SqliteServerStore.h"

#include <curl/curl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

using namespace backfill;
using Clock = std::chrono::steady_clock;

namespace {

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

struct Upload {
    const std::string* data;
    size_t at = 0;
};

size_t readUpload(char* buffer, size_t size, size_t count, void* user)
{
    auto* u = static_cast<Upload*>(user);
    const size_t n = std::min(size * count, u->data->size() - u->at);
    std::memcpy(buffer, u->data->data() + u->at, n);
    u->at += n;
    return n;
}

void fail(const std::string& what)
{
    std::fprintf(stderr, "bench_notify: %s\n", what.c_str());
    std::exit(1);
}

} // namespace

int main(int argc, char** argv)
{
    int messages = 2000, repetitions = 5;
    std::string dir = (std::filesystem::temp_directory_path() / ("bench_notify_" + std::to_string(::getpid()))).string();
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--messages")) messages = std::atoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--repetitions")) repetitions = std::atoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--dir")) dir = argv[i + 1];
    }
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    const std::string db = dir + "/server.db";

    // N lines of one product, each with its own address, and inbound that covers them all:
    // the inbound import queues N eta_first messages (in its transaction).
    auto opened = server::SqliteServerStore::open(db);
    if (!opened) fail(opened.error().message);
    auto& store = **opened;
    store.setLogTime(ledger::startOf(*ledger::parseDate("2026-12-01")));
    if (!server::importCatalog(store, ledger::parseCatalogCsv("sku,description\nSKU-A,Widget\n"))) fail("catalog");
    std::string lines = "order_id,line,customer,email,sku,qty,ordered_at\n";
    for (int i = 0; i < messages; ++i)
        lines += "SO-" + std::to_string(i) + ",1,Customer " + std::to_string(i) + ",c" + std::to_string(i) + "@example.com,SKU-A,2,2026-11-20\n";
    if (!server::importBackorders(store, ledger::parseBackordersCsv(lines))) fail("backorders");
    const auto queueStart = Clock::now();
    if (!server::importInbound(store, ledger::parseInboundCsv("inbound_id,supplier,sku,qty,eta\nASN-1,Acme,SKU-A," +
                                                              std::to_string(2 * messages) + ",2026-12-10\n")))
        fail("inbound");
    const double queueSeconds = std::chrono::duration<double>(Clock::now() - queueStart).count();
    auto queued = store.notifications("pending");
    if (!queued || static_cast<int>(queued->size()) != messages) fail("expected " + std::to_string(messages) + " queued messages");
    store.setLogTime(std::nullopt);

    // The same composed messages for the bare conversation.
    const std::string instance = *store.notifyInstance();
    std::vector<std::string> composed;
    for (const auto& r : *queued) composed.push_back(server::composeMessage(r, "shop@example.com", server::messageId(r.id, instance), 0));

    backfill::test::SmtpSink sink;
    server::SmtpOptions smtp{sink.url(), "shop@example.com", std::chrono::seconds(10), std::chrono::seconds(30)};

    sqlite3* raw = nullptr;
    if (sqlite3_open(db.c_str(), &raw) != SQLITE_OK) fail("sqlite3_open");
    sqlite3_busy_timeout(raw, 60000);

    std::vector<double> ours, bare;
    for (int rep = 0; rep < repetitions; ++rep) {
        // ours: every message pending again, one sender run.
        if (sqlite3_exec(raw, "UPDATE notifications SET state = 'pending', attempts = 0, sent_at = NULL", nullptr, nullptr, nullptr) !=
            SQLITE_OK)
            fail(sqlite3_errmsg(raw));
        {
            server::SmtpClient client(smtp);
            const auto t0 = Clock::now();
            auto report = server::deliverDue(store, client);
            const double s = std::chrono::duration<double>(Clock::now() - t0).count();
            if (!report || report->sent != messages) fail("deliverDue did not send every message");
            ours.push_back(messages / s);
        }
        // bare: one curl handle, the same messages, nothing recorded.
        {
            CURL* c = curl_easy_init();
            const auto t0 = Clock::now();
            for (size_t i = 0; i < composed.size(); ++i) {
                Upload u{&composed[i], 0};
                const std::string to = "c" + std::to_string(i) + "@example.com";
                curl_slist* rcpt = curl_slist_append(nullptr, to.c_str());
                curl_easy_reset(c);
                curl_easy_setopt(c, CURLOPT_URL, smtp.url.c_str());
                curl_easy_setopt(c, CURLOPT_MAIL_FROM, smtp.from.c_str());
                curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
                curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
                curl_easy_setopt(c, CURLOPT_READFUNCTION, &readUpload);
                curl_easy_setopt(c, CURLOPT_READDATA, &u);
                curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(composed[i].size()));
                const CURLcode rc = curl_easy_perform(c);
                curl_slist_free_all(rcpt);
                if (rc != CURLE_OK) fail(std::string("bare send: ") + curl_easy_strerror(rc));
            }
            const double s = std::chrono::duration<double>(Clock::now() - t0).count();
            curl_easy_cleanup(c);
            bare.push_back(messages / s);
        }
        std::fprintf(stderr, "repetition %d: sender %.0f msg/s, bare libcurl %.0f msg/s\n", rep + 1, ours.back(), bare.back());
    }
    sqlite3_close(raw);
    const size_t expected = static_cast<size_t>(messages) * 2 * static_cast<size_t>(repetitions);
    if (sink.messages().size() != expected) fail("the sink accepted " + std::to_string(sink.messages().size()) + " messages");

    const double o = median(ours), b = median(bare);
    std::printf("| messages | queued by the inbound import | sender (msg/s) | bare libcurl (msg/s, limit) | sender / limit |\n");
    std::printf("|---:|---:|---:|---:|---:|\n");
    std::printf("| %d | %.3f s | %.0f | %.0f | %.2f |\n", messages, queueSeconds, o, b, o / b);
    std::filesystem::remove_all(dir);
    return 0;
}

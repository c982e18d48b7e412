// ApplyHarness.h: what the Applier's tests share: a fresh server database with the test's
// master data, enrolment and pushes in process, and the op payloads they send.
#pragma once

#include "ledger/CheckDigit.h"
#include "protocol/Codec.h"
#include "server/Apply.h"
#include "server/Imports.h"
#include "server/Queries.h"
#include "server/SqliteServerStore.h"
#include "server/WriteQueue.h"

#include <doctest/doctest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

namespace applytest {

using namespace backfill;
using namespace backfill::server;
using protocol::OpStatus;
namespace fs = std::filesystem;

inline std::string uuid(int n)
{
    std::string tail = std::to_string(n);
    return "00000000-0000-4000-8000-" + std::string(12 - tail.size(), '0') + tail;
}

inline std::string sscc(int n)
{
    std::string body = std::to_string(n);
    body = std::string(17 - body.size(), '0') + body;
    return body + std::to_string(ledger::gs1CheckDigit(body));
}

// Server is a fresh database in its own folder with the test's master data imported:
// SKU-A waited for by SO-1/1 (5, priority 1) and SO-2/1 (4), SKU-B by nobody; locations
// DOCK (receiving), A-1 (storage), Q (quarantine); pallet sscc(1) announced with 6 SKU-A.
struct Server {
    fs::path dir;
    std::unique_ptr<SqliteServerStore> store;
    std::unique_ptr<Applier> applier;

    Server()
    {
        dir = fs::temp_directory_path() / ("backfilld_apply_" + std::to_string(::getpid()) + "_" + std::to_string(counter()++));
        fs::remove_all(dir);
        fs::create_directories(dir);
        auto s = SqliteServerStore::open((dir / "server.db").string());
        REQUIRE(s);
        store = std::move(*s);
        ApplierOptions options;
        options.now = [] { return int64_t{1'800'000'000}; };
        applier = std::make_unique<Applier>(*store, options);
        REQUIRE(importLocations(*store, ledger::parseLocationsCsv("code,kind,sequence\nDOCK,receiving,1\nA-1,storage,2\nQ,quarantine,3\n"))
                    ->imported == 3);
        REQUIRE(importCatalog(*store, ledger::parseCatalogCsv("sku,description\nSKU-A,Widget\nSKU-B,Gadget\n"))->imported == 2);
        REQUIRE(importBackorders(*store, ledger::parseBackordersCsv("order_id,line,customer,sku,qty,priority,ordered_at\n"
                                                                     "SO-1,1,Ann,SKU-A,5,1,2026-01-01\n"
                                                                     "SO-2,1,Bob,SKU-A,4,0,2026-01-02\n"))
                    ->imported == 2);
        REQUIRE(importInbound(*store, ledger::parseInboundCsv("inbound_id,supplier,sku,qty,eta,sscc\nASN-1,Acme,SKU-A,6,2026-02-01," +
                                                              sscc(1) + "\n"))
                    ->imported == 1);
    }
    ~Server()
    {
        applier.reset();
        store.reset();
        fs::remove_all(dir);
    }
    static int& counter()
    {
        static int n = 0;
        return n;
    }

    // enrol enrols `device` and signs it in; returns its credentials.
    protocol::Credentials enrol(const std::string& device)
    {
        auto token = enrolDevice(*store, device);
        REQUIRE(token);
        auto reply = applier->hello({protocol::kProtocolVersion, device, 0, *token});
        REQUIRE(std::holds_alternative<protocol::HelloAck>(reply));
        return {device, std::get<protocol::HelloAck>(reply).epoch, *token};
    }

    protocol::PushAck push(const protocol::Credentials& who, std::vector<protocol::Op> ops)
    {
        auto reply = applier->push({who, std::move(ops)});
        REQUIRE_MESSAGE(std::holds_alternative<protocol::PushAck>(reply), protocol::messageName(reply));
        return std::get<protocol::PushAck>(reply);
    }

    int64_t head() { return *store->headSeq(); }
    std::string lastEntry() { return store->entriesAfter(head() - 1, 1)->at(0).payload; }
    ledger::OrderLine line(const std::string& order) { return **store->orderLine(order, 1); }
    Qty onHand(const std::string& sku, const std::string& location)
    {
        Qty q = 0;
        const auto rows = store->stock(sku);
        for (const auto& r : *rows)
            if (r.location == location) q += r.qty;
        return q;
    }
};

inline protocol::Op op(int n, int64_t seq, std::string kind, std::string payload, int64_t epoch = 1)
{
    return {uuid(n), seq, epoch, std::move(kind), std::move(payload), 1'800'000'000};
}

inline std::string receipt(const std::string& location, Qty qty, const std::string& claims, const std::string& palletSscc = "")
{
    return R"({"scan":"x","location":")" + location + R"(","lines":[{"sku":"SKU-A","qty":)" + std::to_string(qty) +
           R"(,"lot":"","sscc":")" + palletSscc + R"(","claims":[)" + claims + "]}]}";
}

// undo is a terminal's undo of its receipt op `receiptOp`, with the claims it made again.
inline std::string undo(int receiptOp, const std::string& claims = "")
{
    return R"({"undoes":")" + uuid(receiptOp) + R"(","scan":"x","lines":[],"released":[],"claims":[)" + claims + "]}";
}

} // namespace applytest

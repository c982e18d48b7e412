// backfilld's own database on a full disk, end to end (issue 11, with the store hardening's
// "a full disk loses nothing"): the real backfilld serving from a small tmpfs and a real
// `backfill` terminal. A push the server cannot store is refused as db_full, naming the
// server's file; nothing of it is applied; the terminal keeps every op; once there is room the
// same ops go through exactly once and both views agree.
#include "e2e/BackfilldProcess.h"
#include "e2e/CliHarness.h"
#include "e2e/SmallDisk.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace backfill::e2e;

namespace {

const std::string kGtin = withCheckDigit("400000000001"); // SKU-A, each

Json serverLine(const Backfilld& s)
{
    const Json stock = s.json({"stock", "--sku", "SKU-A"});
    REQUIRE(stock.size() == 1);
    return Json{{"on_hand", stock[0]["on_hand"]}, {"allocated", stock[0]["allocated"]}};
}

} // namespace

TEST_CASE("a server whose disk is full refuses the push as db_full, applies none of it, and takes the same ops once there is room")
{
    CliHarness t;
    SmallDisk disk(t.dir() / "server-disk", 4096);
    Backfilld s(t, (disk.dir / "server.db").string());
    s.import("locations", "code,kind,sequence\nDOCK,receiving,1\n", 1);
    s.import("catalog", "sku,description,gtin\nSKU-A,Widget," + kGtin + "\n", 1);
    s.import("backorders", "order_id,line,customer,sku,qty,priority,ordered_at\nSO-1,1,Acme,SKU-A,4,1,2026-01-10\n", 1);
    s.serve();
    const std::string token = s.addDevice("HH-01");
    REQUIRE(t.run({"enroll", "--server", s.url(), "--device", "HH-01", "--token", token}).status == 0);

    // Offline-style: five receipts recorded at the terminal, then the server's disk fills up.
    std::string scans;
    for (int i = 1; i <= 5; ++i) scans += "(01)0" + kGtin + "(30)" + std::to_string(i) + "\n";
    REQUIRE(t.run({"receive", "--location", "DOCK", "-"}, scans).status == 0);
    const Json log = s.json({"log"}); // the imports' entries
    disk.fill();

    const auto refused = t.run({"sync"});
    INFO(refused);
    CHECK(refused.status == 4); // the server is there but cannot store: try again later
    CHECK(refused.out == "");
    const auto errors = refused.errLines();
    REQUIRE(errors.size() == 1);
    CHECK(errors[0]["code"] == "db_full");
    CHECK(errors[0]["error"] == "server " + s.url() + ": " + s.db() + ": applying requests: database or disk is full");
    // Nothing applied at the server, nothing lost at the terminal.
    CHECK(serverLine(s) == Json{{"on_hand", 0}, {"allocated", 0}});
    CHECK(s.json({"log"}) == log);
    auto status = t.run({"sync", "--status"});
    REQUIRE(status.status == 0);
    CHECK(status.json()["unsent"] == 5);

    // Room again: the same five ops, once; the server kept serving throughout.
    disk.makeRoom();
    const auto done = t.run({"sync"});
    INFO(done);
    REQUIRE(done.status == 0);
    CHECK(done.json() == Json{{"pushed", 5}, {"pulled", 5}, {"corrections", Json::array()}});
    CHECK(serverLine(s) == Json{{"on_hand", 15}, {"allocated", 4}});
    CHECK(t.stock() == s.json({"stock"}));
    CHECK(t.backorders() == s.json({"backorders"}));
    CHECK(t.run({"sync"}).json() == Json{{"pushed", 0}, {"pulled", 0}, {"corrections", Json::array()}});
    CHECK(s.kill(SIGTERM) == 0);
}

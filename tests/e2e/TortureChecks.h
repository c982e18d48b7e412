// TortureChecks.h: the torture test's checks after a seed's storm, on a plain SQLite
// connection (no store code): every process's exit, what the readers saw, and the ledger
// against every printed receipt (torture_test.cpp says what each check promises).
#pragma once

#include "e2e/TortureRun.h"
#include "e2e/crash_ledger.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <set>
#include <sstream>
#include <tuple>

namespace torture {

using nlohmann::json;

inline std::vector<std::string> errorCodesOf(const std::string& err)
{
    std::vector<std::string> codes;
    std::istringstream in(err);
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        try {
            codes.push_back(json::parse(line).at("code").get<std::string>());
        } catch (const std::exception&) {
            codes.push_back("(not JSON: " + line.substr(0, 200) + ")");
        }
    }
    return codes;
}

// checkExits: every process that was not killed ended with its documented status, and no
// process printed a database error.
inline void checkExits(const std::vector<Run>& runs, int refusedLines, const fs::path& dir, Findings& f)
{
    for (const auto& r : runs) {
        const auto codes = errorCodesOf(r.err);
        for (const auto& c : codes)
            if (c.rfind("db_", 0) == 0 || c.rfind("(not JSON", 0) == 0) ++f.errorCodes[c];
        const auto where = r.name() + " (" + r.ending() + ", stderr: " + r.err.substr(0, 400) + ")";
        if (r.killed) {
            for (const auto& c : codes)
                if (c.rfind("db_", 0) == 0) f.add(where + ": printed " + c + " before it was killed");
            continue;
        }
        if (!WIFEXITED(r.status)) {
            f.add(where + ": did not exit");
            continue;
        }
        const int exit = WEXITSTATUS(r.status);
        int expected = 0;
        if (isReceiver(r.role) && r.anyRefusedScan()) expected = 1;
        if (r.role == Role::RefusedImport) expected = 2;
        if (exit != expected) {
            f.add(where + ": exit " + std::to_string(exit) + ", expected " + std::to_string(expected));
            continue;
        }
        if (r.role == Role::RefusedImport) {
            const backfill::e2e::RunResult rr{exit, "", r.err};
            const std::vector<backfill::e2e::Issue> want{{"unknown_sku", refusedLines + 1, "sku"}};
            const auto file = (dir / "refused.csv").string();
            if (rr.issues(file) != want || !r.lines.empty()) f.add(where + ": expected exactly unknown_sku at line " + std::to_string(refusedLines + 1));
        } else if (!r.err.empty()) {
            f.add(where + ": unexpected stderr");
        }
    }
}

// checkReaders: each report printed one JSON document, and saw a consistent snapshot.
inline void checkReaders(const std::vector<Run>& runs, Findings& f)
{
    for (const auto& r : runs) {
        if (r.killed || (r.role != Role::StockReader && r.role != Role::BackordersReader && r.role != Role::Final)) continue;
        if (!WIFEXITED(r.status) || WEXITSTATUS(r.status) != 0) continue; // checkExits reported it
        if (r.lines.size() != 1) {
            f.add(r.name() + ": printed " + std::to_string(r.lines.size()) + " lines, expected one JSON document");
            continue;
        }
        json doc;
        try {
            doc = json::parse(r.lines[0]);
        } catch (const std::exception& e) {
            f.add(r.name() + ": stdout is not JSON: " + e.what());
            continue;
        }
        if (r.role == Role::BackordersReader) {
            int big = 0, good = 0;
            for (const auto& row : doc) {
                const auto id = row.at("order_id").get<std::string>();
                if (id.rfind("BIG-", 0) == 0) ++big;
                if (id.rfind("OKI-", 0) == 0) ++good;
            }
            if (big) f.add(r.name() + ": saw " + std::to_string(big) + " lines of the refused import");
            if (good != 0 && good != kGoodImportLines)
                f.add(r.name() + ": saw " + std::to_string(good) + " of the good import's " + std::to_string(kGoodImportLines) + " lines");
        } else {
            for (const auto& row : doc)
                if (row.at("allocated").get<int64_t>() > row.at("on_hand").get<int64_t>() - row.at("quarantined").get<int64_t>() ||
                    row.at("free").get<int64_t>() < 0)
                    f.add(r.name() + ": inconsistent stock row " + row.dump());
        }
    }
}

struct Receipt {
    std::string opId;
    json payload;
    int count = 0; // outbox rows with this scan
};

using Claim = std::tuple<std::string, int64_t, int64_t>; // order_id, line, qty

// checkLedger: the database file read with plain SQLite against what the processes printed.
inline void checkLedger(const std::string& path, const std::vector<Run>& runs, Findings& f, int64_t& recordedScans)
{
    backfill::test::CrashDb db(path);
    const auto integrity = db.rows("PRAGMA integrity_check");
    if (integrity.size() != 1 || integrity[0][0] != "ok") {
        std::string text;
        for (size_t i = 0; i < std::min<size_t>(integrity.size(), 10); ++i) text += " " + integrity[i][0];
        f.add("PRAGMA integrity_check:" + text);
    }

    std::map<std::string, Receipt> byScan;
    int64_t seq = 0;
    bool gapReported = false;
    for (const auto& row : db.rows("SELECT device_seq, op_id, payload FROM outbox ORDER BY device_seq")) {
        ++seq;
        if (std::stoll(row[0]) != seq && !gapReported) {
            f.add("outbox device_seq has a gap: row " + std::to_string(seq) + " has device_seq " + row[0]);
            gapReported = true;
        }
        const auto payload = json::parse(row[2]);
        auto& r = byScan[payload.at("scan").get<std::string>()];
        r.opId = row[1];
        r.payload = payload;
        ++r.count;
    }
    recordedScans = seq;
    struct Events {
        std::vector<std::tuple<std::string, int64_t, std::string, std::string>> received; // sku, qty, lot, location
        std::vector<Claim> allocated;
    };
    std::map<std::string, Events> byOp;
    for (const auto& row : db.rows("SELECT e.op_id, e.kind, p.sku, e.qty, e.lot, e.location, l.order_id, l.line FROM events e "
                                   "JOIN products p ON p.id = e.product_id LEFT JOIN order_lines l ON l.id = e.order_line_id "
                                   "WHERE e.op_id IS NOT NULL AND e.kind IN ('received', 'allocated')")) {
        auto& e = byOp[row[0]];
        if (row[1] == "received")
            e.received.emplace_back(row[2], std::stoll(row[3]), row[4], row[5]);
        else
            e.allocated.emplace_back(row[6], row[7] == "NULL" ? -1 : std::stoll(row[7]), std::stoll(row[3]));
    }

    std::set<std::string> sent;
    for (const auto& r : runs) {
        if (!isReceiver(r.role)) continue;
        for (const auto& s : r.scans) sent.insert(s.text);
        const std::string who = r.name() + " (" + r.ending() + ")";
        // Printed lines answer the scans in order; each printed receipt is in the ledger as printed.
        size_t printedOk = 0;
        for (size_t i = 0; i < r.lines.size(); ++i) {
            json line;
            try {
                line = json::parse(r.lines[i]);
            } catch (const std::exception& e) {
                f.add(who + ": line " + std::to_string(i) + " is not JSON: " + r.lines[i]);
                continue;
            }
            if (i >= r.scans.size() || line.value("scan", "") != r.scans[i].text) {
                f.add(who + ": line " + std::to_string(i) + " does not answer scan " + std::to_string(i) + ": " + r.lines[i]);
                continue;
            }
            const auto& scan = r.scans[i];
            if (scan.product < 0) {
                if (line.value("ok", true) || line.value("code", "") != "unknown_gtin")
                    f.add(who + ": unknown GTIN not refused with unknown_gtin: " + r.lines[i]);
                continue;
            }
            if (!line.value("ok", false)) {
                f.add(who + ": scan refused: " + r.lines[i]);
                continue;
            }
            ++printedOk;
            const auto found = byScan.find(scan.text);
            if (found == byScan.end()) {
                f.add(who + ": printed receipt missing from the ledger: " + r.lines[i]);
                continue;
            }
            const auto& ev = byOp[found->second.opId];
            const auto lot = line.at("lot").get<std::string>();
            const std::vector<std::tuple<std::string, int64_t, std::string, std::string>> wantReceived{
                {line.at("sku").get<std::string>(), line.at("qty").get<int64_t>(), lot, line.at("location").get<std::string>()}};
            if (ev.received != wantReceived || std::get<0>(wantReceived[0]) != skuOf(scan.product) || std::get<3>(wantReceived[0]) != kDock)
                f.add(who + ": printed receipt differs from its received event(s): " + r.lines[i]);
            std::vector<Claim> printed, recorded = ev.allocated, claimed;
            for (const auto& a : line.at("allocations"))
                printed.emplace_back(a.at("order_id").get<std::string>(), a.at("line").get<int64_t>(), a.at("qty").get<int64_t>());
            for (const auto& pl : found->second.payload.at("lines"))
                for (const auto& c : pl.at("claims"))
                    claimed.emplace_back(c.at("order_id").get<std::string>(), c.at("line").get<int64_t>(), c.at("qty").get<int64_t>());
            std::sort(printed.begin(), printed.end());
            std::sort(recorded.begin(), recorded.end());
            std::sort(claimed.begin(), claimed.end());
            if (printed != recorded || printed != claimed)
                f.add(who + ": printed allocations differ from the allocated events or the outbox claims: " + r.lines[i]);
        }
        // Recorded scans: a prefix of the known scans sent, at least the printed ones, at most
        // one transaction more; all of them when the process ended by itself.
        std::vector<bool> recorded;
        for (const auto& s : r.scans) {
            const bool in = byScan.count(s.text) > 0;
            if (s.product < 0) {
                if (in) f.add(who + ": refused scan recorded: " + s.text);
                continue;
            }
            recorded.push_back(in);
        }
        const size_t k = static_cast<size_t>(std::find(recorded.begin(), recorded.end(), false) - recorded.begin());
        if (std::find(recorded.begin() + static_cast<long>(k), recorded.end(), true) != recorded.end())
            f.add(who + ": recorded scans are not a prefix of the scans sent");
        const size_t inFlight = r.role == Role::GroupReceiver ? kMaxGroup : 1;
        if (k < printedOk) f.add(who + ": " + std::to_string(printedOk) + " receipts printed but " + std::to_string(k) + " recorded");
        if (k > printedOk + inFlight)
            f.add(who + ": " + std::to_string(k) + " recorded, more than one transaction beyond the " + std::to_string(printedOk) + " printed");
        const bool endedNormally = !r.killed && WIFEXITED(r.status) && WEXITSTATUS(r.status) <= 1;
        if (endedNormally && k != recorded.size())
            f.add(who + ": exited normally but " + std::to_string(k) + " of its " + std::to_string(recorded.size()) + " scans are recorded");
    }
    for (const auto& [scan, r] : byScan) {
        if (r.count != 1) f.add("scan recorded " + std::to_string(r.count) + " times: " + scan);
        if (!sent.count(scan)) f.add("recorded scan that no receiver was sent: " + scan);
    }
    if (const auto received = db.integer("SELECT COUNT(*) FROM events WHERE kind = 'received'"); received != seq)
        f.add(std::to_string(received) + " received events for " + std::to_string(seq) + " outbox rows");

    for (const auto& p : backfill::test::ledgerProblems(path)) f.add("ledger: " + p);

    const int64_t bigOrders = db.integer("SELECT COUNT(*) FROM orders WHERE order_id LIKE 'BIG-%'");
    const int64_t bigLines = db.integer("SELECT COUNT(*) FROM order_lines WHERE order_id LIKE 'BIG-%'");
    if (bigOrders || bigLines)
        f.add("the refused import left " + std::to_string(bigOrders) + " orders and " + std::to_string(bigLines) + " lines");
    const int64_t goodLines = db.integer("SELECT COUNT(*) FROM order_lines WHERE order_id LIKE 'OKI-%'");
    for (const auto& r : runs) {
        if (r.role != Role::GoodImport) continue;
        const bool ok = !r.killed && WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0;
        if (ok && goodLines != kGoodImportLines)
            f.add("the good import printed success but " + std::to_string(goodLines) + " of its lines are stored");
        if (ok && (r.lines.size() != 1 || r.lines[0] != json{{"imported", kGoodImportLines}}.dump()))
            f.add("the good import printed " + (r.lines.empty() ? std::string("nothing") : r.lines[0]));
        if (!ok && goodLines != 0 && goodLines != kGoodImportLines)
            f.add("the good import was " + r.ending() + " and left " + std::to_string(goodLines) + " lines: not all or nothing");
    }
}

} // namespace torture

#pragma once
// CliHarness runs the real `backfill` binary ($BACKFILL_BIN, set by ctest) on a database file
// in a fresh temporary folder, and captures what it prints. The end-to-end suites under
// tests/e2e/ use it to check the CLI contracts of issues 2 and 4 exactly: JSON values, error
// codes and the `FILE:LINE: column NAME:` prefix, exit statuses, and that a refused input
// leaves the database as it was (stock, backorders and every table's rows compared).
//
// Every harness has its own folder and database; nothing sleeps: each run waits for the child.

#include "e2e/crash_ledger.h"

#include <nlohmann/json.hpp>
#include <sqlite3.h>

#include <doctest/doctest.h>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

extern char** environ;

namespace backfill::e2e {

using Json = nlohmann::ordered_json;

// withCheckDigit appends the GS1 mod-10 check digit (GS1 General Specifications 7.9.1) to
// `digits`, so tests can spell GTINs and SSCCs by their payload.
inline std::string withCheckDigit(const std::string& digits)
{
    int sum = 0;
    bool three = true; // the digit next to the check digit weighs 3
    for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
        sum += (*it - '0') * (three ? 3 : 1);
        three = !three;
    }
    return digits + static_cast<char>('0' + (10 - sum % 10) % 10);
}

// wrongCheckDigit gives `valid` (a complete GS1 key) with its last digit off by one.
inline std::string wrongCheckDigit(std::string valid)
{
    valid.back() = static_cast<char>('0' + (valid.back() - '0' + 1) % 10);
    return valid;
}

// Issue is one error or warning line of stderr: {"code","error"} with the error's
// `FILE:LINE: column NAME:` prefix split out (line 0 / column "" when absent).
struct Issue {
    std::string code;
    int64_t line = 0;
    std::string column;
    bool operator==(const Issue&) const = default;
};

inline std::ostream& operator<<(std::ostream& os, const Issue& i)
{
    return os << "{" << i.code << " line " << i.line << " column '" << i.column << "'}";
}

inline std::ostream& operator<<(std::ostream& os, const std::vector<Issue>& list)
{
    for (const auto& i : list) os << i << " ";
    return os;
}

// RunResult is what one run of the binary left: its exit status and both streams.
struct RunResult {
    int status = -1;
    std::string out;
    std::string err;

    // lines gives the JSON documents of `text`, one per non-empty line.
    static std::vector<Json> lines(const std::string& text)
    {
        std::vector<Json> docs;
        std::istringstream in(text);
        std::string line;
        while (std::getline(in, line)) {
            if (line.empty()) continue;
            docs.push_back(Json::parse(line));
        }
        return docs;
    }
    std::vector<Json> outLines() const { return lines(out); }
    std::vector<Json> errLines() const { return lines(err); }
    // json is the one document stdout must hold.
    Json json() const
    {
        auto docs = outLines();
        if (docs.size() != 1) throw std::runtime_error("expected one JSON document on stdout, got:\n" + out + "\nstderr:\n" + err);
        return docs.front();
    }
    // issues parses stderr's {"code","error"} lines; `file` is the path the errors name.
    std::vector<Issue> issues(const std::string& file) const
    {
        std::vector<Issue> result;
        for (const auto& doc : errLines()) {
            Issue i;
            i.code = doc.at("code").get<std::string>();
            const std::string msg = doc.at("error").get<std::string>();
            const std::string prefix = file + ":";
            if (msg.rfind(prefix, 0) == 0) {
                size_t pos = prefix.size();
                size_t end = msg.find(':', pos);
                const std::string num = msg.substr(pos, end - pos);
                if (!num.empty() && num.find_first_not_of("0123456789") == std::string::npos) {
                    i.line = std::stoll(num);
                    const std::string col = ": column ";
                    if (msg.compare(end, col.size(), col) == 0) {
                        const size_t start = end + col.size();
                        i.column = msg.substr(start, msg.find(':', start) - start);
                    }
                }
            }
            result.push_back(std::move(i));
        }
        return result;
    }
    std::vector<std::string> codes() const
    {
        std::vector<std::string> result;
        for (const auto& doc : errLines()) result.push_back(doc.at("code").get<std::string>());
        return result;
    }
};

inline std::ostream& operator<<(std::ostream& os, const RunResult& r)
{
    return os << "status " << r.status << "\nstdout:\n" << r.out << "stderr:\n" << r.err;
}

// Snapshot is everything a refused input must leave alone: `stock`, `backorders` and the
// rows of every table of the database file.
struct Snapshot {
    std::string stock;
    std::string backorders;
    std::map<std::string, std::string> tables; // table -> its rows, one per line
    bool operator==(const Snapshot&) const = default;
};

inline std::ostream& operator<<(std::ostream& os, const Snapshot& s)
{
    os << "stock " << s.stock << "\nbackorders " << s.backorders << "\n";
    for (const auto& [name, rows] : s.tables) os << name << ":\n" << rows;
    return os;
}

class CliHarness {
public:
    // kToday is passed as --today to every run, so dates are repeatable.
    static constexpr const char* kToday = "2026-01-15";

    CliHarness()
    {
        const char* bin = std::getenv("BACKFILL_BIN");
        if (!bin || !*bin) throw std::runtime_error("BACKFILL_BIN is not set: run the test through ctest");
        m_bin = bin;
        std::string pattern = (std::filesystem::temp_directory_path() / "backfill-e2e-XXXXXX").string();
        if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
        m_dir = pattern;
        m_db = (m_dir / "terminal.db").string();
    }
    ~CliHarness()
    {
        std::error_code ec;
        std::filesystem::remove_all(m_dir, ec);
    }
    CliHarness(const CliHarness&) = delete;
    CliHarness& operator=(const CliHarness&) = delete;

    const std::string& db() const { return m_db; }
    std::filesystem::path dir() const { return m_dir; }

    // writeFile writes `content` byte for byte to a file in the folder and returns its path.
    std::string writeFile(const std::string& name, const std::string& content) const
    {
        const auto path = m_dir / name;
        std::ofstream(path, std::ios::binary) << content;
        return path.string();
    }

    // runRaw runs the binary with exactly `args`, feeding `input` on stdin.
    RunResult runRaw(const std::vector<std::string>& args, const std::string& input = "") const
    {
        return runProgram(m_bin, args, input);
    }

    // runProgram runs `program` (a path) with `args`, feeding `input` on stdin.
    RunResult runProgram(const std::string& program, const std::vector<std::string>& args, const std::string& input = "") const
    {
        const auto in = writeFile("stdin.txt", input);
        const auto out = (m_dir / "stdout.txt").string();
        const auto err = (m_dir / "stderr.txt").string();
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, 0, in.c_str(), O_RDONLY, 0);
        posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        posix_spawn_file_actions_addopen(&fa, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        std::vector<std::string> all{program};
        all.insert(all.end(), args.begin(), args.end());
        std::vector<char*> argv;
        for (auto& a : all) argv.push_back(a.data());
        argv.push_back(nullptr);
        pid_t pid = 0;
        const int rc = ::posix_spawn(&pid, program.c_str(), &fa, nullptr, argv.data(), environ);
        posix_spawn_file_actions_destroy(&fa);
        if (rc != 0) throw std::runtime_error("cannot start " + program);
        int wstatus = 0;
        while (::waitpid(pid, &wstatus, 0) < 0) {
        }
        RunResult r;
        r.status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
        r.out = slurp(out);
        r.err = slurp(err);
        return r;
    }

    // run runs `backfill --db DB --today kToday ARGS...`.
    RunResult run(const std::vector<std::string>& args, const std::string& input = "") const
    {
        std::vector<std::string> all{"--db", m_db, "--today", kToday};
        all.insert(all.end(), args.begin(), args.end());
        return runRaw(all, input);
    }

    // importCsv writes `csv` to KIND.csv and runs `import KIND` on it.
    RunResult importCsv(const std::string& kind, const std::string& csv) const
    {
        return run({"import", kind, writeFile(kind + ".csv", csv)});
    }
    // importOk imports and fails the test unless it printed {"imported":N} with exit 0.
    void importOk(const std::string& kind, const std::string& csv, int64_t n) const
    {
        const auto r = importCsv(kind, csv);
        INFO(r);
        REQUIRE(r.status == 0);
        REQUIRE(r.json() == Json{{"imported", n}});
    }

    Json stock() const { return queryJson({"stock"}); }
    // stockOf is `stock --sku SKU` without the row's per-location detail ("locations"), so
    // totals compare with stockJson; stockDetail is the whole output.
    Json stockOf(const std::string& sku) const
    {
        Json rows = stockDetail(sku);
        for (auto& row : rows) row.erase("locations");
        return rows;
    }
    Json stockDetail(const std::string& sku) const { return queryJson({"stock", "--sku", sku}); }
    Json backorders() const { return queryJson({"backorders"}); }

    // line is the backorders row of (order_id, line).
    Json line(const std::string& orderId, int64_t line) const
    {
        for (const auto& row : backorders())
            if (row["order_id"] == orderId && row["line"] == line) return row;
        throw std::runtime_error("no order line " + orderId + "/" + std::to_string(line));
    }

    // receive runs `receive ARGS...`.
    RunResult receive(const std::vector<std::string>& args, const std::string& input = "") const
    {
        std::vector<std::string> all{"receive"};
        all.insert(all.end(), args.begin(), args.end());
        return run(all, input);
    }
    // receiveOk receives and fails the test unless every scan was received; gives the run.
    RunResult receiveOk(const std::vector<std::string>& args) const
    {
        auto r = receive(args);
        INFO(r);
        REQUIRE(r.status == 0);
        return r;
    }
    RunResult pick(const std::vector<std::string>& args) const
    {
        std::vector<std::string> all{"pick"};
        all.insert(all.end(), args.begin(), args.end());
        return run(all);
    }
    // pickOk picks and fails the test unless the pick was done; gives its JSON line.
    Json pickOk(const std::vector<std::string>& args) const
    {
        const auto r = pick(args);
        INFO(r);
        REQUIRE(r.status == 0);
        return r.json();
    }

    // query runs SQL on the database file and gives each row as its columns joined by '|'.
    std::vector<std::string> query(const std::string& sql) const
    {
        sqlite3* db = nullptr;
        if (sqlite3_open_v2(m_db.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
            sqlite3_close(db);
            throw std::runtime_error("cannot open " + m_db);
        }
        sqlite3_stmt* stmt = nullptr;
        if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
            const std::string msg = sqlite3_errmsg(db);
            sqlite3_close(db);
            throw std::runtime_error("bad SQL " + sql + ": " + msg);
        }
        std::vector<std::string> rows;
        while (sqlite3_step(stmt) == SQLITE_ROW) {
            std::string row;
            for (int c = 0; c < sqlite3_column_count(stmt); ++c) {
                if (c) row += '|';
                const auto* text = sqlite3_column_text(stmt, c);
                row += text ? reinterpret_cast<const char*>(text) : "NULL";
            }
            rows.push_back(std::move(row));
        }
        sqlite3_finalize(stmt);
        sqlite3_close(db);
        return rows;
    }
    int64_t count(const std::string& table) const { return std::stoll(query("SELECT COUNT(*) FROM " + table).at(0)); }

    // ledgerProblems lists where the derived figures disagree with the ledger (crash_ledger.h).
    std::vector<std::string> ledgerProblems() const { return backfill::test::ledgerProblems(m_db); }

    // snapshot captures stock, backorders and every table's rows (a database not yet
    // created has no tables).
    Snapshot snapshot() const
    {
        Snapshot s;
        s.stock = stock().dump();
        s.backorders = backorders().dump();
        for (const auto& table : query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")) {
            std::string rows;
            for (const auto& row : query("SELECT * FROM \"" + table + "\"")) rows += row + "\n";
            s.tables[table] = rows;
        }
        return s;
    }

private:
    Json queryJson(const std::vector<std::string>& args) const
    {
        const auto r = run(args);
        if (r.status != 0) throw std::runtime_error("backfill " + args[0] + " failed: " + r.err);
        return r.json();
    }
    static std::string slurp(const std::string& path)
    {
        std::ifstream in(path, std::ios::binary);
        std::ostringstream s;
        s << in.rdbuf();
        return s.str();
    }

    std::string m_bin;
    std::filesystem::path m_dir;
    std::string m_db;
};

// checkLedger fails the test with every problem ledgerProblems() finds.
inline void checkLedger(const CliHarness& h)
{
    std::string text;
    for (const auto& p : h.ledgerProblems()) text += p + "\n";
    CHECK_MESSAGE(text.empty(), text);
}

// Small builders for the rows the tests write.
inline Json stockJson(const std::string& sku, int64_t onHand, int64_t allocated, int64_t quarantined = 0, int64_t held = 0,
                      int64_t expired = 0)
{
    return Json{{"sku", sku},
                {"on_hand", onHand},
                {"allocated", allocated},
                {"quarantined", quarantined},
                {"free", onHand - quarantined - expired - held - allocated},
                {"held", held},
                {"expired", expired}};
}

inline Json lineJson(const std::string& orderId, int64_t line, const std::string& sku, int64_t qty, int64_t allocated,
                     int64_t picked, const std::string& state, const std::optional<std::string>& eta = std::nullopt)
{
    return Json{{"order_id", orderId}, {"line", line},   {"sku", sku},     {"qty", qty},
                {"allocated", allocated}, {"picked", picked}, {"state", state}, {"eta", eta ? Json(*eta) : Json(nullptr)}};
}

inline Json allocJson(const std::string& orderId, int64_t line, int64_t qty, const std::optional<std::string>& stage = std::nullopt)
{
    return Json{{"order_id", orderId}, {"line", line}, {"qty", qty}, {"stage", stage ? Json(*stage) : Json(nullptr)}};
}

// receivedJson is the receive contract's line for a received product line.
struct Received {
    std::string scan;
    std::string sku;
    int64_t qty = 0;
    std::optional<std::string> lot;
    std::optional<std::string> expiry;
    std::optional<std::string> sscc;
    std::string location = "DOCK";
    Json allocations = Json::array();
    int64_t toStock = -1;      // -1: qty minus the allocations
    int64_t overReceipt = 0;   // 0: the key is absent
};

inline Json receivedJson(const Received& r)
{
    int64_t allocated = 0;
    for (const auto& a : r.allocations) allocated += a["qty"].get<int64_t>();
    Json j{{"scan", r.scan},
           {"ok", true},
           {"sku", r.sku},
           {"qty", r.qty},
           {"lot", r.lot ? Json(*r.lot) : Json(nullptr)},
           {"expiry", r.expiry ? Json(*r.expiry) : Json(nullptr)},
           {"sscc", r.sscc ? Json(*r.sscc) : Json(nullptr)},
           {"location", r.location},
           {"allocations", r.allocations},
           {"to_stock", r.toStock >= 0 ? r.toStock : r.qty - allocated}};
    if (r.overReceipt) j["over_receipt"] = r.overReceipt;
    return j;
}

} // namespace backfill::e2e

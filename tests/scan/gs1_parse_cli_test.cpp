// End to end: runs `$BACKFILL_BIN parse` and checks the exact JSON lines and exit statuses of
// the contract of issue 3.

#include <doctest/doctest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <vector>

namespace {

struct Run {
    std::string out;
    int status = -1;
};

// run executes the backfill binary with `args` (no shell, so scans pass byte for byte) and
// `env` added to a minimal environment; it returns stdout and the exit status.
Run run(const std::vector<std::string>& args, const std::vector<std::string>& env = {})
{
    const char* bin = std::getenv("BACKFILL_BIN");
    REQUIRE(bin != nullptr);
    int fds[2];
    REQUIRE(pipe(fds) == 0);
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        std::vector<char*> argv{const_cast<char*>(bin)};
        for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        std::vector<std::string> envStore{"PATH=/usr/bin:/bin", "HOME=/nonexistent"};
        for (const auto& e : env) envStore.push_back(e);
        std::vector<char*> envp;
        for (auto& e : envStore) envp.push_back(e.data());
        envp.push_back(nullptr);
        execve(bin, argv.data(), envp.data());
        _exit(127);
    }
    close(fds[1]);
    Run r;
    char buf[4096];
    ssize_t n;
    while ((n = read(fds[0], buf, sizeof buf)) > 0) r.out.append(buf, static_cast<size_t>(n));
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

} // namespace

TEST_CASE("parse prints one JSON line per scan, exit 0 when all are read")
{
    const auto r = run({"--today", "2026-11-28", "parse", "(01)09501101530003(17)260630(3103)001250", "106141411234567897"});
    CHECK(r.status == 0);
    CHECK(r.out ==
          "{\"scan\":\"(01)09501101530003(17)260630(3103)001250\",\"ok\":true,\"kind\":\"hri\",\"symbology\":null,"
          "\"elements\":[{\"ai\":\"01\",\"value\":\"09501101530003\"},{\"ai\":\"17\",\"value\":\"260630\",\"date\":\"2026-06-30\"},"
          "{\"ai\":\"3103\",\"value\":\"001250\",\"decimal\":\"1.250\"}],\"warnings\":[]}\n"
          "{\"scan\":\"106141411234567897\",\"ok\":true,\"kind\":\"sscc\",\"symbology\":null,"
          "\"elements\":[{\"ai\":\"00\",\"value\":\"106141411234567897\"}],\"warnings\":[]}\n");
}

TEST_CASE("parse: a rejected scan gives code and error, exit 1, and the other scans still print")
{
    const auto r = run({"--today", "2026-11-28", "parse", "0109501101530004", "]E001234565", "LOC-A-01"});
    CHECK(r.status == 1);
    CHECK(r.out ==
          "{\"scan\":\"0109501101530004\",\"ok\":false,\"code\":\"check_digit\",\"error\":\"(01): check digit is 4, expected 3\"}\n"
          "{\"scan\":\"]E001234565\",\"ok\":true,\"kind\":\"gtin\",\"symbology\":\"]E0\","
          "\"elements\":[{\"ai\":\"01\",\"value\":\"00012345000065\"}],\"warnings\":[]}\n"
          "{\"scan\":\"LOC-A-01\",\"ok\":false,\"code\":\"not_gs1\","
          "\"error\":\"not a GS1 scan: no GS1 symbology identifier, AI, GTIN, SSCC or Digital Link URI\"}\n");
}

TEST_CASE("parse honours --gs; a raw GS always works and is escaped in the JSON")
{
    auto r = run({"--today", "2026-11-28", "--gs", "^", "parse", "]C1010950110153000310LOT7^17260600",
                  "0109501101530003" "10LOT7\x1d" "17260600"});
    CHECK(r.status == 0);
    const std::string elements = "\"elements\":[{\"ai\":\"01\",\"value\":\"09501101530003\"},{\"ai\":\"10\",\"value\":\"LOT7\"},"
                                 "{\"ai\":\"17\",\"value\":\"260600\",\"date\":\"2026-06-30\"}],\"warnings\":[]}\n";
    CHECK(r.out == "{\"scan\":\"]C1010950110153000310LOT7^17260600\",\"ok\":true,\"kind\":\"element_string\",\"symbology\":\"]C1\"," +
                       elements +
                       "{\"scan\":\"0109501101530003" "10LOT7\\u001d17260600\",\"ok\":true,\"kind\":\"element_string\",\"symbology\":null," +
                       elements);
    // Without --gs the caret is data of (10), and not in CSET 82.
    r = run({"--today", "2026-11-28", "parse", "]C1010950110153000310LOT7^17260600"});
    CHECK(r.status == 1);
    CHECK(r.out == "{\"scan\":\"]C1010950110153000310LOT7^17260600\",\"ok\":false,\"code\":\"bad_charset\","
                   "\"error\":\"(10): character '^' at position 5 is not in CSET 82\"}\n");
}

TEST_CASE("parse honours --today (and BACKFILL_TODAY) for the century of YYMMDD")
{
    const std::string scan = "(01)09501101530003(17)770101";
    auto r = run({"--today", "2026-11-28", "parse", scan});
    CHECK(r.out.find("\"date\":\"1977-01-01\"") != std::string::npos);
    r = run({"--today", "2030-01-01", "parse", scan});
    CHECK(r.out.find("\"date\":\"2077-01-01\"") != std::string::npos);
    r = run({"parse", scan}, {"BACKFILL_TODAY=2030-01-01"});
    CHECK(r.out.find("\"date\":\"2077-01-01\"") != std::string::npos);
    CHECK(r.status == 0);
}

TEST_CASE("parse: digital link, unknown AIs and warnings in the JSON")
{
    const auto r = run({"--today", "2026-11-28", "parse",
                        "https://id.example.com/shop/01/9520123456788/10/ABC1?17=180400&linkType=all", "(89)X", "10LOT7"});
    CHECK(r.status == 0);
    CHECK(r.out ==
          "{\"scan\":\"https://id.example.com/shop/01/9520123456788/10/ABC1?17=180400&linkType=all\",\"ok\":true,"
          "\"kind\":\"digital_link\",\"symbology\":null,\"elements\":[{\"ai\":\"01\",\"value\":\"09520123456788\"},"
          "{\"ai\":\"10\",\"value\":\"ABC1\"},{\"ai\":\"17\",\"value\":\"180400\",\"date\":\"2018-04-30\"}],"
          "\"warnings\":[]}\n"
          "{\"scan\":\"(89)X\",\"ok\":true,\"kind\":\"hri\",\"symbology\":null,"
          "\"elements\":[{\"ai\":\"89\",\"value\":\"X\",\"known\":false}],\"warnings\":[]}\n"
          "{\"scan\":\"10LOT7\",\"ok\":true,\"kind\":\"element_string\",\"symbology\":null,"
          "\"elements\":[{\"ai\":\"10\",\"value\":\"LOT7\"}],"
          "\"warnings\":[\"(10) should come with (01), (02), (03), (8006) or (8026) (GS1 GS 4.14.2)\"]}\n");
}

TEST_CASE("parse: a Digital Link refusal names what and where")
{
    // GS1 Digital Link URI Syntax: an empty segment after the key; a numeric query parameter
    // that is not a known AI. Exit 1: a scan was not read.
    const auto r = run({"parse", "https://id.example.com/01//09520123456788", "https://e.com/01/09520123456788?89=X"});
    CHECK(r.status == 1);
    CHECK(r.out ==
          "{\"scan\":\"https://id.example.com/01//09520123456788\",\"ok\":false,\"code\":\"bad_digital_link\","
          "\"error\":\"digital link: empty path segment at position 27; the key and its qualifiers are /AI/value pairs with nothing empty\"}\n"
          "{\"scan\":\"https://e.com/01/09520123456788?89=X\",\"ok\":false,\"code\":\"unknown_ai\","
          "\"error\":\"digital link: query parameter '89' at position 33 is not a known AI\"}\n");
}

TEST_CASE("parse: bad global options are usage errors (exit 3)")
{
    CHECK(run({"--today", "2026-13-01", "parse", "96385074"}).status == 3);
    CHECK(run({"--gs", "ab", "parse", "96385074"}).status == 3);
    CHECK(run({"parse"}).status == 3);
}

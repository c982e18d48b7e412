#pragma once
// HttpServer: a small HTTP/1.1 server for operations endpoints (backfilld's /health and
// /metrics; docs/deployment.md), on nng's HTTP server (nng 1.5.2, Debian). Like Server, nng's
// callbacks never run our code: a request is queued and answered by one worker thread, which
// calls the handler. GET only; other paths get nng's 404, other methods its 405.
// URL: http://HOST:PORT (port 0 picks a free one; url() gives the resolved address).

#include "ledger/Result.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace backfill::transport {

struct HttpReply {
    int status = 200;
    std::string contentType = "text/plain; charset=utf-8";
    std::string body;
};

using HttpHandler = std::function<HttpReply(const std::string& path)>;

class HttpServer {
public:
    // start serves GET on each of `paths` with `handler`. Refusals: bad_address (not an
    // http:// URL with a host and port), address_in_use, transport_error.
    static ledger::Result<std::unique_ptr<HttpServer>> start(const std::string& url, const std::vector<std::string>& paths,
                                                             HttpHandler handler);
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    const std::string& url() const;
    // stop stops listening and answers nothing more; requests in flight are dropped. Idempotent.
    void stop();

    struct Impl;

private:
    explicit HttpServer(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

} // namespace backfill::transport

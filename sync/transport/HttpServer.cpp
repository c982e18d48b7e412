#include "transport/HttpServer.h"

#include "transport/Transport.h"

#include <nng/nng.h>
#include <nng/supplemental/http/http.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace backfill::transport {

struct HttpServer::Impl {
    nng_url* parsed = nullptr;
    nng_http_server* server = nullptr;
    std::vector<nng_http_handler*> handlers; // owned by the server once added
    std::string url;
    HttpHandler handler;
    std::thread worker;
    std::mutex mutex;
    std::condition_variable wake;
    struct Pending {
        nng_aio* aio;
        std::string path;
    };
    std::deque<Pending> queue;
    bool stopping = false;
    bool started = false;

    // onRequest runs on nng's thread: it only queues the request for the worker.
    static void onRequest(nng_aio* aio)
    {
        auto* req = static_cast<nng_http_req*>(nng_aio_get_input(aio, 0));
        auto* h = static_cast<nng_http_handler*>(nng_aio_get_input(aio, 1));
        auto* self = static_cast<Impl*>(nng_http_handler_get_data(h));
        std::lock_guard lock(self->mutex);
        if (self->stopping) {
            nng_aio_finish(aio, NNG_ECLOSED);
            return;
        }
        self->queue.push_back({aio, nng_http_req_get_uri(req)});
        self->wake.notify_one();
    }

    void serve()
    {
        for (;;) {
            Pending p;
            {
                std::unique_lock lock(mutex);
                wake.wait(lock, [&] { return stopping || !queue.empty(); });
                if (queue.empty()) return;
                p = queue.front();
                queue.pop_front();
            }
            const auto query = p.path.find('?');
            const HttpReply reply = handler(query == std::string::npos ? p.path : p.path.substr(0, query));
            nng_http_res* res = nullptr;
            if (nng_http_res_alloc(&res) != 0) {
                nng_aio_finish(p.aio, NNG_ENOMEM);
                continue;
            }
            nng_http_res_set_status(res, static_cast<uint16_t>(reply.status));
            nng_http_res_set_header(res, "Content-Type", reply.contentType.c_str());
            nng_http_res_set_header(res, "Cache-Control", "no-store");
            if (nng_http_res_copy_data(res, reply.body.data(), reply.body.size()) != 0) {
                nng_http_res_free(res);
                nng_aio_finish(p.aio, NNG_ENOMEM);
                continue;
            }
            nng_aio_set_output(p.aio, 0, res);
            nng_aio_finish(p.aio, 0);
        }
    }

    void shutdown()
    {
        if (started) {
            nng_http_server_stop(server);
            started = false;
        }
        {
            std::lock_guard lock(mutex);
            stopping = true;
            // Requests still queued get no answer: their connections close with the server.
            for (auto& p : queue) nng_aio_finish(p.aio, NNG_ECLOSED);
            queue.clear();
        }
        wake.notify_all();
        if (worker.joinable()) worker.join();
    }

    ~Impl()
    {
        shutdown();
        if (server) nng_http_server_release(server);
        if (parsed) nng_url_free(parsed);
    }
};

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}

HttpServer::~HttpServer() = default;

const std::string& HttpServer::url() const { return m_impl->url; }

void HttpServer::stop() { m_impl->shutdown(); }

ledger::Result<std::unique_ptr<HttpServer>> HttpServer::start(const std::string& url, const std::vector<std::string>& paths,
                                                              HttpHandler handler)
{
    const std::string what = "serving HTTP on " + url;
    if (url.rfind("http://", 0) != 0) return ledger::fail("bad_address", what + ": the address must be http://HOST:PORT");
    auto impl = std::make_unique<Impl>();
    impl->handler = std::move(handler);
    if (int rv = nng_url_parse(&impl->parsed, url.c_str()); rv != 0) return ledger::unexpected(transportError(rv, what));
    if (int rv = nng_http_server_hold(&impl->server, impl->parsed); rv != 0) return ledger::unexpected(transportError(rv, what));
    for (const auto& path : paths) {
        nng_http_handler* h = nullptr;
        if (int rv = nng_http_handler_alloc(&h, path.c_str(), &Impl::onRequest); rv != 0)
            return ledger::unexpected(transportError(rv, what));
        nng_http_handler_set_method(h, "GET");
        nng_http_handler_set_data(h, impl.get(), nullptr);
        if (int rv = nng_http_server_add_handler(impl->server, h); rv != 0) {
            nng_http_handler_free(h);
            return ledger::unexpected(transportError(rv, what));
        }
    }
    impl->worker = std::thread([p = impl.get()] { p->serve(); });
    if (int rv = nng_http_server_start(impl->server); rv != 0) return ledger::unexpected(transportError(rv, what));
    impl->started = true;
    nng_sockaddr sa{};
    if (int rv = nng_http_server_get_addr(impl->server, &sa); rv != 0) return ledger::unexpected(transportError(rv, what));
    char host[INET6_ADDRSTRLEN] = {};
    uint16_t port = 0;
    if (sa.s_family == NNG_AF_INET) {
        ::inet_ntop(AF_INET, &sa.s_in.sa_addr, host, sizeof host);
        port = ntohs(sa.s_in.sa_port);
        impl->url = "http://" + std::string(host) + ":" + std::to_string(port);
    } else if (sa.s_family == NNG_AF_INET6) {
        ::inet_ntop(AF_INET6, sa.s_in6.sa_addr, host, sizeof host);
        port = ntohs(sa.s_in6.sa_port);
        impl->url = "http://[" + std::string(host) + "]:" + std::to_string(port);
    } else {
        impl->url = url;
    }
    return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

} // namespace backfill::transport

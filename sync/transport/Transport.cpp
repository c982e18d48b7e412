// nng REQ/REP under sync/transport (Transport.h). The only file that includes nng.

#include "transport/Transport.h"

#include <nng/nng.h>
#include <nng/protocol/reqrep0/rep.h>
#include <nng/protocol/reqrep0/req.h>
#include <nng/supplemental/tls/tls.h>

#include <algorithm>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>
#include <utility>
#include <vector>

namespace backfill::transport {

namespace {

ledger::Unexpected<ledger::Error> fail(int nngError, const std::string& what) { return ledger::unexpected(transportError(nngError, what)); }

int64_t millis(std::chrono::milliseconds d) { return static_cast<int64_t>(d.count()); }

// readPem reads a whole PEM file; nullopt (with errno's words in `why`) when it cannot.
std::optional<std::string> readPem(const std::string& path, std::string& why)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        why = "cannot read " + path;
        return std::nullopt;
    }
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

bool isTlsUrl(std::string_view url) { return url.starts_with("tls+tcp://"); }

// TlsConfig owns an nng_tls_config until an endpoint takes its own hold on it.
struct TlsConfig {
    nng_tls_config* cfg = nullptr;
    ~TlsConfig()
    {
        if (cfg) nng_tls_config_free(cfg);
    }
};

Result<void> makeTls(TlsConfig& out, const TlsFiles& files, bool server, const std::string& url)
{
    std::string why;
    if (int rv = nng_tls_config_alloc(&out.cfg, server ? NNG_TLS_MODE_SERVER : NNG_TLS_MODE_CLIENT); rv != 0)
        return fail(rv, "setting up TLS for " + url);
    if (server) {
        if (files.certFile.empty() || files.keyFile.empty())
            return ledger::fail("tls_failed", url + ": a TLS listener needs a certificate and a key (--tls-cert F --tls-key F)");
        auto cert = readPem(files.certFile, why);
        if (!cert) return ledger::fail("tls_failed", why);
        auto key = readPem(files.keyFile, why);
        if (!key) return ledger::fail("tls_failed", why);
        if (int rv = nng_tls_config_own_cert(out.cfg, cert->c_str(), key->c_str(), nullptr); rv != 0)
            return fail(rv, "loading certificate " + files.certFile + " with key " + files.keyFile);
        return {};
    }
    if (files.caFile.empty() || files.serverName.empty())
        return ledger::fail("tls_failed", url + ": a TLS connection needs the CA (--ca F) and the server's name (--tls-server-name)");
    auto ca = readPem(files.caFile, why);
    if (!ca) return ledger::fail("tls_failed", why);
    if (int rv = nng_tls_config_ca_chain(out.cfg, ca->c_str(), nullptr); rv != 0)
        return fail(rv, "loading CA " + files.caFile);
    if (int rv = nng_tls_config_server_name(out.cfg, files.serverName.c_str()); rv != 0)
        return fail(rv, "setting the TLS server name");
    if (int rv = nng_tls_config_auth_mode(out.cfg, NNG_TLS_AUTH_MODE_REQUIRED); rv != 0)
        return fail(rv, "requiring the server's certificate");
    return {};
}

// withPort replaces the port of `url` (scheme://host:port) by `port`.
std::string withPort(const std::string& url, int port)
{
    const auto colon = url.rfind(':');
    if (colon == std::string::npos || colon < url.find("://") + 3) return url;
    return url.substr(0, colon + 1) + std::to_string(port);
}

// Message is an nng_msg we own until nng takes it.
struct Message {
    nng_msg* msg = nullptr;
    ~Message()
    {
        if (msg) nng_msg_free(msg);
    }
    nng_msg* release() { return std::exchange(msg, nullptr); }
};

int makeMessage(Message& m, std::string_view bytes)
{
    if (int rv = nng_msg_alloc(&m.msg, 0); rv != 0) return rv;
    return bytes.empty() ? 0 : nng_msg_append(m.msg, bytes.data(), bytes.size());
}

std::string bodyOf(nng_msg* msg)
{
    return std::string(static_cast<const char*>(nng_msg_body(msg)), nng_msg_len(msg));
}

} // namespace

ledger::Error transportError(int nngError, const std::string& what)
{
    const std::string words = nng_strerror(nngError);
    auto error = [&](const char* code) { return ledger::Error{code, what + ": " + words}; };
    switch (nngError) {
    case NNG_ETIMEDOUT: return error("timeout");
    case NNG_ECONNREFUSED:
    case NNG_ECONNRESET:
    case NNG_ECONNSHUT:
    case NNG_EUNREACHABLE:
    case NNG_ECONNABORTED: return error("unreachable");
    case NNG_EMSGSIZE: return error("too_large");
    case NNG_ECRYPTO:
    case NNG_EPEERAUTH: return error("tls_failed");
    case NNG_EADDRINVAL:
    case NNG_ENOTSUP:
    case NNG_EINVAL: return error("bad_address");
    case NNG_EADDRINUSE: return error("address_in_use");
    case NNG_ECLOSED:
    case NNG_ECANCELED: return error("closed");
    default: return error("transport_error");
    }
}

// ---------------------------------------------------------------------------------------
// Server

struct Server::Impl {
    nng_socket socket = NNG_SOCKET_INITIALIZER;
    nng_listener listener = NNG_LISTENER_INITIALIZER;
    std::string url;
    Handler handler;
    std::vector<std::thread> workers;
    bool open = false;

    // One aio per worker, allocated before the workers start. `stopMutex` guards `stopping`
    // and `receiving` (worker i waits in a receive): a worker starts each receive under it,
    // and stop() sets `stopping` and cancels the receives under it, so a receive either never
    // starts or is in flight when it is cancelled. Nothing polls while the server is idle.
    std::vector<nng_aio*> aios;
    std::mutex stopMutex;
    bool stopping = false;
    std::vector<bool> receiving;

    // A reply waits at most this long for a peer that does not read (so a stalled terminal
    // holds neither a worker nor the shutdown); a receive waits for as long as it takes.
    static constexpr nng_duration kSendTimeout = 10'000;

    bool startReceive(size_t i, nng_ctx ctx)
    {
        std::lock_guard lock(stopMutex);
        if (stopping) return false;
        receiving[i] = true;
        nng_aio_set_timeout(aios[i], NNG_DURATION_INFINITE);
        nng_ctx_recv(ctx, aios[i]);
        return true;
    }

    void received(size_t i)
    {
        std::lock_guard lock(stopMutex);
        receiving[i] = false;
    }

    // serve is worker `i`: receive on its own context, answer, again, until stop() asks.
    // The socket is closed only after every worker has left this loop: nng 1.5.2 can panic
    // (a destroyed mutex) when nng_close runs while another thread is inside nng_ctx_send.
    void serve(size_t i)
    {
        nng_aio* aio = aios[i];
        nng_ctx ctx;
        if (nng_ctx_open(&ctx, socket) != 0) return;
        while (startReceive(i, ctx)) {
            nng_aio_wait(aio);
            received(i);
            const int rv = nng_aio_result(aio);
            if (rv == NNG_ECLOSED) break;
            if (rv != 0) continue; // cancelled by stop(), or a peer went away mid-message
            Message request{nng_aio_get_msg(aio)};
            std::string reply = handler(std::string_view(static_cast<const char*>(nng_msg_body(request.msg)),
                                                         nng_msg_len(request.msg)));
            // Reuse the request's message for the reply: it carries the REP routing header.
            nng_msg_clear(request.msg);
            if (!reply.empty() && nng_msg_append(request.msg, reply.data(), reply.size()) != 0) continue;
            nng_aio_set_msg(aio, request.release());
            nng_aio_set_timeout(aio, kSendTimeout);
            nng_ctx_send(ctx, aio);
            nng_aio_wait(aio);
            if (nng_aio_result(aio) != 0) {
                nng_msg_free(nng_aio_get_msg(aio)); // not sent: still ours
                if (nng_aio_result(aio) == NNG_ECLOSED) break;
            }
        }
        nng_ctx_close(ctx);
    }

    // stop lets every worker finish the request in hand (its reply is sent), cancels the
    // receives they wait in, joins them, and only then closes the socket.
    void stop()
    {
        if (!open) return;
        {
            std::lock_guard lock(stopMutex);
            stopping = true;
            for (size_t i = 0; i < aios.size(); ++i)
                if (receiving[i]) nng_aio_cancel(aios[i]);
        }
        for (auto& t : workers) t.join();
        workers.clear();
        for (nng_aio* aio : aios) nng_aio_free(aio);
        aios.clear();
        nng_close(socket);
        open = false;
    }
};

Server::Server(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
Server::~Server() { stop(); }
const std::string& Server::url() const { return m_impl->url; }
void Server::stop() { m_impl->stop(); }

Result<std::unique_ptr<Server>> Server::start(const ServerOptions& options, Handler handler)
{
    auto impl = std::make_unique<Impl>();
    impl->handler = std::move(handler);
    const std::string what = "listening on " + options.url;
    if (int rv = nng_rep0_open(&impl->socket); rv != 0) return fail(rv, what);
    impl->open = true;
    auto cleanup = [&] { impl->stop(); };
    if (int rv = nng_socket_set_size(impl->socket, NNG_OPT_RECVMAXSZ, options.maxMessageBytes); rv != 0) {
        cleanup();
        return fail(rv, what);
    }
    if (int rv = nng_listener_create(&impl->listener, impl->socket, options.url.c_str()); rv != 0) {
        cleanup();
        return fail(rv, what);
    }
    if (int rv = nng_listener_set_size(impl->listener, NNG_OPT_RECVMAXSZ, options.maxMessageBytes); rv != 0) {
        cleanup();
        return fail(rv, what);
    }
    if (isTlsUrl(options.url)) {
        TlsConfig tls;
        if (!options.tls) {
            cleanup();
            return ledger::fail("tls_failed", options.url + ": a TLS listener needs a certificate and a key (--tls-cert F --tls-key F)");
        }
        if (auto made = makeTls(tls, *options.tls, true, options.url); !made) {
            cleanup();
            return ledger::unexpected(made.error());
        }
        if (int rv = nng_listener_set_ptr(impl->listener, NNG_OPT_TLS_CONFIG, tls.cfg); rv != 0) {
            cleanup();
            return fail(rv, what);
        }
    }
    if (int rv = nng_listener_start(impl->listener, 0); rv != 0) {
        cleanup();
        return fail(rv, what);
    }
    impl->url = options.url;
    if (options.url.starts_with("tcp://") || isTlsUrl(options.url)) {
        int port = 0;
        if (nng_listener_get_int(impl->listener, NNG_OPT_TCP_BOUND_PORT, &port) == 0) impl->url = withPort(options.url, port);
    }
    const size_t workers = static_cast<size_t>(std::max(1, options.workers));
    impl->receiving.assign(workers, false);
    for (size_t i = 0; i < workers; ++i) {
        nng_aio* aio = nullptr;
        if (int rv = nng_aio_alloc(&aio, nullptr, nullptr); rv != 0) {
            cleanup();
            return fail(rv, what);
        }
        impl->aios.push_back(aio);
    }
    for (size_t i = 0; i < workers; ++i) impl->workers.emplace_back([p = impl.get(), i] { p->serve(i); });
    return std::unique_ptr<Server>(new Server(std::move(impl)));
}

// ---------------------------------------------------------------------------------------
// Client

struct Client::Impl {
    nng_socket socket = NNG_SOCKET_INITIALIZER;
    nng_dialer dialer = NNG_DIALER_INITIALIZER;
    ClientOptions options;
    bool open = false;
    // The aios of requests in flight, for cancel(); starting an operation and cancelling
    // hold `mutex`, so a cancel cannot fall between a request's send and its receive.
    std::mutex mutex;
    std::set<nng_aio*> pending;
    bool cancelled = false;
    ~Impl()
    {
        if (open) nng_close(socket);
    }
};

Client::Client(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
Client::~Client() = default;

Result<std::unique_ptr<Client>> Client::open(const ClientOptions& options)
{
    auto impl = std::make_unique<Impl>();
    impl->options = options;
    const std::string what = "connecting to " + options.url;
    if (int rv = nng_req0_open(&impl->socket); rv != 0) return fail(rv, what);
    impl->open = true;
    // No automatic resend: a retry is the caller's, with the same op_ids.
    if (int rv = nng_socket_set_ms(impl->socket, NNG_OPT_REQ_RESENDTIME, NNG_DURATION_INFINITE); rv != 0) return fail(rv, what);
    if (int rv = nng_socket_set_size(impl->socket, NNG_OPT_RECVMAXSZ, options.maxMessageBytes); rv != 0) return fail(rv, what);
    if (int rv = nng_socket_set_ms(impl->socket, NNG_OPT_RECONNMINT, static_cast<nng_duration>(millis(options.reconnectMin))); rv != 0)
        return fail(rv, what);
    if (int rv = nng_socket_set_ms(impl->socket, NNG_OPT_RECONNMAXT, static_cast<nng_duration>(millis(options.reconnectMax))); rv != 0)
        return fail(rv, what);
    if (int rv = nng_dialer_create(&impl->dialer, impl->socket, options.url.c_str()); rv != 0) return fail(rv, what);
    if (int rv = nng_dialer_set_size(impl->dialer, NNG_OPT_RECVMAXSZ, options.maxMessageBytes); rv != 0) return fail(rv, what);
    if (isTlsUrl(options.url)) {
        if (!options.tls)
            return ledger::fail("tls_failed", options.url + ": a TLS connection needs the CA (--ca F) and the server's name (--tls-server-name)");
        TlsConfig tls;
        if (auto made = makeTls(tls, *options.tls, false, options.url); !made) return ledger::unexpected(made.error());
        if (int rv = nng_dialer_set_ptr(impl->dialer, NNG_OPT_TLS_CONFIG, tls.cfg); rv != 0) return fail(rv, what);
    }
    // Non-blocking: a server that is not there yet is dialled again in the background.
    if (int rv = nng_dialer_start(impl->dialer, NNG_FLAG_NONBLOCK); rv != 0) return fail(rv, what);
    return std::unique_ptr<Client>(new Client(std::move(impl)));
}

Result<std::string> Client::request(std::string_view bytes, std::optional<std::chrono::milliseconds> timeout)
{
    const auto& o = m_impl->options;
    const std::string what = "request to " + o.url;
    if (bytes.size() > o.maxMessageBytes)
        return ledger::fail("too_large", what + ": " + std::to_string(bytes.size()) + " bytes is over the limit of " +
                                             std::to_string(o.maxMessageBytes));
    const auto limit = timeout.value_or(o.timeout);
    const auto deadline = std::chrono::steady_clock::now() + limit;
    nng_ctx ctx;
    if (int rv = nng_ctx_open(&ctx, m_impl->socket); rv != 0) return fail(rv, what);
    nng_aio* aio = nullptr;
    if (int rv = nng_aio_alloc(&aio, nullptr, nullptr); rv != 0) {
        nng_ctx_close(ctx);
        return fail(rv, what);
    }
    auto done = [&](Result<std::string> r) {
        {
            std::lock_guard lock(m_impl->mutex);
            m_impl->pending.erase(aio);
        }
        nng_aio_free(aio);
        nng_ctx_close(ctx);
        return r;
    };
    auto timedOut = [&](int rv) {
        if (rv != NNG_ETIMEDOUT) return done(fail(rv, what));
        return done(ledger::fail("timeout", what + ": no reply within " + std::to_string(limit.count()) +
                                                " ms (the server may be unreachable)"));
    };
    Message m;
    if (int rv = makeMessage(m, bytes); rv != 0) return done(fail(rv, what));
    // startUnlessCancelled starts an operation under the lock cancel() takes (false: cancelled).
    auto startUnlessCancelled = [&](auto start) {
        std::lock_guard lock(m_impl->mutex);
        if (m_impl->cancelled) return false;
        start();
        return true;
    };
    auto cancelled = [&] { return done(ledger::fail("closed", what + ": cancelled (the terminal is stopping its link)")); };
    nng_aio_set_timeout(aio, static_cast<nng_duration>(millis(limit)));
    if (!startUnlessCancelled([&] {
            m_impl->pending.insert(aio);
            nng_aio_set_msg(aio, m.release());
            nng_ctx_send(ctx, aio);
        }))
        return cancelled();
    nng_aio_wait(aio);
    if (int rv = nng_aio_result(aio); rv != 0) {
        nng_msg_free(nng_aio_get_msg(aio));
        return timedOut(rv);
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    nng_aio_set_timeout(aio, static_cast<nng_duration>(std::max<int64_t>(1, millis(left))));
    if (!startUnlessCancelled([&] { nng_ctx_recv(ctx, aio); })) return cancelled();
    nng_aio_wait(aio);
    if (int rv = nng_aio_result(aio); rv != 0) return timedOut(rv);
    Message reply{nng_aio_get_msg(aio)};
    return done(bodyOf(reply.msg));
}

void Client::cancel()
{
    std::lock_guard lock(m_impl->mutex);
    m_impl->cancelled = true;
    for (nng_aio* aio : m_impl->pending) nng_aio_cancel(aio);
}

} // namespace backfill::transport

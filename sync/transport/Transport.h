#pragma once
// sync/transport: moving request and reply bytes between terminals and backfilld over nng
// REQ/REP (DESIGN.md 2; research/sync-protocol.md 3). What the bytes mean is sync/protocol's
// business; this layer only carries them, bounded and timed:
//  - every socket has NNG_OPT_RECVMAXSZ (nng 1.5.2 otherwise allocates whatever a peer claims);
//  - the REQ side never resends on its own (NNG_OPT_REQ_RESENDTIME infinite): the caller
//    retries explicitly with the same op_ids, so every retry is visible;
//  - the dialer starts non-blocking (an offline start works and connects later) and reconnects
//    with a randomised exponential back-off;
//  - every operation has a timeout;
//  - nng's error numbers become our own codes here and nowhere else (transportError).
// URLs: tcp://HOST:PORT, tls+tcp://HOST:PORT, ipc:///path, inproc://name. Port 0 on a
// listener picks a free port; Server::url() gives the resolved address.

#include "ledger/Result.h"

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace backfill::transport {

using ledger::Result;

// kDefaultMaxMessageBytes bounds one message on every socket unless the caller says otherwise
// (a Push of the protocol's largest batch fits with room to spare).
inline constexpr size_t kDefaultMaxMessageBytes = 4u << 20;

// transportError maps an nng error number to our codes: timeout, unreachable (refused, no
// peer yet, connection reset or shut), too_large, tls_failed (handshake, certificate or peer
// authentication), bad_address (malformed or unsupported URL), address_in_use, closed (the
// socket was closed by us), transport_error (anything else; the message keeps nng's words).
// `what` says what was being done ("listening on tcp://...", "request to ...").
ledger::Error transportError(int nngError, const std::string& what);

// TlsFiles names PEM files. A server needs certFile and keyFile (separate files); a client
// needs caFile (the CA that signed the server's certificate) and serverName (the DNS name in
// the certificate: nng 1.5.2 with mbedTLS 2.28 does not match IP addresses).
struct TlsFiles {
    std::string certFile;
    std::string keyFile;
    std::string caFile;
    std::string serverName;
};

using Handler = std::function<std::string(std::string_view request)>;

struct ServerOptions {
    std::string url;                       // where to listen
    size_t maxMessageBytes = kDefaultMaxMessageBytes;
    int workers = 4;                       // requests served at once (one REP context each)
    std::optional<TlsFiles> tls;           // required for tls+tcp://
};

// Server answers requests with `handler` on `workers` threads, each with its own REP context
// (nng's callbacks never run our code: each worker waits on its own aio). A message over
// maxMessageBytes is dropped by nng and its pipe closed; the requester gets unreachable.
class Server {
public:
    // start listens and starts the workers. Refusals: bad_address, address_in_use, tls_failed
    // (unreadable or invalid certificate/key), transport_error.
    static Result<std::unique_ptr<Server>> start(const ServerOptions& options, Handler handler);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // url is the address the server listens on, with the port it was given for port 0.
    const std::string& url() const;
    // stop closes the socket and joins the workers; requests in flight get no reply. Idempotent.
    void stop();

    struct Impl;

private:
    explicit Server(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

struct ClientOptions {
    std::string url;                       // the server
    size_t maxMessageBytes = kDefaultMaxMessageBytes;
    std::chrono::milliseconds timeout{5000};          // per request: send and reply
    std::chrono::milliseconds reconnectMin{1000};     // first reconnect wait (randomised below it)
    std::chrono::milliseconds reconnectMax{30000};    // back-off doubles up to this
    std::optional<TlsFiles> tls;           // required for tls+tcp://
};

// Client sends one request at a time and waits for its reply (thread-safe: requests from
// several threads each get their own REQ context).
class Client {
public:
    // open creates the socket and starts dialling in the background: a server that is not
    // there yet is not an error. Refusals: bad_address, tls_failed (unreadable CA), transport_error.
    static Result<std::unique_ptr<Client>> open(const ClientOptions& options);
    ~Client();
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    // request sends `bytes` and returns the reply. timeout when no reply came within the
    // timeout (also when no server is reachable, or TLS never completes: a wrong CA or name);
    // unreachable when the connection dropped while the request waited (the server went away
    // or closed the pipe, e.g. for a message over its limit, or a reply over ours came);
    // too_large for a request over our limit (not sent). Never resent by nng: retrying is the
    // caller's, with the same op_ids.
    Result<std::string> request(std::string_view bytes, std::optional<std::chrono::milliseconds> timeout = std::nullopt);
    // cancel ends every request in flight at once with `closed` (from any thread: a long-poll
    // Pull held by the server need not wait out its time when the terminal stops), and every
    // later request fails the same way without sending.
    void cancel();

    struct Impl;

private:
    explicit Client(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

} // namespace backfill::transport

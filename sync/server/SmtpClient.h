#pragma once
// SmtpClient: one SMTP conversation after another with the configured relay, by libcurl
// (issue 13 item 3). The connection is kept between messages (MAIL FROM again on the same
// session) and opened again when the relay closed it. Not thread-safe: one per sender.

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

namespace backfill::server {

struct SmtpOptions {
    std::string url;  // smtp://HOST:PORT (smtps:// for TLS; user:password@ in the URL for AUTH)
    std::string from; // the envelope sender and From: address
    std::chrono::milliseconds connectTimeout{10000};
    std::chrono::milliseconds timeout{60000}; // one whole message, connect to the reply to its data
};

// SmtpResult: `ok` when the relay accepted the message (250 after its data). Otherwise
// `permanent` when the relay answered 5xx (the address or the message is refused for good:
// retrying cannot help), else a failure worth retrying (no connection, timeout, 4xx, a
// connection closed midway). `code` is the relay's last reply code (0 when none);
// `error` says what happened, for people.
struct SmtpResult {
    bool ok = false;
    bool permanent = false;
    long code = 0;
    std::string error;
};

class SmtpClient {
public:
    explicit SmtpClient(SmtpOptions options);
    ~SmtpClient();
    SmtpClient(const SmtpClient&) = delete;
    SmtpClient& operator=(const SmtpClient&) = delete;

    // send delivers `message` (a whole RFC 5322 message, CRLF line ends; libcurl dot-stuffs
    // it) to `recipient`.
    SmtpResult send(std::string_view recipient, std::string_view message);

    const SmtpOptions& options() const { return m_options; }

private:
    struct Handle;
    SmtpOptions m_options;
    std::unique_ptr<Handle> m_handle;
};

} // namespace backfill::server

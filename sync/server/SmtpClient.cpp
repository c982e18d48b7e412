#include "server/SmtpClient.h"

#include <curl/curl.h>

#include <cstring>
#include <mutex>

namespace backfill::server {

namespace {

// curl_global_init is not thread-safe before 7.84 on every platform; once per process.
void globalInit()
{
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Upload {
    std::string_view data;
    size_t at = 0;
};

size_t readUpload(char* buffer, size_t size, size_t count, void* user)
{
    auto* u = static_cast<Upload*>(user);
    const size_t n = std::min(size * count, u->data.size() - u->at);
    std::memcpy(buffer, u->data.data() + u->at, n);
    u->at += n;
    return n;
}

} // namespace

struct SmtpClient::Handle {
    CURL* curl = nullptr;
    ~Handle()
    {
        if (curl) curl_easy_cleanup(curl); // sends QUIT on a kept connection
    }
};

SmtpClient::SmtpClient(SmtpOptions options) : m_options(std::move(options)), m_handle(std::make_unique<Handle>()) { globalInit(); }

SmtpClient::~SmtpClient() = default;

SmtpResult SmtpClient::send(std::string_view recipient, std::string_view message)
{
    SmtpResult r;
    if (!m_handle->curl) m_handle->curl = curl_easy_init();
    CURL* c = m_handle->curl;
    if (!c) {
        r.error = "libcurl: cannot create a handle";
        return r;
    }
    Upload upload{message, 0};
    const std::string to(recipient);
    curl_slist* rcpt = curl_slist_append(nullptr, to.c_str());
    char errorBuffer[CURL_ERROR_SIZE] = {0};
    curl_easy_reset(c); // keeps the connection cache: the next transfer reuses the session
    curl_easy_setopt(c, CURLOPT_URL, m_options.url.c_str());
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, m_options.from.c_str());
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, &readUpload);
    curl_easy_setopt(c, CURLOPT_READDATA, &upload);
    curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(message.size()));
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(m_options.connectTimeout.count()));
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(m_options.timeout.count()));
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errorBuffer);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    const CURLcode done = curl_easy_perform(c);
    curl_slist_free_all(rcpt);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.code);
    if (done == CURLE_OK) {
        r.ok = true;
        return r;
    }
    r.permanent = r.code >= 500 && r.code < 600;
    r.error = std::string(curl_easy_strerror(done)) + (errorBuffer[0] ? std::string(": ") + errorBuffer : std::string());
    if (r.code > 0) r.error += " (relay replied " + std::to_string(r.code) + ")";
    return r;
}

} // namespace backfill::server

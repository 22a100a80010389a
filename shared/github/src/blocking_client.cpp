#include "workbook/blocking_client.hpp"

#include "workbook/arrivals.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <arpa/inet.h>

#include <charconv>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <unordered_map>

namespace workbook {

// A note on the client's SSL_CTX: the path of a CA file that could not be
// read (a std::string the SSL_CTX owns and frees).
static int unreadable_ca_file_index() {
    static const int index = SSL_CTX_get_ex_new_index(
        0, nullptr, nullptr, nullptr, [](void*, void* note, CRYPTO_EX_DATA*, int, long, void*) {
            delete static_cast<std::string*>(note);
        });
    return index;
}

// The CA file the client could not read, or null.
static const std::string* unreadable_ca_file(const httplib::Client& client) {
    SSL_CTX* context = client.ssl_context();
    if (context == nullptr) return nullptr;
    return static_cast<const std::string*>(
        SSL_CTX_get_ex_data(context, unreadable_ca_file_index()));
}

// The read timeout each client was made with. cpp-httplib keeps it but has
// no getter, and reports a read that timed out with the same error as a
// connection that broke off: how long the read took tells them apart.
// Keyed by address (a client made where a freed one was replaces its entry);
// a client made elsewhere has cpp-httplib's default.
static std::mutex read_timeouts_mutex;
static std::unordered_map<const httplib::Client*, std::chrono::milliseconds> read_timeouts;

static std::chrono::milliseconds read_timeout_of(const httplib::Client& client) {
    const std::lock_guard lock(read_timeouts_mutex);
    const auto it = read_timeouts.find(&client);
    return it != read_timeouts.end() ? it->second
                                     : std::chrono::seconds(CPPHTTPLIB_READ_TIMEOUT_SECOND);
}

static bool is_ip_literal(const std::string& host) {
    unsigned char address[sizeof(in6_addr)];
    return inet_pton(AF_INET, host.c_str(), address) == 1 ||
           inet_pton(AF_INET6, host.c_str(), address) == 1;
}

std::unique_ptr<httplib::Client> make_blocking_client(const ApiConfig& api,
                                                      std::chrono::milliseconds timeout) {
    auto client = std::make_unique<httplib::Client>(api.origin().to_string());
    if (api.scheme == "https") {
        // Verification is on, always: against the stand-in's CA for the
        // stand-in, against the system's store for the real GitHub. A
        // plain-HTTP client never reads a CA file.
        client->enable_server_certificate_verification(true);
        if (!api.ca_file.empty()) {
            client->set_ca_cert_path(api.ca_file.c_str());
            // cpp-httplib reads the file at the first connection (so making a
            // client never fails), and only once: remember now whether it
            // can be read, for transport_failure to tell every request why.
            X509_STORE* probe = X509_STORE_new();
            if (X509_STORE_load_file(probe, api.ca_file.c_str()) != 1) {
                SSL_CTX_set_ex_data(client->ssl_context(), unreadable_ca_file_index(),
                                    new std::string(api.ca_file));
            }
            X509_STORE_free(probe);
            ERR_clear_error();
        }
        // OpenSSL checks the host name as part of the chain, so a wrong name
        // comes back as X509_V_ERR_HOSTNAME_MISMATCH (or IP_ADDRESS_MISMATCH).
        // cpp-httplib 0.11.4's own check, which runs after, lets an IPv4
        // address through against a certificate that lists an IPv6 one: it
        // compares the address with uninitialised memory.
        X509_VERIFY_PARAM* param = SSL_CTX_get0_param(client->ssl_context());
        if (is_ip_literal(api.host)) {
            X509_VERIFY_PARAM_set1_ip_asc(param, api.host.c_str());
        } else {
            X509_VERIFY_PARAM_set1_host(param, api.host.c_str(), api.host.size());
        }
    }
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(timeout);
    const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(timeout - seconds);
    client->set_connection_timeout(seconds.count(), micros.count());
    client->set_read_timeout(seconds.count(), micros.count());
    {
        const std::lock_guard lock(read_timeouts_mutex);
        read_timeouts[client.get()] = timeout;
    }
    client->set_write_timeout(seconds.count(), micros.count());
    client->set_keep_alive(true);  // one connection for all the requests
    // cpp-httplib 0.11.4 decodes gzip (Debian builds it with zlib) but never
    // asks for it: without this header a server sends the body as it is.
    httplib::Headers headers = {{"Accept", "application/vnd.github+json"},
                                {"Accept-Encoding", "gzip"},
                                {"User-Agent", "asio-workbook"}};
    // The token travels in a header: a URL ends up in logs and proxies.
    if (!api.token.empty()) headers.emplace("Authorization", "token " + api.token);
    client->set_default_headers(std::move(headers));
    return client;
}

namespace {

// The encodings cpp-httplib decodes by itself (Debian builds it with zlib and
// brotli). Anything else would reach the caller as compressed bytes.
bool decodable(const std::string& encoding) {
    return encoding.empty() || encoding == "identity" || encoding == "gzip" ||
           encoding == "x-gzip" || encoding == "deflate" || encoding == "br";
}

std::string bytes(std::size_t n) {
    if (n >= 1024 * 1024 && n % (1024 * 1024) == 0)
        return std::to_string(n / (1024 * 1024)) + " MiB";
    return std::to_string(n) + " bytes";
}

// One GET on one origin, with the body cap and the encoding check, and the
// one retry on a new connection when a kept-alive one was stale.
httplib::Response get_once(httplib::Client& client, const ApiConfig& api, const std::string& target,
                           std::size_t max_body) {
    const std::string where = api.origin().to_string();
    for (int attempt = 0;; ++attempt) {
        // Asked before the request: was a connection kept from the last one?
        const bool reused = client.is_socket_open() != 0;
        std::string body;
        bool head_seen = false;
        std::optional<TransportError> refused;
        const auto started = std::chrono::steady_clock::now();
        auto result = client.Get(
            target,
            // The head, before any of the body: the place to refuse early.
            [&](const httplib::Response& head) {
                head_seen = true;
                const auto encoding = head.get_header_value("Content-Encoding");
                if (!decodable(encoding)) {
                    refused.emplace(Failure::content_encoding,
                                    "the response from " + where + " is encoded as \"" + encoding +
                                        "\", which this client cannot decode");
                    return false;
                }
                // Parsed without exceptions: one thrown through cpp-httplib
                // would leave the client's bookkeeping half done.
                const auto length = head.get_header_value("Content-Length");
                std::uint64_t declared = 0;
                const auto [end, parse_error] =
                    std::from_chars(length.data(), length.data() + length.size(), declared);
                if (parse_error == std::errc() && end == length.data() + length.size() &&
                    declared > max_body) {
                    refused.emplace(Failure::body_too_large,
                                    "the response body from " + where + " is " + length +
                                        " bytes (Content-Length), over the client's cap of " +
                                        bytes(max_body));
                    return false;
                }
                return true;
            },
            // The body, decoded already: the cap counts what the program
            // would hold, so a small gzip that inflates to gigabytes stops too.
            [&](const char* data, std::size_t n) {
                if (body.size() + n > max_body) {
                    refused.emplace(Failure::body_too_large,
                                    "the response body from " + where +
                                        " is over the client's cap of " + bytes(max_body) +
                                        " (more than " + std::to_string(max_body) + " bytes came)");
                    return false;
                }
                body.append(data, n);
                return true;
            });
        if (result) {
            httplib::Response response = *result;
            response.body = std::move(body);
            return response;
        }
        if (refused) throw *refused;
        const auto error = result.error();
        // cpp-httplib says Read both for a read that timed out and for a
        // connection that ended: the time it took tells which. A hung server
        // is not the same advice as one that closed, and not worth a retry.
        const auto limit = read_timeout_of(client);
        const bool read_failed = error == httplib::Error::Read;
        if (read_failed && std::chrono::steady_clock::now() - started >= limit - limit / 20) {
            throw TransportError(Failure::timeout,
                                 "no complete response within the read timeout (" +
                                     std::to_string(limit.count()) + " ms)");
        }
        // Nothing of an answer on a kept-alive connection: the server had
        // closed it. cpp-httplib has closed it too, so this opens a new one.
        if (attempt == 0 && reused && !head_seen &&
            (read_failed || error == httplib::Error::Write)) {
            continue;
        }
        if (read_failed) {
            throw TransportError(Failure::broken_off,
                                 "no complete response: the connection ended before it");
        }
        throw transport_failure(client, error);
    }
}

}  // namespace

httplib::Response get_blocking(httplib::Client& client, const ApiConfig& api,
                               const std::string& target, std::size_t max_body) {
    ApiConfig here = api;
    std::string path = target;
    httplib::Client* current = &client;
    std::unique_ptr<httplib::Client> elsewhere;  // a client for another origin, made for a redirect
    for (int redirects = 0;; ++redirects) {
        auto response = get_once(*current, here, path, max_body);
        if (!is_redirect(response.status)) return response;
        if (redirects == max_redirects) {
            throw TransportError(Failure::redirect,
                                 "too many redirects: more than " + std::to_string(max_redirects) +
                                     " from " + api.origin().to_string() + target +
                                     ", the last to " +
                                     response.get_header_value("Location").substr(0, 200));
        }
        auto next = follow_redirect(here.origin(), path, response.get_header_value("Location"));
        if (next.origin == api.origin()) {
            here = api;  // back home: the token goes again
            current = &client;
        } else if (next.origin != here.origin()) {
            // Another host never sees the token (ApiConfig::at drops it).
            // cpp-httplib's own set_follow_location would copy the default
            // headers, Authorization among them, to the other host. The
            // timeouts are the default ones: a client does not tell its own.
            here = api.at(next.origin);
            elsewhere = make_blocking_client(here);
            current = elsewhere.get();
        }
        path = std::move(next.target);
    }
}

namespace {

RepoInfo fetch_repo_blocking_once(httplib::Client& client, const ApiConfig& api,
                                  std::string_view full_name) {
    httplib::Response response;
    try {
        response = get_blocking(client, api, api.repo_path(full_name));
    } catch (const TransportError& e) {
        throw FetchError(describe_transport_failure(api, full_name, e), 0, e.failure());
    }
    return repo_info_from_answer(api, full_name, response.status, response.body,
                                 response.get_header_value("X-RateLimit-Remaining"),
                                 response.get_header_value("Retry-After"));
}

}  // namespace

RepoInfo fetch_repo_blocking(httplib::Client& client, const ApiConfig& api,
                             std::string_view full_name) {
    try {
        auto info = fetch_repo_blocking_once(client, api, full_name);
        report_arrival(full_name, true);
        return info;
    } catch (...) {
        report_arrival(full_name, false);
        throw;
    }
}

TransportError transport_failure(const httplib::Client& client, httplib::Error error) {
    using httplib::Error;
    switch (error) {
        // cpp-httplib reports a name that does not resolve as a failed connect.
        case Error::Connection:
            return {Failure::connect,
                    "connection refused or unreachable (or the host name did not resolve)"};
        case Error::ConnectionTimeout:
            return {Failure::timeout, "connect timed out"};
        // cpp-httplib has one error for both a read that timed out and a
        // connection closed mid-response (get_blocking tells them apart by
        // the time the request took; a bare Get() cannot).
        case Error::Read:
            return {Failure::no_response,
                    "no complete response: the connection broke off or the read timed out"};
        case Error::Write:
            return {Failure::send, "the request could not be sent: the connection broke off"};
        // cpp-httplib also reports a handshake that timed out this way.
        case Error::SSLConnection:
            return {Failure::tls_handshake, "TLS handshake failed or timed out"};
        case Error::SSLLoadingCerts: {
            const auto* file = unreadable_ca_file(client);
            return {Failure::ca_file, "cannot load the CA certificates" +
                                          (file ? " from " + *file : std::string()) +
                                          ": it cannot be read or holds none"};
        }
        case Error::SSLServerVerification: {
            // cpp-httplib tries the CA file once: when that failed, the first
            // request says SSLLoadingCerts and every later one verifies
            // against an empty store, which would blame the certificate.
            if (const auto* file = unreadable_ca_file(client)) {
                return {Failure::ca_file, "cannot load the CA certificates from " + *file +
                                              ": it cannot be read or holds none"};
            }
            const long verify = client.get_openssl_verify_result();
            // cpp-httplib checks the host name itself, after OpenSSL has
            // accepted the chain: a verified chain means the name was wrong.
            if (verify == X509_V_OK || verify == X509_V_ERR_HOSTNAME_MISMATCH ||
                verify == X509_V_ERR_IP_ADDRESS_MISMATCH) {
                return {Failure::host_name,
                        "the certificate is valid but not made out to this host (" +
                            std::string(X509_verify_cert_error_string(verify)) + ")"};
            }
            return {Failure::certificate, std::string("the certificate did not verify: ") +
                                              X509_verify_cert_error_string(verify)};
        }
        case Error::ExceedRedirectCount:
            return {Failure::redirect, "too many redirects"};
        default:
            return {Failure::protocol, "no answer: " + httplib::to_string(error)};
    }
}

}  // namespace workbook

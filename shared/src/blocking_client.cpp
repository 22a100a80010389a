#include "workbook/blocking_client.hpp"

#include <openssl/x509.h>

namespace workbook {

std::unique_ptr<httplib::Client> make_blocking_client(const ApiConfig& api,
                                                      std::chrono::milliseconds timeout) {
    auto client = std::make_unique<httplib::Client>(api.origin());
    if (api.scheme == "https") {
        // Verification is on, always: against the stand-in's CA for the
        // stand-in, against the system's store for the real GitHub.
        client->enable_server_certificate_verification(true);
        if (!api.ca_file.empty()) client->set_ca_cert_path(api.ca_file.c_str());
    }
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(timeout);
    const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(timeout - seconds);
    client->set_connection_timeout(seconds.count(), micros.count());
    client->set_read_timeout(seconds.count(), micros.count());
    client->set_write_timeout(seconds.count(), micros.count());
    client->set_keep_alive(true);  // one connection for all the requests
    httplib::Headers headers = {{"Accept", "application/vnd.github+json"},
                                {"User-Agent", "asio-workbook"}};
    // The token travels in a header: a URL ends up in logs and proxies.
    if (!api.token.empty()) headers.emplace("Authorization", "token " + api.token);
    client->set_default_headers(std::move(headers));
    return client;
}

RepoInfo fetch_repo_blocking(httplib::Client& client, const ApiConfig& api, std::string_view full_name) {
    const auto result = client.Get(api.repo_path(full_name));
    if (!result) {
        throw FetchError(describe_transport_failure(api, full_name, transport_failure(client, result.error())));
    }
    if (result->status != 200) {
        throw FetchError(describe_status(full_name, result->status, result->body,
                                         result->get_header_value("X-RateLimit-Remaining")),
                         result->status);
    }
    try {
        return parse_repo_info(result->body);
    } catch (const ParseError& e) {
        throw FetchError(std::string(full_name) + ": " + e.what(), result->status);
    }
}

std::string transport_failure(const httplib::Client& client, httplib::Error error) {
    using httplib::Error;
    switch (error) {
        case Error::Connection: return "connection refused or unreachable";
        case Error::ConnectionTimeout: return "connect timed out";
        // cpp-httplib has one error for both a read that timed out and a
        // connection closed mid-response.
        case Error::Read: return "no complete response: the connection broke off or the read timed out";
        case Error::Write: return "the request could not be sent: the connection broke off";
        case Error::SSLConnection: return "TLS handshake failed";
        case Error::SSLLoadingCerts: return "TLS: cannot load the CA certificates";
        case Error::SSLServerVerification:
            return std::string("TLS certificate did not verify: ") +
                   X509_verify_cert_error_string(client.get_openssl_verify_result());
        default: return httplib::to_string(error);
    }
}

}  // namespace workbook

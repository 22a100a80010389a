#include "workbook/http_client.hpp"

#include <llhttp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <asio/connect.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ssl.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <cctype>
#include <cstdint>
#include <optional>

#include "workbook/arrivals.hpp"
#include "workbook/async_semaphore.hpp"

namespace workbook::http {

using asio::ip::tcp;
using Clock = std::chrono::steady_clock;
constexpr auto nothrow = asio::experimental::as_tuple(asio::use_awaitable);

std::string_view ClientResponse::header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
        if (std::equal(key.begin(), key.end(), name.begin(), name.end(), [](char a, char b) {
                return std::tolower(static_cast<unsigned char>(a)) ==
                       std::tolower(static_cast<unsigned char>(b));
            })) {
            return value;
        }
    }
    return {};
}

namespace {

// One connection, plain or TLS. Only a TLS connection pays for an SSL object
// and its buffers (about 60 KiB): at a thousand connections that matters.
//
// Timeouts: a watchdog waits on a timer; when the deadline passes
// it closes the socket, which makes whatever operation is pending fail at
// once, TLS or not. A later deadline only updates `deadline_at_` (the
// watchdog re-arms when the timer fires early); only an earlier one moves the
// timer and wakes the watchdog. Most requests then cost no timer operation.
class Connection : public std::enable_shared_from_this<Connection> {
  public:
    // `tls_context`: null for plain HTTP.
    Connection(const asio::any_io_executor& ex, asio::ssl::context* tls_context) : deadline_(ex) {
        if (tls_context) {
            stream_.emplace(ex, *tls_context);
        } else {
            plain_.emplace(ex);
        }
        deadline_.expires_at(Clock::time_point::max());
    }

    // Arms the watchdog. A plain handler rather than a coroutine: one per
    // connection, and a thousand connections at once should not cost a
    // thousand coroutine frames. The handler's copy of the shared_ptr keeps
    // the connection alive until the watchdog has seen it closed.
    void start_watchdog() {
        deadline_.async_wait([self = shared_from_this()](std::error_code) { self->on_deadline(); });
    }

    tcp::socket& socket() { return stream_ ? stream_->next_layer() : *plain_; }
    asio::ssl::stream<tcp::socket>& tls_stream() { return *stream_; }
    bool tls() const { return stream_.has_value(); }
    bool closed() const { return closed_; }
    bool timed_out() const { return timed_out_; }

    void expire_after(std::chrono::milliseconds limit) {
        deadline_at_ = Clock::now() + limit;
        if (deadline_at_ < deadline_.expiry()) deadline_.expires_at(deadline_at_);
    }
    void no_deadline() { deadline_at_ = Clock::time_point::max(); }

    void close() {
        if (closed_) return;
        closed_ = true;
        std::error_code ignored;
        socket().close(ignored);
        deadline_.cancel();
    }

    asio::awaitable<std::tuple<std::error_code, std::size_t>> read_some(
        asio::mutable_buffer buffer) {
        if (stream_) co_return co_await stream_->async_read_some(buffer, nothrow);
        co_return co_await plain_->async_read_some(buffer, nothrow);
    }

    asio::awaitable<std::tuple<std::error_code, std::size_t>> write(std::string_view data) {
        if (stream_) co_return co_await asio::async_write(*stream_, asio::buffer(data), nothrow);
        co_return co_await asio::async_write(*plain_, asio::buffer(data), nothrow);
    }

  private:
    // The timer fired, or was moved (an earlier deadline) or cancelled (close).
    void on_deadline() {
        if (closed_) return;
        if (deadline_at_ <= Clock::now()) {
            timed_out_ = true;
            close();
            return;
        }
        if (deadline_.expiry() <= Clock::now()) {
            deadline_.expires_at(deadline_at_);  // fired for a deadline that has since moved later
        }
        start_watchdog();
    }

    std::optional<asio::ssl::stream<tcp::socket>> stream_;  // HTTPS
    std::optional<tcp::socket> plain_;                      // HTTP
    asio::steady_timer deadline_;
    Clock::time_point deadline_at_ = Clock::time_point::max();
    bool closed_ = false;
    bool timed_out_ = false;
};

// Reads one response with llhttp. Nothing here does I/O.
class ResponseParser {
  public:
    explicit ResponseParser(std::size_t max_body) : max_body_(max_body) {
        llhttp_settings_init(&settings_);
        settings_.on_header_field = [](llhttp_t* p, const char* at, std::size_t n) {
            auto& self = *static_cast<ResponseParser*>(p->data);
            if (self.response_.headers.empty() || self.in_value_)
                self.response_.headers.emplace_back();
            self.in_value_ = false;
            self.response_.headers.back().first.append(at, n);
            return 0;
        };
        settings_.on_header_value = [](llhttp_t* p, const char* at, std::size_t n) {
            auto& self = *static_cast<ResponseParser*>(p->data);
            self.in_value_ = true;
            self.response_.headers.back().second.append(at, n);
            return 0;
        };
        settings_.on_headers_complete = [](llhttp_t* p) {
            auto& self = *static_cast<ResponseParser*>(p->data);
            self.response_.status = p->status_code;
            // A Content-Length over the cap is refused before any of the body.
            if ((p->flags & F_CONTENT_LENGTH) && p->content_length > self.max_body_) {
                self.too_large_ = true;
                self.declared_length_ = p->content_length;
                return -1;
            }
            return 0;
        };
        settings_.on_body = [](llhttp_t* p, const char* at, std::size_t n) {
            auto& self = *static_cast<ResponseParser*>(p->data);
            if (self.response_.body.size() + n > self.max_body_) {
                self.too_large_ = true;
                return -1;
            }
            self.response_.body.append(at, n);
            return 0;
        };
        settings_.on_message_complete = [](llhttp_t* p) {
            auto& self = *static_cast<ResponseParser*>(p->data);
            self.complete_ = true;
            // Asked now: once this returns, llhttp resets for the next message.
            self.keep_alive_ = llhttp_should_keep_alive(p) != 0;
            return 0;
        };
        llhttp_init(&parser_, HTTP_RESPONSE, &settings_);
        parser_.data = this;
    }
    ResponseParser(const ResponseParser&) = delete;
    ResponseParser& operator=(const ResponseParser&) = delete;

    // Feeds bytes; an empty string when fine, else what is wrong.
    std::string feed(const char* data, std::size_t size) {
        const auto err = llhttp_execute(&parser_, data, size);
        if (err == HPE_OK) return {};
        const char* reason = llhttp_get_error_reason(&parser_);
        return reason && *reason ? reason : llhttp_errno_name(err);
    }
    // The connection ended: a body framed by the end of the connection is
    // complete now; any other response is not.
    void finish() { llhttp_finish(&parser_); }

    bool complete() const { return complete_; }
    bool keep_alive() const { return keep_alive_; }
    // The body went over the cap; the Content-Length that said so, if any.
    bool too_large() const { return too_large_; }
    std::uint64_t declared_length() const { return declared_length_; }
    ClientResponse take() { return std::move(response_); }

  private:
    std::size_t max_body_;
    llhttp_settings_t settings_;
    llhttp_t parser_;
    ClientResponse response_;
    bool in_value_ = false;
    bool complete_ = false;
    bool keep_alive_ = false;
    bool too_large_ = false;
    std::uint64_t declared_length_ = 0;
};

std::string bytes(std::uint64_t n) {
    if (n >= 1024 * 1024 && n % (1024 * 1024) == 0)
        return std::to_string(n / (1024 * 1024)) + " MiB";
    return std::to_string(n) + " bytes";
}

// Decodes a gzip body (RFC 1952) with zlib, up to `max` bytes decoded: the cap
// counts what the program will hold, so a small body that inflates to
// gigabytes is stopped as it grows.
std::string gunzip(std::string_view in, std::size_t max, const std::string& where) {
    z_stream z{};
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {  // 16 +: a gzip header, not zlib's
        throw TransportError(Step::content_encoding,
                             "zlib could not start decoding the body from " + where);
    }
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z.avail_in = static_cast<uInt>(in.size());
    std::string out;
    std::array<char, 16384> chunk;
    int status = Z_OK;
    while (status == Z_OK) {
        z.next_out = reinterpret_cast<Bytef*>(chunk.data());
        z.avail_out = static_cast<uInt>(chunk.size());
        status = inflate(&z, Z_NO_FLUSH);
        const std::size_t produced = chunk.size() - z.avail_out;
        if (out.size() + produced > max) {
            inflateEnd(&z);
            throw TransportError(Step::body_too_large,
                                 "the gzip body from " + where +
                                     " decodes to more than the client's cap of " + bytes(max) +
                                     " (" + std::to_string(in.size()) + " bytes compressed)");
        }
        out.append(chunk.data(), produced);
        // Z_BUF_ERROR with input left means no progress; with none left, the
        // stream ended before its end marker: both are a broken body.
        if (status == Z_BUF_ERROR) break;
    }
    const std::string why = z.msg ? z.msg : "it ends before the gzip stream does";
    inflateEnd(&z);
    if (status != Z_STREAM_END) {
        throw TransportError(Step::content_encoding,
                             "the gzip body from " + where + " is corrupt: " + why);
    }
    return out;
}

bool is_ip_literal(const std::string& host) {
    std::error_code ec;
    asio::ip::make_address(host, ec);
    return !ec;
}

std::string ms(std::chrono::milliseconds d) {
    return std::to_string(d.count()) + " ms";
}

// A reused keep-alive connection that the server had closed meanwhile: the
// request is safe to send again on a new one.
struct StaleConnection {};

// An operation ended by a cancellation of the request (chapter 08's timeout
// or Ctrl-C), not by the watchdog and not by the network: the connection is
// closed (it may be half-way through a response) and the cancellation goes
// on up as what it is, not as a transport failure.
void throw_if_cancelled(Connection& connection, const std::error_code& error) {
    if (error != asio::error::operation_aborted || connection.timed_out()) return;
    connection.close();
    throw asio::system_error(error);
}

}  // namespace

struct Client::Impl {
    asio::any_io_executor executor;
    ApiConfig api;
    ClientOptions options;
    // Made at the first HTTPS connection, not with the client: a plain-HTTP
    // client never reads the CA file, and one that cannot be read is a
    // request's error (each request of a batch says so) rather than an
    // exception out of a constructor inside somebody's coroutine.
    std::optional<asio::ssl::context> tls_context;
    std::vector<std::shared_ptr<Connection>> idle;
    std::size_t opened = 0;
    std::string where;                     // "host:port", for messages
    std::vector<tcp::endpoint> endpoints;  // the host's addresses, once resolved

    // Turns at opening connections (ClientOptions::max_connecting).
    AsyncSemaphore connect_turns;

    Impl(asio::any_io_executor ex, ApiConfig a, ClientOptions o)
        : executor(std::move(ex)),
          api(std::move(a)),
          options(o),
          where(api.host + ":" + std::to_string(api.port)),
          connect_turns(o.max_connecting == 0 ? SIZE_MAX : o.max_connecting) {}

    // The TLS context with the CA certificates loaded, made once; throws
    // TransportError(Step::ca_file) naming the file when it cannot be read.
    asio::ssl::context& tls() {
        if (tls_context) return *tls_context;
        asio::ssl::context context(asio::ssl::context::tls_client);
        context.set_verify_mode(asio::ssl::verify_peer);
        std::error_code ec;
        if (api.ca_file.empty()) {
            context.set_default_verify_paths(ec);
        } else {
            context.load_verify_file(api.ca_file, ec);
        }
        if (ec) {
            throw TransportError(
                Step::ca_file,
                "cannot load the CA certificates from " +
                    (api.ca_file.empty() ? std::string("the system's store") : api.ca_file) + ": " +
                    ec.message());
        }
        return tls_context.emplace(std::move(context));
    }

    ~Impl() {
        for (auto& c : idle) c->close();
    }

    asio::awaitable<std::shared_ptr<Connection>> connect() {
        // A burst of connects beyond the server's listen backlog gets SYNs
        // dropped and sent again a second later: take turns instead.
        // The turn is given back when `turn` goes, however connect() ends.
        const auto turn = co_await connect_turns.acquire();

        auto connection =
            std::make_shared<Connection>(executor, api.scheme == "https" ? &tls() : nullptr);
        connection->start_watchdog();
        connection->expire_after(options.connect_timeout);
        ++opened;

        if (endpoints.empty()) {
            // Resolved once per client: getaddrinfo blocks, so Asio runs it on
            // a helper thread, and a thousand connections would queue there.
            std::error_code ec;
            const auto ip = asio::ip::make_address(api.host, ec);
            if (!ec) {
                endpoints.emplace_back(ip, api.port);
            } else {
                tcp::resolver resolver(executor);
                auto [resolve_error, results] =
                    co_await resolver.async_resolve(api.host, std::to_string(api.port), nothrow);
                if (resolve_error) {
                    connection->close();
                    throw TransportError(Step::resolve, "cannot resolve " + api.host + ": " +
                                                            resolve_error.message());
                }
                if (endpoints.empty()) {
                    for (const auto& entry : results) endpoints.push_back(entry.endpoint());
                }
            }
        }
        // Each address in turn ("localhost" may be ::1 and 127.0.0.1).
        std::error_code connect_error = asio::error::host_not_found;
        const auto candidates =
            endpoints;  // a copy: another connect may fill `endpoints` meanwhile
        for (const auto& endpoint : candidates) {
            if (connection->timed_out()) break;
            std::error_code ignored;
            connection->socket().close(ignored);
            connection->socket().open(endpoint.protocol(), ignored);
            std::tie(connect_error) =
                co_await connection->socket().async_connect(endpoint, nothrow);
            throw_if_cancelled(*connection, connect_error);
            if (!connect_error) break;
        }
        if (connection->timed_out()) {
            throw TransportError(Step::timeout, "connect to " + where + " timed out after " +
                                                    ms(options.connect_timeout));
        }
        if (connect_error) {
            connection->close();
            throw TransportError(Step::connect,
                                 "connect to " + where + ": " + connect_error.message());
        }
        std::error_code ignored;
        connection->socket().set_option(tcp::no_delay(true), ignored);

        if (connection->tls()) {
            auto& stream = connection->tls_stream();
            SSL* ssl = stream.native_handle();
            // The chain must lead to a trusted CA *and* name this host.
            // OpenSSL checks the name itself (rather than Asio's
            // host_name_verification callback), so a wrong name comes back
            // as X509_V_ERR_HOSTNAME_MISMATCH, not as an unspecified failure.
            if (is_ip_literal(api.host)) {
                X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), api.host.c_str());
            } else {
                SSL_set1_host(ssl, api.host.c_str());
                // SNI: the name of the site we want, for servers that host several.
                SSL_set_tlsext_host_name(ssl, api.host.c_str());
            }
            auto [handshake_error] =
                co_await stream.async_handshake(asio::ssl::stream_base::client, nothrow);
            throw_if_cancelled(*connection, handshake_error);
            if (connection->timed_out()) {
                throw TransportError(Step::timeout, "TLS handshake with " + where +
                                                        " timed out after " +
                                                        ms(options.connect_timeout));
            }
            if (handshake_error) {
                const long verify = SSL_get_verify_result(ssl);
                connection->close();
                if (verify == X509_V_ERR_HOSTNAME_MISMATCH ||
                    verify == X509_V_ERR_IP_ADDRESS_MISMATCH) {
                    throw TransportError(Step::host_name,
                                         "the certificate of " + where + " is not made out to " +
                                             api.host + " (" +
                                             X509_verify_cert_error_string(verify) + ")");
                }
                if (verify != X509_V_OK) {
                    throw TransportError(Step::certificate,
                                         "the certificate of " + where + " did not verify: " +
                                             X509_verify_cert_error_string(verify));
                }
                throw TransportError(
                    Step::tls_handshake,
                    "TLS handshake with " + where + " failed: " + handshake_error.message());
            }
        }
        connection->no_deadline();
        co_return connection;
    }

    std::string request_text(const std::string& target) const {
        const bool default_port =
            (api.scheme == "http" && api.port == 80) || (api.scheme == "https" && api.port == 443);
        std::string text =
            "GET " + target + " HTTP/1.1\r\nHost: " + api.host +
            (default_port ? "" : ":" + std::to_string(api.port)) +
            "\r\nUser-Agent: asio-workbook\r\nAccept: application/vnd.github+json\r\n"
            // gzip, and only gzip: the one encoding decode() knows.
            "Accept-Encoding: gzip\r\n";
        // The token travels in a header, never in the target.
        if (!api.token.empty()) text += "Authorization: token " + api.token + "\r\n";
        return text + "\r\n";
    }

    // One request and its response on `connection`. Throws StaleConnection
    // when a reused connection turns out to be closed before any answer.
    asio::awaitable<ClientResponse> exchange(Connection& connection, const std::string& target,
                                             bool reused) {
        connection.expire_after(options.read_timeout);
        const std::string request = request_text(target);
        auto [write_error, written] = co_await connection.write(request);
        throw_if_cancelled(connection, write_error);
        if (write_error && !connection.timed_out()) {
            connection.close();
            if (reused) throw StaleConnection{};
            throw TransportError(Step::send, "sending the request to " + where +
                                                 " failed: " + write_error.message());
        }
        ResponseParser parser(options.max_body_bytes);
        std::array<char, 2048>
            buffer;  // in the coroutine frame: small, as a thousand frames may be alive at once
        std::size_t received = 0;
        while (!parser.complete()) {
            auto [read_error, n] = co_await connection.read_some(asio::buffer(buffer));
            throw_if_cancelled(connection, read_error);
            if (connection.timed_out()) {
                throw TransportError(Step::timeout, "timed out after " + ms(options.read_timeout) +
                                                        " waiting for the response from " + where);
            }
            if (read_error) {
                connection.close();
                if (received == 0 && reused) throw StaleConnection{};
                parser.finish();  // a body that ends with the connection is complete now
                if (parser.complete()) break;
                if (received == 0) {
                    throw TransportError(Step::broken_off, "the connection to " + where +
                                                               " broke off before any response (" +
                                                               read_error.message() + ")");
                }
                throw TransportError(Step::broken_off,
                                     "the connection to " + where + " broke off after " +
                                         std::to_string(received) + " bytes of the response (" +
                                         read_error.message() + ")");
            }
            received += n;
            if (auto problem = parser.feed(buffer.data(), n); !problem.empty()) {
                connection.close();
                if (parser.too_large()) {
                    throw TransportError(
                        Step::body_too_large,
                        "the response body from " + where + " is " +
                            (parser.declared_length()
                                 ? std::to_string(parser.declared_length()) +
                                       " bytes (Content-Length)"
                                 : "more than " + std::to_string(options.max_body_bytes) +
                                       " bytes") +
                            ", over the client's cap of " + bytes(options.max_body_bytes) +
                            " (ClientOptions::max_body_bytes)");
                }
                throw TransportError(Step::protocol, "the response from " + where +
                                                         " is not valid HTTP: " + problem);
            }
        }
        connection.no_deadline();
        if (!parser.keep_alive()) connection.close();
        co_return decode(parser.take());
    }

    // The body as the server meant it: gzip decoded, identity as it is, and
    // any other encoding refused by name rather than handed on as bytes that
    // a JSON parser would choke on (or print).
    ClientResponse decode(ClientResponse response) const {
        const std::string encoding(response.header("Content-Encoding"));
        if (encoding.empty() || encoding == "identity") return response;
        if (encoding == "gzip" || encoding == "x-gzip") {
            response.body = gunzip(response.body, options.max_body_bytes, where);
            return response;
        }
        throw TransportError(Step::content_encoding, "the response from " + where +
                                                         " is encoded as \"" + encoding +
                                                         "\", which this client cannot decode");
    }

    // One request on `impl`'s origin: an idle connection if there is one that is
    // still open, otherwise a new one; never a wait for one to free up.
    static asio::awaitable<ClientResponse> get_on(std::shared_ptr<Impl> impl, std::string target) {
        bool fresh_only = false;
        for (int attempt = 0;; ++attempt) {
            std::shared_ptr<Connection> connection;
            bool reused = false;
            while (!fresh_only && !impl->idle.empty() && !connection) {
                connection = std::move(impl->idle.back());
                impl->idle.pop_back();
                if (connection->closed()) connection.reset();
            }
            if (connection) {
                reused = true;
            } else {
                connection = co_await impl->connect();
            }
            try {
                auto response = co_await impl->exchange(*connection, target, reused);
                if (!connection->closed()) impl->idle.push_back(std::move(connection));
                co_return response;
            } catch (const StaleConnection&) {
                if (attempt > 0) {
                    throw TransportError(Step::broken_off, "the connection to " + impl->where +
                                                               " broke off before any response");
                }
                // The server had closed the idle connection. The retry takes a
                // new one: a server that closed this one has likely closed the
                // other idle ones too (one that closes after every answer
                // without saying so closes them all), and a second stale one
                // would fail the request.
                fresh_only = true;
            } catch (...) {
                connection->close();
                throw;
            }
        }
    }
};

Client::Client(asio::any_io_executor executor, ApiConfig api, ClientOptions options)
    : impl_(std::make_shared<Impl>(std::move(executor), std::move(api), options)) {}

Client::~Client() = default;

asio::awaitable<ClientResponse> Client::get(std::string target) {
    const auto home = impl_;  // the coroutine keeps the pool alive while it runs
    auto here = home;
    std::string path = std::move(target);
    for (int redirects = 0;; ++redirects) {
        auto response = co_await Impl::get_on(here, path);
        if (!is_redirect(response.status)) co_return response;
        if (redirects == max_redirects) {
            throw TransportError(Step::redirect,
                                 "too many redirects: more than " + std::to_string(max_redirects) +
                                     " from " + home->api.origin() + ", the last to " +
                                     std::string(response.header("Location").substr(0, 200)));
        }
        auto next = resolve_redirect(here->api, path, response.header("Location"));
        if (same_origin(next.api, home->api)) {
            here = home;  // back to the API's origin, the token with it
        } else if (!same_origin(next.api, here->api)) {
            // Another origin gets a pool of its own, without the token
            // (resolve_redirect dropped it), for as long as this request.
            here = std::make_shared<Impl>(home->executor, std::move(next.api), home->options);
        }
        path = std::move(next.target);
    }
}

std::size_t Client::idle_connections() const {
    return impl_->idle.size();
}

std::size_t Client::connections_opened() const {
    return impl_->opened;
}

namespace {

asio::awaitable<RepoInfo> fetch_repo_async_once(Client& client, const ApiConfig& api,
                                                std::string full_name) {
    const std::string path =
        api.repo_path(full_name);  // throws invalid_argument before anything is sent
    ClientResponse response;
    try {
        response = co_await client.get(path);
    } catch (const TransportError& e) {
        throw FetchError(describe_transport_failure(api, full_name, e), 0, e.step());
    }
    co_return repo_info_from_answer(api, full_name, response.status, response.body,
                                    response.header("X-RateLimit-Remaining"),
                                    response.header("Retry-After"));
}

}  // namespace

asio::awaitable<RepoInfo> fetch_repo_async(Client& client, const ApiConfig& api,
                                           std::string full_name) {
    bool ok = false;
    try {
        auto info = co_await fetch_repo_async_once(client, api, full_name);
        ok = true;
        report_arrival(full_name, true);
        co_return info;
    } catch (...) {
        if (!ok) report_arrival(full_name, false);
        throw;
    }
}

}  // namespace workbook::http

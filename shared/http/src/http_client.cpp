#include "workbook/http_client.hpp"

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <zlib.h>

#include <array>
#include <asio/ip/tcp.hpp>
#include <asio/ssl.hpp>
#include <asio/this_coro.hpp>
#include <asio/write.hpp>
#include <cstdint>
#include <optional>

#include "deadline.hpp"
#include "workbook/async_semaphore.hpp"
#include "workbook/http_parser.hpp"
#include "workbook/nothrow.hpp"
#include "workbook/resolve.hpp"

namespace workbook::http {

using asio::ip::tcp;

namespace {

// One connection, plain or TLS. Only a TLS connection pays for an SSL object
// and its buffers (about 60 KiB): at a thousand connections that matters.
// Its Deadline (deadline.hpp) closes the socket when a timeout passes, which
// makes whatever operation is pending fail at once, TLS or not.
class Connection : public std::enable_shared_from_this<Connection> {
  public:
    // `tls_context`: null for plain HTTP.
    Connection(const asio::any_io_executor& ex, asio::ssl::context* tls_context) : deadline_(ex) {
        if (tls_context) {
            stream_.emplace(ex, *tls_context);
        } else {
            plain_.emplace(ex);
        }
    }

    // Starts the deadline's watch. Call once, right after make_shared.
    void watch() {
        deadline_.watch(shared_from_this(), [this] { close(); });
    }

    tcp::socket& socket() { return stream_ ? stream_->next_layer() : *plain_; }
    asio::ssl::stream<tcp::socket>& tls_stream() { return *stream_; }
    bool tls() const { return stream_.has_value(); }
    bool closed() const { return closed_; }
    bool timed_out() const { return deadline_.expired(); }

    void expire_after(std::chrono::milliseconds limit) { deadline_.expire_after(limit); }
    void no_deadline() { deadline_.clear(); }

    void close() {
        if (closed_) return;
        closed_ = true;
        std::error_code ignored;
        socket().close(ignored);
        deadline_.stop();
    }

    // Plain functions, not coroutines: each hands back the operation's own
    // awaitable, so a read or a write costs no coroutine frame of its own.
    asio::awaitable<std::tuple<std::error_code, std::size_t>> read_some(
        asio::mutable_buffer buffer) {
        if (stream_) return stream_->async_read_some(buffer, nothrow);
        return plain_->async_read_some(buffer, nothrow);
    }

    asio::awaitable<std::tuple<std::error_code, std::size_t>> write(std::string_view data) {
        if (stream_) return asio::async_write(*stream_, asio::buffer(data), nothrow);
        return asio::async_write(*plain_, asio::buffer(data), nothrow);
    }

  private:
    std::optional<asio::ssl::stream<tcp::socket>> stream_;  // HTTPS
    std::optional<tcp::socket> plain_;                      // HTTP
    Deadline deadline_;
    bool closed_ = false;
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
        throw TransportError(Failure::content_encoding,
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
            throw TransportError(Failure::body_too_large,
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
        throw TransportError(Failure::content_encoding,
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
    Origin origin;
    ClientOptions options;
    std::string where;  // "host:port", for messages
    // Made at the first HTTPS connection, not with the client: a plain-HTTP
    // client never reads the CA file, and one that cannot be read is a
    // request's error (each request of a batch says so) rather than an
    // exception out of a constructor inside somebody's coroutine.
    std::optional<asio::ssl::context> tls_context;
    std::vector<std::shared_ptr<Connection>> idle;
    std::size_t opened = 0;
    std::vector<tcp::endpoint> endpoints;  // the host's addresses, once resolved
    // Turns at opening connections (ClientOptions::max_connecting).
    AsyncSemaphore connect_turns;

    Impl(asio::any_io_executor ex, Origin o, ClientOptions opts)
        : executor(std::move(ex)),
          origin(std::move(o)),
          options(std::move(opts)),
          where(origin.host + ":" + std::to_string(origin.port)),
          connect_turns(options.max_connecting == 0 ? SIZE_MAX : options.max_connecting) {
        // gzip, and only gzip: the one encoding decode() knows.
        fixed_head = "Host: " + origin.authority() + "\r\nAccept-Encoding: gzip\r\n";
        for (const auto& [name, value] : options.headers)
            fixed_head.append(name).append(": ").append(value).append("\r\n");
        fixed_head += "\r\n";
    }

    ~Impl() {
        for (auto& c : idle) c->close();
    }

    // The TLS context with the CA certificates loaded, made once; throws
    // TransportError(Failure::ca_file) naming the file when it cannot be read.
    asio::ssl::context& tls() {
        if (tls_context) return *tls_context;
        asio::ssl::context context(asio::ssl::context::tls_client);
        context.set_verify_mode(asio::ssl::verify_peer);
        std::error_code ec;
        if (options.ca_file.empty()) {
            context.set_default_verify_paths(ec);
        } else {
            context.load_verify_file(options.ca_file, ec);
        }
        if (ec) {
            throw TransportError(Failure::ca_file,
                                 "cannot load the CA certificates from " +
                                     (options.ca_file.empty() ? std::string("the system's store")
                                                              : options.ca_file) +
                                     ": " + ec.message());
        }
        return tls_context.emplace(std::move(context));
    }

    // A new connection, connected (and TLS set up) within connect_timeout.
    asio::awaitable<std::shared_ptr<Connection>> connect() {
        // A burst of connects beyond the server's listen backlog gets SYNs
        // dropped and sent again a second later: take turns instead.
        // The turn is given back when `turn` goes, however connect() ends.
        const auto turn = co_await connect_turns.acquire();
        auto connection =
            std::make_shared<Connection>(executor, origin.scheme == "https" ? &tls() : nullptr);
        connection->watch();
        connection->expire_after(options.connect_timeout);
        ++opened;
        try {
            if (endpoints.empty()) co_await resolve();
            co_await open_tcp(*connection);
            if (connection->tls()) co_await tls_handshake(*connection);
        } catch (...) {
            connection->close();
            throw;
        }
        connection->no_deadline();
        co_return connection;
    }

    // Step 1: the host's addresses, looked up once per client: getaddrinfo
    // blocks, so Asio runs it on a helper thread, and a thousand connections
    // would queue there.
    asio::awaitable<void> resolve() {
        auto found = co_await resolve_endpoints(executor, origin.host, origin.port);
        if (endpoints.empty()) endpoints = std::move(found);  // another connect may have filled it
    }

    // Step 2: TCP, to each address in turn ("localhost" may be ::1 and
    // 127.0.0.1) until one answers.
    asio::awaitable<void> open_tcp(Connection& connection) {
        std::error_code connect_error = asio::error::host_not_found;
        const auto candidates = endpoints;  // a copy: it must not change under the loop
        for (const auto& endpoint : candidates) {
            if (connection.timed_out()) break;
            std::error_code ignored;
            connection.socket().close(ignored);
            connection.socket().open(endpoint.protocol(), ignored);
            std::tie(connect_error) = co_await connection.socket().async_connect(endpoint, nothrow);
            throw_if_cancelled(connection, connect_error);
            if (!connect_error) break;
        }
        if (connection.timed_out()) {
            throw TransportError(Failure::timeout, "connect to " + where + " timed out after " +
                                                       ms(options.connect_timeout));
        }
        if (connect_error) {
            throw TransportError(Failure::connect,
                                 "connect to " + where + ": " + connect_error.message());
        }
        // A request leaves in one write today, which Nagle's algorithm never
        // holds back; TCP_NODELAY keeps it so the day a request is written
        // in two (a head, then a body): chapter 10 shows what Nagle and a
        // delayed ACK do to a server that writes its answer that way.
        std::error_code ignored;
        connection.socket().set_option(tcp::no_delay(true), ignored);
    }

    // Step 3 (HTTPS): the handshake, with the chain verified against the CA
    // *and* the certificate made out to this host.
    asio::awaitable<void> tls_handshake(Connection& connection) {
        auto& stream = connection.tls_stream();
        SSL* ssl = stream.native_handle();
        // OpenSSL checks the name itself (rather than Asio's
        // host_name_verification callback), so a wrong name comes back as
        // X509_V_ERR_HOSTNAME_MISMATCH, not as an unspecified failure.
        if (is_ip_literal(origin.host)) {
            X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), origin.host.c_str());
        } else {
            SSL_set1_host(ssl, origin.host.c_str());
            // SNI: the name of the site we want, for servers that host several.
            SSL_set_tlsext_host_name(ssl, origin.host.c_str());
        }
        auto [error] = co_await stream.async_handshake(asio::ssl::stream_base::client, nothrow);
        throw_if_cancelled(connection, error);
        if (connection.timed_out()) {
            throw TransportError(
                Failure::timeout,
                "TLS handshake with " + where + " timed out after " + ms(options.connect_timeout));
        }
        if (!error) co_return;
        const long verify = SSL_get_verify_result(ssl);
        if (verify == X509_V_ERR_HOSTNAME_MISMATCH || verify == X509_V_ERR_IP_ADDRESS_MISMATCH) {
            throw TransportError(Failure::host_name,
                                 "the certificate of " + where + " is not made out to " +
                                     origin.host + " (" + X509_verify_cert_error_string(verify) +
                                     ")");
        }
        if (verify != X509_V_OK) {
            throw TransportError(Failure::certificate,
                                 "the certificate of " + where +
                                     " did not verify: " + X509_verify_cert_error_string(verify));
        }
        throw TransportError(Failure::tls_handshake,
                             "TLS handshake with " + where + " failed: " + error.message());
    }

    // The request line, Host, Accept-Encoding and the default headers
    // (`fixed_head`, written once per client).
    std::string request_text(const std::string& target) const {
        std::string text;
        text.reserve(target.size() + fixed_head.size() + 16);
        text.append("GET ").append(target).append(" HTTP/1.1\r\n").append(fixed_head);
        return text;
    }
    std::string fixed_head;

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
            throw TransportError(Failure::send, "sending the request to " + where +
                                                    " failed: " + write_error.message());
        }
        ResponseParser parser(options.max_body_bytes);
        // In the coroutine frame: small, as a thousand frames may be alive at once.
        std::array<char, 2048> buffer;
        std::size_t received = 0;
        while (!parser.complete()) {
            auto [read_error, n] = co_await connection.read_some(asio::buffer(buffer));
            throw_if_cancelled(connection, read_error);
            if (connection.timed_out()) {
                throw TransportError(Failure::timeout,
                                     "timed out after " + ms(options.read_timeout) +
                                         " waiting for the response from " + where);
            }
            if (read_error) {
                connection.close();
                if (received == 0 && reused) throw StaleConnection{};
                parser.finish();  // a body that ends with the connection is complete now
                if (parser.complete()) break;
                throw TransportError(Failure::broken_off,
                                     "the connection to " + where + " broke off " +
                                         (received == 0 ? std::string("before any response")
                                                        : "after " + std::to_string(received) +
                                                              " bytes of the response") +
                                         " (" + read_error.message() + ")");
            }
            received += n;
            if (auto problem = parser.feed({buffer.data(), n}); !problem.empty()) {
                connection.close();
                if (parser.too_large()) throw body_too_large(parser.declared_length());
                throw TransportError(Failure::protocol, "the response from " + where +
                                                            " is not valid HTTP: " + problem);
            }
        }
        connection.no_deadline();
        if (!parser.keep_alive()) connection.close();
        co_return decode(parser.take());
    }

    TransportError body_too_large(std::uint64_t declared_length) const {
        return TransportError(
            Failure::body_too_large,
            "the response body from " + where + " is " +
                (declared_length
                     ? std::to_string(declared_length) + " bytes (Content-Length)"
                     : "more than " + std::to_string(options.max_body_bytes) + " bytes") +
                ", over the client's cap of " + bytes(options.max_body_bytes) +
                " (ClientOptions::max_body_bytes)");
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
        throw TransportError(Failure::content_encoding, "the response from " + where +
                                                            " is encoded as \"" + encoding +
                                                            "\", which this client cannot decode");
    }

    // One request on `impl`'s origin: an idle connection if there is one that is
    // still open, otherwise a new one; never a wait for one to free up.
    static asio::awaitable<ClientResponse> get_on(std::shared_ptr<Impl> impl, std::string target) {
        bool fresh_only = false;
        for (int attempt = 0;; ++attempt) {
            std::shared_ptr<Connection> connection;
            while (!fresh_only && !impl->idle.empty() && !connection) {
                connection = std::move(impl->idle.back());
                impl->idle.pop_back();
                if (connection->closed()) connection.reset();
            }
            const bool reused = connection != nullptr;
            if (!connection) connection = co_await impl->connect();
            try {
                auto response = co_await impl->exchange(*connection, target, reused);
                if (!connection->closed()) impl->idle.push_back(std::move(connection));
                co_return response;
            } catch (const StaleConnection&) {
                if (attempt > 0) {
                    throw TransportError(Failure::broken_off, "the connection to " + impl->where +
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

namespace {

// What a client for another origin (a redirect's) sends: the same headers
// but Authorization, which is for the origin it was given for.
ClientOptions for_another_origin(ClientOptions options) {
    std::erase_if(options.headers,
                  [](const Header& h) { return equal_nocase(h.name, "Authorization"); });
    return options;
}

}  // namespace

Client::Client(asio::any_io_executor executor, Origin origin, ClientOptions options)
    : impl_(std::make_shared<Impl>(std::move(executor), std::move(origin), std::move(options))) {}

Client::~Client() = default;

asio::awaitable<ClientResponse> Client::get(std::string target) {
    const auto home = impl_;  // the coroutine keeps the pool alive while it runs
    auto here = home;
    std::string path = std::move(target);
    for (int redirects = 0;; ++redirects) {
        auto response = co_await Impl::get_on(here, path);
        if (!is_redirect(response.status)) co_return response;
        if (redirects == max_redirects) {
            throw TransportError(Failure::redirect,
                                 "too many redirects: more than " + std::to_string(max_redirects) +
                                     " from " + home->origin.to_string() + ", the last to " +
                                     std::string(response.header("Location").substr(0, 200)));
        }
        auto next = follow_redirect(here->origin, path, response.header("Location"));
        if (next.origin == home->origin) {
            here = home;  // back to the client's own origin, its headers with it
        } else if (next.origin != here->origin) {
            // Another origin gets a pool of its own, without Authorization,
            // for as long as this request.
            here = std::make_shared<Impl>(home->executor, std::move(next.origin),
                                          for_another_origin(home->options));
        }
        path = std::move(next.target);
    }
}

const Origin& Client::origin() const {
    return impl_->origin;
}

std::size_t Client::idle_connections() const {
    return impl_->idle.size();
}

std::size_t Client::connections_opened() const {
    return impl_->opened;
}

}  // namespace workbook::http

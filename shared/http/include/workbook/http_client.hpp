// The workbook's asynchronous HTTP/1.1 client: Asio coroutines for the I/O,
// OpenSSL through asio::ssl for HTTPS, llhttp to read responses. Chapter 07
// teaches with it; the talk's aiohttp.ClientSession is its Python cousin.
//
// What it does:
//   - GET with headers; bodies framed by Content-Length, chunked encoding, or
//     the end of the connection;
//   - a pool of idle keep-alive connections to its one origin: a request takes
//     an idle connection if there is one and opens a new one otherwise, so the
//     pool never limits how many requests are in flight (chapter 08 does that,
//     on purpose, elsewhere); only the *opening* of connections takes turns,
//     a few hundred at a time, to spare the server's listen backlog;
//   - HTTPS with the certificate chain *and* the host name verified, and SNI;
//     verification is never switched off; the CA file is read at the first
//     HTTPS connection, so a plain-HTTP client never needs it;
//   - gzip bodies (it sends Accept-Encoding: gzip and decodes with zlib); any
//     other Content-Encoding is refused by name;
//   - default headers (ClientOptions::headers) on every request to its
//     origin; redirects (301, 302, 303, 307, 308) followed, at most five, and
//     one to another origin carries no Authorization header;
//   - a connect timeout and a read timeout, each a timer racing the operation;
//   - errors that say which step failed, as a value: TransportError::step()
//     (resolve, connect, TLS handshake, certificate, host name, timeout, a
//     connection that broke off, a response that is not HTTP, a body over
//     the cap, ...);
//   - a request that finds its kept-alive connection closed by the server is
//     sent once more, on a new connection;
//   - cancellation (Asio's per-operation cancellation, which reaches a
//     coroutine through co_spawn, a parallel group or workbook::task_group): the
//     request's connection is closed, never reused half-read, and get()
//     throws asio::system_error(operation_aborted).
//
// It knows HTTP and nothing of GitHub: github_client() (github_async.hpp)
// makes one for the API with the token, and fetch_repo_async asks it for a
// repository.
//
// Threading: one Client belongs to one executor, run by one thread (the event
// loop). Every coroutine that uses it runs there. Like an aiohttp session, a
// client keeps its idle connections open, and so its loop busy, until it is
// destroyed.
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "workbook/http_message.hpp"
#include "workbook/origin.hpp"
#include "workbook/transport_error.hpp"

namespace workbook::http {

struct ClientOptions {
    std::chrono::milliseconds connect_timeout{10'000};  // resolve + connect + TLS handshake
    std::chrono::milliseconds read_timeout{
        10'000};  // from the request sent to the whole response read
    // The most a body may hold, counted after gzip is decoded; over it the
    // request fails with Failure::body_too_large.
    std::size_t max_body_bytes = 16 * 1024 * 1024;
    // At most this many connections being opened (TCP connect and TLS
    // handshake) at once; 0: no limit. Not a limit on requests in flight:
    // a connection open is never held back. A burst of 10,000 SYNs overflows
    // a listen backlog of 4,096 and the dropped ones are sent again only a
    // second later; taking turns keeps the burst under the backlog.
    std::size_t max_connecting = 256;
    // Sent with every request to the client's origin (User-Agent, Accept,
    // Authorization, ...). A redirect to another origin sends them without
    // Authorization, as requests and aiohttp do: a token is for its origin.
    std::vector<Header> headers;
    // The CA certificates to verify HTTPS with; empty: the system's store.
    // Read at the first HTTPS connection.
    std::string ca_file;
};

// A request that got no usable answer throws workbook::TransportError
// (transport_error.hpp): step() says which step failed, what() the cause:
// "connect to 127.0.0.1:8700: Connection refused", "timed out after 300 ms
// waiting for the response from 127.0.0.1:8700", "the certificate of
// localhost:8701 did not verify: unable to get local issuer certificate".
using workbook::Failure;
using workbook::TransportError;

class Client {
  public:
    // A client for `origin` ("http://127.0.0.1:8700" as an Origin).
    Client(asio::any_io_executor executor, Origin origin, ClientOptions options = {});
    ~Client();
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    // GET `target` ("/repos/owner/name"). Any status but a redirect is a
    // response; throws TransportError when there is none.
    asio::awaitable<ClientResponse> get(std::string target);

    const Origin& origin() const;
    std::size_t idle_connections() const;
    std::size_t connections_opened() const;  // since the client was made

  private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

}  // namespace workbook::http

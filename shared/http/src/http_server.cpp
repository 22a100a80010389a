#include "workbook/http_server.hpp"

#include <array>
#include <asio/bind_cancellation_slot.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/post.hpp>
#include <asio/ssl.hpp>
#include <asio/steady_timer.hpp>
#include <asio/write.hpp>
#include <atomic>
#include <charconv>
#include <ctime>
#include <list>
#include <memory>
#include <optional>
#include <system_error>

#include "deadline.hpp"
#include "workbook/http_parser.hpp"
#include "workbook/nothrow.hpp"

namespace workbook::http {

using asio::ip::tcp;
using workbook::nothrow;  // errors are expected outcomes on a server: values, not exceptions

// What a connection tells the server about itself, so stop() can reach it.
struct ConnectionBase {
    virtual ~ConnectionBase() = default;
    // Between requests: close now. Within one: close after its response.
    virtual void stop_gracefully() = 0;
    // Close now, and cancel the handler if it is waiting (a hung request).
    virtual void close_now() = 0;
};

struct Server::Impl : std::enable_shared_from_this<Server::Impl> {
    asio::any_io_executor executor;
    Handler handler;
    ServerOptions options;
    std::list<tcp::acceptor> acceptors;
    std::list<ConnectionBase*> connections;  // each removes itself when it ends
    std::atomic<std::size_t> open_count{0};  // connections.size(), for other threads
    asio::steady_timer grace_timer{executor};
    bool stopping = false;
    std::time_t date_second = -1;  // the second date_text was written for
    std::string date_text;
    std::optional<asio::ip::address> last_peer;  // the address peer_text was written for
    std::string peer_text;

    Impl(asio::any_io_executor ex, Handler h, ServerOptions o)
        : executor(std::move(ex)), handler(std::move(h)), options(std::move(o)) {}

    void log(std::string_view what) const {
        if (options.log) options.log(what);
    }

    // The Date header changes once a second; thousands of responses a second
    // share one formatting of it.
    const std::string& date() {
        const std::time_t now = std::time(nullptr);
        if (now != date_second) {
            date_second = now;
            date_text = http_date(std::chrono::system_clock::from_time_t(now));
        }
        return date_text;
    }

    // A client's address as text. Writing it (inet_ntop, then sprintf for
    // the digits) costs more than the rest of taking a connection in; most
    // connections come from the same address as the one before.
    const std::string& address_text(const asio::ip::address& address) {
        if (address != last_peer) {
            last_peer = address;
            peer_text = address.to_string();
        }
        return peer_text;
    }

    template <class Stream>
    asio::awaitable<void> accept_loop(tcp::acceptor& acceptor, asio::ssl::context* tls);
    void stop();
};

namespace {

std::string render_head(const Response& res, bool keep_alive, std::string_view date) {
    std::string head;
    render_response(head, res, keep_alive, date, 0);
    return head;
}

constexpr std::string_view plain_http_on_tls = "The plain HTTP request was sent to HTTPS port";

Response plain_error(int status, std::string text) {
    Response res;
    res.status = status;
    res.headers.push_back({"Content-Type", "text/plain; charset=utf-8"});
    res.body = std::move(text) + "\n";
    res.close = true;
    return res;
}

// One client connection: read, parse, answer, repeat. Stream is a TCP socket
// or a TLS stream over one.
template <class Stream>
class Connection : public ConnectionBase, public std::enable_shared_from_this<Connection<Stream>> {
  public:
    static constexpr bool is_tls = !std::is_same_v<Stream, tcp::socket>;

    // `peer`: the client's address, as accept() gave it (asking the socket
    // again would cost a getpeername() a connection).
    Connection(std::shared_ptr<Server::Impl> server, Stream stream, const tcp::endpoint& peer)
        : server_(std::move(server)),
          stream_(std::move(stream)),
          deadline_(server_->executor),
          parser_({server_->options.max_header_bytes, server_->options.max_body_bytes}),
          peer_(server_->address_text(peer.address())) {}

    // Runs the connection; `cancel_` lets close_now() cancel a waiting handler.
    void start() {
        server_->connections.push_back(this);
        self_in_list_ = std::prev(server_->connections.end());
        server_->open_count.fetch_add(1, std::memory_order_relaxed);
        auto self = this->shared_from_this();
        deadline_.watch(self, [this] {
            // Said here: once the socket is closed, the read that fails
            // cannot tell a deadline from a client that hung up.
            if (state_ == State::reading) {
                server_->log(parser_.head_complete() ? "request body took too long: closed"
                                                     : "request head took too long: closed");
            }
            close_socket();
        });
        asio::co_spawn(server_->executor, run(self),
                       asio::bind_cancellation_slot(cancel_.slot(), asio::detached));
    }

    void stop_gracefully() override {
        if (state_ == State::idle) {
            close_socket();
        } else {
            stop_after_response_ = true;
        }
    }

    void close_now() override {
        close_socket();
        cancel_.emit(asio::cancellation_type::terminal);
    }

  private:
    enum class State { idle, reading, handling, closed };

    asio::awaitable<void> run(std::shared_ptr<Connection>) {
        try {
            co_await serve();
        } catch (const std::exception& e) {
            // A handler that throws (or a cancelled one) ends only this
            // connection, never the server.
            if (!client_left_) server_->log(std::string("connection ended: ") + e.what());
        }
        close_socket();
        server_->connections.erase(self_in_list_);
        server_->open_count.fetch_sub(1, std::memory_order_relaxed);
        // The last connection of a stopping server: no need to wait out the
        // grace period (its timer would keep the event loop running).
        if (server_->stopping && server_->connections.empty()) server_->grace_timer.cancel();
    }

    asio::awaitable<void> serve() {
        if constexpr (is_tls) {
            if (!co_await handshake()) co_return;
        }
        enter_idle();
        for (;;) {
            // The read buffer grows on demand and goes back when idle: ten
            // thousand waiting connections should not hold ten thousand
            // buffers sized for the largest request.
            if (!buffer_ || grow_buffer_) {
                buffer_size_ = buffer_ && grow_buffer_ ? buffer_size_ * 2 : first_buffer_size;
                buffer_ = std::make_unique_for_overwrite<char[]>(buffer_size_);
                grow_buffer_ = false;
            }
            auto [ec, n] = co_await stream_.async_read_some(
                asio::buffer(buffer_.get(), buffer_size_), nothrow);
            if (ec) co_return;  // the client hung up, or the deadline closed the socket
            if (state_ == State::idle) {
                // The first byte of a request starts the clock for the whole of it.
                state_ = State::reading;
                deadline_.expire_after(server_->options.head_timeout);
            }
            // A read that filled the buffer: more is likely on its way.
            grow_buffer_ = n == buffer_size_ && buffer_size_ < largest_buffer_size;
            std::string_view data(buffer_.get(), n);
            // A single read can hold the end of one request and the start of
            // the next (pipelining): keep parsing until the parser wants more.
            while (!data.empty()) {
                std::size_t used = 0;
                const auto result = parser_.feed(data, used);
                data.remove_prefix(used);
                if (result == RequestParser::Result::more) {
                    // The head is in and the client holds the body back until
                    // told to go on (RFC 9110 10.1.1).
                    if (parser_.take_continue()) {
                        static constexpr std::string_view go_on = "HTTP/1.1 100 Continue\r\n\r\n";
                        auto [wec, written] =
                            co_await asio::async_write(stream_, asio::buffer(go_on), nothrow);
                        if (wec) co_return;
                    }
                    break;
                }
                if (result == RequestParser::Result::error) {
                    co_await reject(parser_.error_status(), parser_.error_reason());
                    co_return;
                }
                if (!co_await answer(parser_.take())) co_return;
                if (!data.empty()) {  // the next request was pipelined behind this one
                    state_ = State::reading;
                    deadline_.expire_after(server_->options.head_timeout);
                }
            }
            // Waiting for the next request with a buffer grown for a large
            // one: give it back.
            if (state_ == State::idle && buffer_size_ > first_buffer_size) buffer_.reset();
        }
    }

    // The TLS handshake, after checking that the client speaks TLS at all.
    // False: the connection is over.
    asio::awaitable<bool> handshake() {
        deadline_.expire_after(server_->options.head_timeout);
        // Every TLS connection opens with a handshake record, first byte
        // 0x16. Anything else is most likely plain HTTP sent to the wrong
        // port: say so, as nginx does, rather than fail the handshake and
        // close without a word. (Non-blocking, so a wake-up with nothing to
        // read after all waits again instead of stalling the event loop.)
        auto& socket = stream_.next_layer();
        char first = 0;
        std::error_code peek_ec;
        socket.non_blocking(true, peek_ec);
        for (;;) {
            if (auto [ec] = co_await socket.async_wait(tcp::socket::wait_read, nothrow); ec)
                co_return false;
            const std::size_t peeked =
                socket.receive(asio::buffer(&first, 1), tcp::socket::message_peek, peek_ec);
            if (peek_ec == asio::error::would_block) continue;
            if (peek_ec || peeked == 0) co_return false;
            break;
        }
        socket.non_blocking(false, peek_ec);
        if (first != 0x16) {
            co_await refuse_plain_http();
            co_return false;
        }
        auto [ec] = co_await stream_.async_handshake(asio::ssl::stream_base::server, nothrow);
        if (ec) {
            server_->log("TLS handshake failed: " + ec.message());
            co_return false;
        }
        co_return true;
    }

    // Calls the handler and writes its response. False: close the connection.
    asio::awaitable<bool> answer(Request request) {
        state_ = State::handling;
        request.tls = is_tls;
        request.peer = peer_;
        deadline_.clear();  // the handler takes what it takes

        // `handling_` names the request to the departure watch's log; it is
        // cleared however the handler ends (a cancelled or throwing handler
        // unwinds this frame, and the request with it).
        handling_ = &request;
        struct Handled {
            const Request*& handling;
            ~Handled() { handling = nullptr; }
        } handled{handling_};
        watch_for_departure();
        Response response;
        try {
            response = co_await server_->handler(request);
        } catch (const std::exception& e) {
            // Cancelled because the client left or the server stops now:
            // there is no one to answer.
            if (state_ == State::closed || client_left_) throw;
            // A handler that throws ends its request, not the connection:
            // the client gets a 500 that says what went wrong, and the
            // connection serves the next request as HTTP allows.
            server_->log("the handler of " + request.method + " " + printable(request.target) +
                         " threw: " + e.what() + " (answered 500)");
            response = handler_threw(e.what());
        }
        stop_watching();
        const bool keep_alive = request.keep_alive && !response.close && !stop_after_response_ &&
                                !server_->stopping && state_ != State::closed;
        deadline_.expire_after(server_->options.idle_timeout);  // a client that never reads
        if (!co_await write(response, keep_alive, request.method == "HEAD")) co_return false;
        if (!keep_alive) {
            co_await shutdown();
            co_return false;
        }
        enter_idle();
        co_return true;
    }

    // `head_only`: the answer to HEAD, whose Content-Length is the body's
    // but which sends none.
    asio::awaitable<bool> write(const Response& response, bool keep_alive, bool head_only) {
        const bool body = !head_only && status_has_body(response.status);
        if (response.ending == Ending::complete || !body) {
            // Over TCP the head and the body leave together from where
            // they are: two buffers, one sendmsg(). A TLS stream writes
            // each buffer as a record (and a send) of its own, so there a
            // small body is copied behind the head.
            const std::size_t body_size = body ? response.body.size() : 0;
            const std::size_t copied = is_tls && body_size <= 4096 ? body_size : 0;
            std::string out;  // a connection keeps no buffer between responses
            render_response(out, response, keep_alive, server_->date(), copied);
            std::array<asio::const_buffer, 2> buffers{
                asio::buffer(out), asio::buffer(response.body.data() + copied, body_size - copied)};
            auto [ec, n] = co_await asio::async_write(stream_, buffers, nothrow);
            co_return !ec;
        }
        const std::string head = render_head(response, keep_alive, server_->date());
        // A fault on purpose: half the body, then FIN (truncate) or RST (reset).
        std::array<asio::const_buffer, 2> buffers{
            asio::buffer(head), asio::buffer(response.body.data(), response.body.size() / 2)};
        co_await asio::async_write(stream_, buffers, nothrow);  // if it fails, it is closed anyway
        std::error_code ignored;
        if (response.ending == Ending::reset) {
            // SO_LINGER with a zero timeout makes close() send RST.
            stream_.lowest_layer().set_option(asio::socket_base::linger(true, 0), ignored);
        } else {
            stream_.lowest_layer().shutdown(tcp::socket::shutdown_send, ignored);
        }
        close_socket();
        co_return false;
    }

    // A request the parser refused (malformed, over a limit, or one that
    // cannot be served: see RequestParser): answer, then close.
    asio::awaitable<void> reject(int status, const std::string& why) {
        server_->log("rejected a request with " + std::to_string(status) + ": " + why);
        deadline_.expire_after(std::chrono::seconds(1));
        const Response res = plain_error(status, std::string(reason_phrase(status)) + ": " + why);
        if (co_await write(res, false, false)) co_await shutdown();
    }

    // Plain HTTP on the TLS port: read the request head (so closing does not
    // reset the connection under a client still sending, which would lose
    // the answer), answer 400 in plain text on the bare socket, and close.
    asio::awaitable<void> refuse_plain_http() {
        tcp::socket& socket = stream_.next_layer();
        std::string head;
        std::array<char, 4096> buffer;
        while (head.find("\r\n\r\n") == std::string::npos &&
               head.size() < server_->options.max_header_bytes) {
            auto [ec, n] = co_await socket.async_read_some(asio::buffer(buffer), nothrow);
            if (ec) co_return;  // gone, or the head deadline closed it
            head.append(buffer.data(), n);
        }
        server_->log("plain HTTP on the TLS port: answered 400");
        const Response res = plain_error(400, std::string(plain_http_on_tls));
        const std::string text = render_head(res, false, server_->date()) + res.body;
        co_await asio::async_write(socket, asio::buffer(text),
                                   nothrow);  // if it fails, it closes anyway
        std::error_code ignored;
        socket.shutdown(tcp::socket::shutdown_send, ignored);
        close_socket();
    }

    // Ends the connection politely: TLS close_notify, then FIN. The deadline
    // bounds how long a peer that does not answer can keep us here.
    asio::awaitable<void> shutdown() {
        deadline_.expire_after(std::chrono::seconds(1));
        if constexpr (is_tls) {
            co_await stream_.async_shutdown(nothrow);
        }
        std::error_code ignored;
        stream_.lowest_layer().shutdown(tcp::socket::shutdown_send, ignored);
        close_socket();
    }

    // While the handler works, watch the socket: a client that hangs up
    // (FIN or RST) no longer wants the answer. Its handler is cancelled and
    // the connection freed at once, as nginx does (its status 499), rather
    // than held until an answer nobody reads. A client that half-closes
    // after sending looks the same and is treated the same.
    //
    // Most handlers answer without ever waiting; watching costs them
    // nothing: the watch starts from a posted check, which runs only once
    // the handler has let the loop go, and then only if it is still
    // working. The watch itself is a read of one byte with MSG_PEEK (a read
    // takes no epoll_ctl to start, as a wait would), so the byte stays for
    // the request it belongs to. A peek still pending when the handler is
    // done is left to complete with the next request's bytes.
    void watch_for_departure() {
        const unsigned generation = ++watch_generation_;
        asio::post(server_->executor, [self = this->shared_from_this(), generation] {
            if (generation != self->watch_generation_ || self->state_ != State::handling ||
                self->peeking_)
                return;
            self->peeking_ = true;
            self->tcp_socket().async_receive(
                asio::buffer(&self->peeked_, 1), tcp::socket::message_peek,
                [self](std::error_code ec, std::size_t) {
                    self->peeking_ = false;
                    if (!ec || ec == asio::error::operation_aborted)
                        return;  // bytes, or closed by us
                    if (self->state_ != State::handling) {
                        // The end of a connection that was answered: the
                        // reader queued behind this peek would never hear
                        // of it (Asio takes a short read as "nothing more
                        // to read" and an edge-triggered epoll says it
                        // once), so close here, and the reader ends.
                        self->close_socket();
                        return;
                    }
                    self->client_left_ = true;
                    if (self->handling_) {
                        self->server_->log(
                            "the client left before its answer: " + self->handling_->method + " " +
                            self->handling_->path + " abandoned");
                    }
                    self->close_now();
                });
        });
    }

    // The handler is done: a posted check not yet run will find the
    // generation past and do nothing.
    void stop_watching() { ++watch_generation_; }

    tcp::socket& tcp_socket() {
        if constexpr (is_tls) {
            return stream_.next_layer();
        } else {
            return stream_;
        }
    }

    void enter_idle() {
        state_ = State::idle;
        if (stop_after_response_ || server_->stopping) {
            close_socket();
            return;
        }
        deadline_.expire_after(server_->options.idle_timeout);
    }

    void close_socket() {
        if (state_ == State::closed) return;
        state_ = State::closed;
        std::error_code ignored;
        stream_.lowest_layer().close(ignored);
        deadline_.stop();
    }

    std::shared_ptr<Server::Impl> server_;
    Stream stream_;
    Deadline deadline_;
    asio::cancellation_signal cancel_;
    std::list<ConnectionBase*>::iterator self_in_list_;
    RequestParser parser_;
    std::string peer_;
    State state_ = State::idle;
    bool stop_after_response_ = false;
    bool client_left_ = false;
    const Request* handling_ = nullptr;  // the request its handler is working on
    unsigned watch_generation_ = 0;      // a watch whose number is past is over
    bool peeking_ = false;               // a peek of the departure watch is pending
    char peeked_ = 0;
    static constexpr std::size_t first_buffer_size = 256;  // curl's or wrk's request fits
    static constexpr std::size_t largest_buffer_size = 16 * 1024;
    std::unique_ptr<char[]> buffer_;  // for reading; grown on demand, released when idle
    std::size_t buffer_size_ = 0;
    bool grow_buffer_ = false;
};

}  // namespace

template <class Stream>
asio::awaitable<void> Server::Impl::accept_loop(tcp::acceptor& acceptor, asio::ssl::context* tls) {
    auto self = shared_from_this();  // the loop keeps the server's state alive
    asio::steady_timer backoff(executor);
    const auto serve = [&](tcp::socket socket, const tcp::endpoint& peer) {
        std::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        if constexpr (std::is_same_v<Stream, tcp::socket>) {
            std::make_shared<Connection<Stream>>(self, std::move(socket), peer)->start();
        } else {
            std::make_shared<Connection<Stream>>(self, Stream(std::move(socket), *tls), peer)
                ->start();
        }
    };
    // The accepts after the first of a burst do not wait (below).
    std::error_code ignored;
    acceptor.non_blocking(true, ignored);
    while (!stopping) {
        tcp::endpoint peer;
        auto [ec, socket] = co_await acceptor.async_accept(peer, nothrow);
        if (stopping || ec == asio::error::operation_aborted) co_return;
        if (ec) {
            // Typically EMFILE: out of file descriptors. Accepting again at
            // once would spin; wait a little and let connections close.
            log("accept failed: " + ec.message() + "; retrying in 100 ms");
            backoff.expires_after(std::chrono::milliseconds(100));
            co_await backoff.async_wait(nothrow);
            continue;
        }
        serve(std::move(socket), peer);
        // Each co_await above is one turn of the loop, and a busy server's
        // turn also serves every connection with bytes waiting: a thousand
        // clients arriving at once while a thousand others are served would
        // wait seconds in the backlog. Take those already there (up to a
        // batch) now; a failure, EAGAIN included, goes back to the await.
        for (int more = 0; more < 64; ++more) {
            std::error_code again;
            tcp::socket next = acceptor.accept(peer, again);
            if (again) break;
            serve(std::move(next), peer);
        }
    }
}

void Server::Impl::stop() {
    if (stopping) return;
    stopping = true;
    for (auto& acceptor : acceptors) {
        std::error_code ignored;
        acceptor.close(ignored);
    }
    // Copy: a connection that closes removes itself from the list.
    const std::vector<ConnectionBase*> open(connections.begin(), connections.end());
    for (auto* c : open) c->stop_gracefully();
    if (connections.empty()) return;
    grace_timer.expires_after(options.grace);
    grace_timer.async_wait([self = shared_from_this()](std::error_code) {
        const std::vector<ConnectionBase*> left(self->connections.begin(), self->connections.end());
        for (auto* c : left) c->close_now();
    });
}

Server::Server(asio::any_io_executor executor, Handler handler, ServerOptions options)
    : impl_(std::make_shared<Impl>(std::move(executor), std::move(handler), std::move(options))) {}

Server::~Server() = default;

unsigned short Server::listen(const std::string& address, unsigned short port,
                              asio::ssl::context* tls) {
    std::error_code ec;
    const auto ip = asio::ip::make_address(address, ec);
    if (ec) throw std::system_error(ec, "\"" + address + "\" is not an IP address");
    tcp::acceptor& acceptor = impl_->acceptors.emplace_back(impl_->executor);
    const tcp::endpoint endpoint(ip, port);
    const auto fail = [&](const char* step) {
        impl_->acceptors.pop_back();
        throw std::system_error(
            ec, std::string("cannot ") + step + " " + address + ":" + std::to_string(port));
    };
    acceptor.open(endpoint.protocol(), ec);
    if (ec) fail("open a socket for");
    // A restarted server may bind while old connections sit in TIME_WAIT.
    acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (ec) fail("set SO_REUSEADDR on");
    acceptor.bind(endpoint, ec);
    if (ec) fail("listen on");
    acceptor.listen(impl_->options.backlog, ec);
    if (ec) fail("listen on");
    const unsigned short bound = acceptor.local_endpoint().port();
    if (tls) {
        asio::co_spawn(impl_->executor,
                       impl_->accept_loop<asio::ssl::stream<tcp::socket>>(acceptor, tls),
                       asio::detached);
    } else {
        asio::co_spawn(impl_->executor, impl_->accept_loop<tcp::socket>(acceptor, nullptr),
                       asio::detached);
    }
    return bound;
}

void Server::stop() {
    impl_->stop();
}

std::size_t Server::connections() const {
    return impl_->open_count.load(std::memory_order_relaxed);
}

}  // namespace workbook::http

#include "workbook/http_server.hpp"

#include <llhttp.h>

#include <algorithm>
#include <array>
#include <asio/bind_cancellation_slot.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ssl.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <cctype>
#include <cstdio>
#include <ctime>
#include <list>
#include <system_error>

namespace workbook::http {

using asio::ip::tcp;
using Clock = std::chrono::steady_clock;

// Errors are expected outcomes on a server (a client hangs up, a deadline
// closes a socket), so operations return them as values instead of throwing.
constexpr auto nothrow = asio::experimental::as_tuple(asio::use_awaitable);

std::string_view Request::header(std::string_view name) const {
    for (const auto& h : headers) {
        if (std::equal(h.name.begin(), h.name.end(), name.begin(), name.end(), [](char a, char b) {
                return std::tolower(static_cast<unsigned char>(a)) ==
                       std::tolower(static_cast<unsigned char>(b));
            })) {
            return h.value;
        }
    }
    return {};
}

std::string_view reason_phrase(int status) {
    switch (status) {
        case 100:
            return "Continue";
        case 200:
            return "OK";
        case 201:
            return "Created";
        case 204:
            return "No Content";
        case 301:
            return "Moved Permanently";
        case 304:
            return "Not Modified";
        case 400:
            return "Bad Request";
        case 401:
            return "Unauthorized";
        case 403:
            return "Forbidden";
        case 404:
            return "Not Found";
        case 405:
            return "Method Not Allowed";
        case 408:
            return "Request Timeout";
        case 413:
            return "Content Too Large";
        case 422:
            return "Unprocessable Entity";
        case 429:
            return "Too Many Requests";
        case 431:
            return "Request Header Fields Too Large";
        case 500:
            return "Internal Server Error";
        case 501:
            return "Not Implemented";
        case 502:
            return "Bad Gateway";
        case 503:
            return "Service Unavailable";
        default:
            return "Unknown";
    }
}

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
    asio::steady_timer grace_timer{executor};
    bool stopping = false;
    std::time_t date_second = -1;  // the second date_text was written for
    std::string date_text;

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

    template <class Stream>
    asio::awaitable<void> accept_loop(tcp::acceptor& acceptor, asio::ssl::context* tls);
    void stop();
};

std::string http_date(std::chrono::system_clock::time_point when) {
    // By hand rather than strftime, whose day and month names follow the
    // locale: HTTP wants these English ones whatever the machine speaks.
    static constexpr const char* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const std::time_t t = std::chrono::system_clock::to_time_t(when);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char text[40];
    std::snprintf(text, sizeof text, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday],
                  tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                  tm.tm_sec);
    return text;
}

namespace {

bool equal_nocase(std::string_view a, std::string_view b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
        return std::tolower(static_cast<unsigned char>(x)) ==
               std::tolower(static_cast<unsigned char>(y));
    });
}

// 1xx, 204 and 304 never carry a body, and so no Content-Length either: a
// 304's would have to be the length of the 200 it stands for (RFC 9110 8.6).
bool status_has_body(int status) {
    return status >= 200 && status != 204 && status != 304;
}

// Renders the status line and headers. The body goes out as a second buffer.
std::string render_head(const Response& res, bool keep_alive, std::string_view date) {
    std::string head = "HTTP/1.1 " + std::to_string(res.status) + " " +
                       std::string(reason_phrase(res.status)) + "\r\n";
    head += "Date: ";
    head += date;
    head += "\r\n";
    for (const auto& h : res.headers) head += h.name + ": " + h.value + "\r\n";
    if (status_has_body(res.status))
        head += "Content-Length: " + std::to_string(res.body.size()) + "\r\n";
    head += keep_alive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n";
    return head;
}

// uri-host [":" port] (RFC 3986): letters, digits, "-._~%!$&'()*+,;=" and
// the ":[]" of ports and IPv6 literals. Nothing else, so a handler may put
// the value into a URL or a JSON string as it is. Empty is allowed (RFC 9112
// 3.2: a target with no authority).
bool valid_host(std::string_view host) {
    return std::all_of(host.begin(), host.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) ||
               std::string_view("-._~%!$&'()*+,;=:[]").find(c) != std::string_view::npos;
    });
}

// Why a request cannot be served as HTTP/1.1 asks (RFC 9112 3.2), or empty:
// exactly one Host (none is fine only before 1.1), a valid one, and for an
// absolute-form target, an http(s) URL with a valid authority. Fills path
// and query, and puts an absolute-form target's authority in place of Host,
// which the RFC says to ignore then.
std::string read_target(Request& request, bool http_1_1) {
    std::string_view target = request.target;
    std::string_view authority;
    bool absolute = false;
    if (const auto scheme_end = target.find("://");
        !target.empty() && target.front() != '/' && scheme_end != std::string_view::npos) {
        const auto scheme = target.substr(0, scheme_end);
        if (!equal_nocase(scheme, "http") && !equal_nocase(scheme, "https")) {
            return "the target is a URL of another scheme than http or https";
        }
        const auto rest = target.substr(scheme_end + 3);
        const auto end = rest.find_first_of("/?#");
        authority = rest.substr(0, end);
        target = end == std::string_view::npos ? std::string_view() : rest.substr(end);
        absolute = true;
        if (authority.empty() || !valid_host(authority))
            return "the target URL's host is not a valid host[:port]";
    }
    const auto q = target.find('?');
    request.path = std::string(target.substr(0, q));
    if (request.path.empty()) request.path = "/";
    if (q != std::string_view::npos) request.query = std::string(target.substr(q + 1));

    Header* host = nullptr;
    int hosts = 0;
    for (auto& h : request.headers) {
        if (equal_nocase(h.name, "Host")) {
            host = &h;
            ++hosts;
        }
    }
    if (hosts > 1) return "more than one Host header";
    if (hosts == 0 && http_1_1) return "an HTTP/1.1 request must have a Host header";
    if (absolute) {
        if (host) {
            host->value = std::string(authority);
        } else {
            request.headers.push_back({"Host", std::string(authority)});
        }
    } else if (host && !valid_host(host->value)) {
        return "the Host header is not a valid host[:port]";
    }
    return {};
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

    Connection(std::shared_ptr<Server::Impl> server, Stream stream)
        : server_(std::move(server)), stream_(std::move(stream)), deadline_(server_->executor) {
        std::error_code ec;
        const auto peer = stream_.lowest_layer().remote_endpoint(ec);
        if (!ec) peer_ = peer.address().to_string();
        deadline_.expires_at(
            Clock::time_point::max());  // set_deadline() only ever moves it earlier
        llhttp_settings_init(&settings_);
        settings_.on_message_begin = &Connection::on_message_begin;
        settings_.on_url = &Connection::on_url;
        settings_.on_header_field = &Connection::on_header_field;
        settings_.on_header_value = &Connection::on_header_value;
        settings_.on_headers_complete = &Connection::on_headers_complete;
        settings_.on_body = &Connection::on_body;
        settings_.on_message_complete = &Connection::on_message_complete;
        llhttp_init(&parser_, HTTP_REQUEST, &settings_);
        parser_.data = this;
    }

    // Runs the connection; `signal` lets close_now() cancel a waiting handler.
    void start() {
        server_->connections.push_back(this);
        self_in_list_ = std::prev(server_->connections.end());
        auto self = this->shared_from_this();
        asio::co_spawn(server_->executor, watchdog(self), asio::detached);
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
    enum class State { idle, head, body, handling, closed };

    asio::awaitable<void> run(std::shared_ptr<Connection>) {
        try {
            co_await serve();
        } catch (const std::exception& e) {
            // A handler that throws (or a cancelled one) ends only this
            // connection, never the server.
            server_->log(std::string("connection ended: ") + e.what());
        }
        close_socket();
        server_->connections.erase(self_in_list_);
        // The last connection of a stopping server: no need to wait out the
        // grace period (its timer would keep the event loop running).
        if (server_->stopping && server_->connections.empty()) server_->grace_timer.cancel();
    }

    asio::awaitable<void> serve() {
        if constexpr (is_tls) {
            set_deadline(server_->options.head_timeout);
            // Every TLS connection opens with a handshake record, first byte
            // 0x16. Anything else is most likely plain HTTP sent to the wrong
            // port: say so, as nginx does, rather than fail the handshake
            // and close without a word.
            // (Non-blocking, so a wake-up with nothing to read after all
            // waits again instead of stalling the event loop.)
            auto& socket = stream_.next_layer();
            char first = 0;
            std::error_code peek_ec;
            socket.non_blocking(true, peek_ec);
            for (;;) {
                if (auto [ec] = co_await socket.async_wait(tcp::socket::wait_read, nothrow); ec)
                    co_return;
                const std::size_t peeked =
                    socket.receive(asio::buffer(&first, 1), tcp::socket::message_peek, peek_ec);
                if (peek_ec == asio::error::would_block) continue;
                if (peek_ec || peeked == 0) co_return;
                break;
            }
            socket.non_blocking(false, peek_ec);
            if (first != 0x16) {
                co_await refuse_plain_http();
                co_return;
            }
            auto [ec] = co_await stream_.async_handshake(asio::ssl::stream_base::server, nothrow);
            if (ec) {
                server_->log("TLS handshake failed: " + ec.message());
                co_return;
            }
        }
        enter_idle();
        std::array<char, 4096> buffer;
        for (;;) {
            auto [ec, n] = co_await stream_.async_read_some(asio::buffer(buffer), nothrow);
            if (ec) {
                if (state_ == State::head && timed_out_)
                    server_->log("request head took too long: closed");
                co_return;  // the client hung up, or the watchdog closed the socket
            }
            if (state_ == State::idle) {
                // The first byte of a request starts the clock for its head.
                state_ = State::head;
                set_deadline(server_->options.head_timeout);
            }
            const char* data = buffer.data();
            std::size_t size = n;
            // A single read can hold the end of one request and the start of
            // the next (pipelining): keep feeding llhttp until it wants more.
            while (size > 0) {
                const llhttp_errno_t err = llhttp_execute(&parser_, data, size);
                if (err == HPE_OK) {
                    // The head is in and the parser waits for a body the
                    // client holds back until told to go on (RFC 9110
                    // 10.1.1). A client that sent some of it anyway needs
                    // no invitation.
                    if (continue_due_ && state_ == State::body && request_.body.empty()) {
                        continue_due_ = false;
                        static constexpr std::string_view go_on = "HTTP/1.1 100 Continue\r\n\r\n";
                        auto [wec, written] =
                            co_await asio::async_write(stream_, asio::buffer(go_on), nothrow);
                        if (wec) co_return;
                    }
                    break;
                }
                if (err != HPE_PAUSED) {
                    co_await reject(err);
                    co_return;
                }
                // on_message_complete paused the parser after a whole request.
                const char* stop = llhttp_get_error_pos(&parser_);
                size -= static_cast<std::size_t>(stop - data);
                data = stop;
                if (!co_await answer()) co_return;
                llhttp_resume(&parser_);
                if (size > 0) {
                    state_ = State::head;
                    set_deadline(server_->options.head_timeout);
                }
            }
        }
    }

    // Calls the handler and writes its response. False: close the connection.
    asio::awaitable<bool> answer() {
        state_ = State::handling;
        continue_due_ = false;  // the whole request is here
        Request request = std::move(request_);
        request_ = {};
        request.tls = is_tls;
        request.peer = peer_;
        if (const std::string why = read_target(request, http_1_1_); !why.empty()) {
            // The handler never sees it, so it is in no handler's statistics.
            server_->log("rejected a request with 400: " + why);
            set_deadline(std::chrono::seconds(1));
            if (co_await write(plain_error(400, "Bad Request: " + why), false, false))
                co_await shutdown();
            co_return false;
        }
        no_deadline();  // the handler takes what it takes

        Response response = co_await server_->handler(request);
        const bool keep_alive = request.keep_alive && !response.close && !stop_after_response_ &&
                                !server_->stopping && state_ != State::closed;
        set_deadline(server_->options.idle_timeout);  // a client that never reads the answer
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
        const std::string head = render_head(response, keep_alive, server_->date());
        const bool body = !head_only && status_has_body(response.status);
        if (response.ending == Ending::complete || !body) {
            std::array<asio::const_buffer, 2> buffers{
                asio::buffer(head),
                asio::buffer(response.body.data(), body ? response.body.size() : 0)};
            auto [ec, n] = co_await asio::async_write(stream_, buffers, nothrow);
            co_return !ec;
        }
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

    // A request llhttp rejected, or one over a limit: answer, then close.
    asio::awaitable<void> reject(llhttp_errno_t err) {
        // A limit sets its own status (431, 413); whatever else llhttp
        // rejects is a malformed request.
        int status = limit_status_ != 0 ? limit_status_ : 400;
        std::string why =
            llhttp_get_error_reason(&parser_) ? llhttp_get_error_reason(&parser_) : "";
        if (err == HPE_PAUSED_UPGRADE) {
            status = 501;
            why = "upgrades are not supported";
        }
        server_->log("rejected a request with " + std::to_string(status) + ": " + why);
        set_deadline(std::chrono::seconds(1));
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

    // Ends the connection politely: TLS close_notify, then FIN. The watchdog
    // bounds how long a peer that does not answer can keep us here.
    asio::awaitable<void> shutdown() {
        set_deadline(std::chrono::seconds(1));
        if constexpr (is_tls) {
            co_await stream_.async_shutdown(nothrow);
        }
        std::error_code ignored;
        stream_.lowest_layer().shutdown(tcp::socket::shutdown_send, ignored);
        close_socket();
    }

    void enter_idle() {
        state_ = State::idle;
        header_bytes_ = 0;
        if (stop_after_response_ || server_->stopping) {
            close_socket();
            return;
        }
        set_deadline(server_->options.idle_timeout);
    }

    // The deadline moves at every step of every request (head, handler,
    // response, idle). Moving a timer costs a cancellation, a wake-up of the
    // watchdog and often a system call to re-arm the kernel's timer, so only
    // an *earlier* deadline moves it; a later one is only noted, and the
    // watchdog, woken by the old expiry, waits again for the new one.
    void set_deadline(std::chrono::milliseconds from_now) {
        deadline_at_ = Clock::now() + from_now;
        if (deadline_at_ < deadline_.expiry()) deadline_.expires_at(deadline_at_);
    }
    void no_deadline() { deadline_at_ = Clock::time_point::max(); }

    void close_socket() {
        if (state_ == State::closed) return;
        state_ = State::closed;
        std::error_code ignored;
        stream_.lowest_layer().close(ignored);
        deadline_.cancel();
    }

    // One per connection: closes the socket when the current deadline
    // passes. Woken early (a deadline moved earlier) or late (one that had
    // moved later), it waits again for the deadline now in force.
    asio::awaitable<void> watchdog(std::shared_ptr<Connection>) {
        while (state_ != State::closed) {
            co_await deadline_.async_wait(nothrow);
            if (state_ == State::closed) break;
            const auto now = Clock::now();
            if (deadline_at_ <= now) {
                timed_out_ = true;
                close_socket();
            } else if (deadline_.expiry() <= now) {
                deadline_.expires_at(deadline_at_);
            }
        }
    }

    // llhttp callbacks: plain functions that find the connection in `data`.
    static Connection& self(llhttp_t* p) { return *static_cast<Connection*>(p->data); }

    static int on_message_begin(llhttp_t* p) {
        self(p).request_ = {};
        self(p).header_bytes_ = 0;
        return 0;
    }
    // Counts the head's bytes; over the limit, the request gets 431.
    bool head_too_large(std::size_t more) {
        header_bytes_ += more;
        if (header_bytes_ <= server_->options.max_header_bytes) return false;
        limit_status_ = 431;
        llhttp_set_error_reason(&parser_, "the request head is larger than the server accepts");
        return true;
    }
    static int on_url(llhttp_t* p, const char* at, std::size_t n) {
        if (self(p).head_too_large(n)) return HPE_USER;
        self(p).request_.target.append(at, n);
        return 0;
    }
    static int on_header_field(llhttp_t* p, const char* at, std::size_t n) {
        auto& c = self(p);
        if (c.head_too_large(n + 4)) return HPE_USER;  // + ": " and CRLF
        auto& headers = c.request_.headers;
        // llhttp may deliver a name in pieces; a new name starts after a value.
        if (headers.empty() || c.in_value_) headers.push_back({});
        c.in_value_ = false;
        headers.back().name.append(at, n);
        return 0;
    }
    static int on_header_value(llhttp_t* p, const char* at, std::size_t n) {
        auto& c = self(p);
        if (c.head_too_large(n)) return HPE_USER;
        c.in_value_ = true;
        c.request_.headers.back().value.append(at, n);
        return 0;
    }
    static int on_headers_complete(llhttp_t* p) {
        auto& c = self(p);
        c.in_value_ = false;
        c.request_.method = llhttp_method_name(static_cast<llhttp_method_t>(p->method));
        c.request_.keep_alive = llhttp_should_keep_alive(p) != 0;
        c.http_1_1_ = p->http_major > 1 || (p->http_major == 1 && p->http_minor >= 1);
        if ((p->flags & F_CONTENT_LENGTH) &&
            p->content_length > c.server_->options.max_body_bytes) {
            c.limit_status_ = 413;
            llhttp_set_error_reason(p, "the request body is larger than the server accepts");
            return -1;  // llhttp turns this into HPE_CB_HEADERS_COMPLETE
        }
        const bool has_body =
            (p->flags & F_CHUNKED) || ((p->flags & F_CONTENT_LENGTH) && p->content_length > 0);
        c.continue_due_ =
            c.http_1_1_ && has_body && equal_nocase(c.request_.header("Expect"), "100-continue");
        if (c.continue_due_) {
            // A request that will be refused anyway (see read_target) gets
            // its 400 after the body rather than an invitation to send it.
            Request copy;
            copy.target = c.request_.target;
            copy.headers = c.request_.headers;
            c.continue_due_ = read_target(copy, c.http_1_1_).empty();
        }
        c.state_ = State::body;
        return 0;
    }
    static int on_body(llhttp_t* p, const char* at, std::size_t n) {
        auto& c = self(p);
        if (c.request_.body.size() + n > c.server_->options.max_body_bytes) {
            c.limit_status_ = 413;  // a chunked body that grows past the limit
            llhttp_set_error_reason(p, "the request body is larger than the server accepts");
            return HPE_USER;
        }
        c.request_.body.append(at, n);
        return 0;
    }
    static int on_message_complete(llhttp_t*) {
        // Stop here so the request is answered before the next is parsed.
        return HPE_PAUSED;
    }

    std::shared_ptr<Server::Impl> server_;
    Stream stream_;
    asio::steady_timer deadline_;  // expires at or before deadline_at_
    Clock::time_point deadline_at_ = Clock::time_point::max();
    asio::cancellation_signal cancel_;
    std::list<ConnectionBase*>::iterator self_in_list_;
    llhttp_settings_t settings_;
    llhttp_t parser_;
    Request request_;
    std::string peer_;
    State state_ = State::idle;
    bool http_1_1_ = true;
    bool continue_due_ = false;  // Expect: 100-continue, not yet answered
    std::size_t header_bytes_ = 0;
    int limit_status_ = 0;
    bool in_value_ = false;
    bool timed_out_ = false;
    bool stop_after_response_ = false;
};

}  // namespace

template <class Stream>
asio::awaitable<void> Server::Impl::accept_loop(tcp::acceptor& acceptor, asio::ssl::context* tls) {
    auto self = shared_from_this();  // the loop keeps the server's state alive
    asio::steady_timer backoff(executor);
    while (!stopping) {
        auto [ec, socket] = co_await acceptor.async_accept(nothrow);
        if (stopping || ec == asio::error::operation_aborted) co_return;
        if (ec) {
            // Typically EMFILE: out of file descriptors. Accepting again at
            // once would spin; wait a little and let connections close.
            log("accept failed: " + ec.message() + "; retrying in 100 ms");
            backoff.expires_after(std::chrono::milliseconds(100));
            co_await backoff.async_wait(nothrow);
            continue;
        }
        std::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        if constexpr (std::is_same_v<Stream, tcp::socket>) {
            std::make_shared<Connection<Stream>>(self, std::move(socket))->start();
        } else {
            std::make_shared<Connection<Stream>>(self, Stream(std::move(socket), *tls))->start();
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
    return impl_->connections.size();
}

}  // namespace workbook::http

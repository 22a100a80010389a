#include "workbook/redis.hpp"

#include <array>
#include <asio/co_spawn.hpp>
#include <asio/connect.hpp>
#include <asio/detached.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/write.hpp>
#include <charconv>
#include <deque>
#include <exception>

#include "workbook/async_semaphore.hpp"
#include "workbook/nothrow.hpp"
#include "workbook/resolve.hpp"
#include "workbook/transport_error.hpp"

namespace workbook::redis {

using asio::ip::tcp;

std::string_view type_name(Value::Type type) {
    switch (type) {
        case Value::Type::nil:
            return "nil";
        case Value::Type::simple:
            return "simple string";
        case Value::Type::bulk:
            return "bulk string";
        case Value::Type::integer:
            return "integer";
        case Value::Type::array:
            return "array";
        case Value::Type::error:
            return "error";
    }
    return "?";
}

std::string encode(const std::vector<std::string>& args) {
    // *<count>\r\n, then $<length>\r\n<bytes>\r\n for each argument: the
    // length, not a delimiter, ends an argument, so any bytes may be in it.
    std::size_t size = 16;
    for (const auto& a : args) size += a.size() + 16;
    std::string out;
    out.reserve(size);
    out.append("*").append(std::to_string(args.size())).append("\r\n");
    for (const auto& a : args) {
        out.append("$").append(std::to_string(a.size())).append("\r\n").append(a).append("\r\n");
    }
    return out;
}

namespace {

constexpr std::size_t max_bulk = 512 * 1024 * 1024;  // Redis's own limit for a string
constexpr int max_depth = 64;

enum class Parsed { value, more, bad };

// One reply at in[pos...]: on `value`, pos is past it.
Parsed parse(std::string_view in, std::size_t& pos, Value& v, std::string& why, int depth) {
    if (depth > max_depth) {
        why = "arrays nested deeper than " + std::to_string(max_depth);
        return Parsed::bad;
    }
    const auto eol = in.find("\r\n", pos);
    if (eol == std::string_view::npos) return Parsed::more;
    if (eol == pos) {
        why = "an empty line where a reply should start";
        return Parsed::bad;
    }
    const char kind = in[pos];
    const std::string_view line = in.substr(pos + 1, eol - pos - 1);
    const auto number = [&](long long& n) {
        const auto [end, error] = std::from_chars(line.data(), line.data() + line.size(), n);
        if (error != std::errc() || end != line.data() + line.size()) {
            why = "\"" + std::string(line.substr(0, 40)) + "\" is not a number";
            return false;
        }
        return true;
    };
    switch (kind) {
        case '+':
        case '-':
            v.type = kind == '+' ? Value::Type::simple : Value::Type::error;
            v.text = std::string(line);
            pos = eol + 2;
            return Parsed::value;
        case ':':
            if (!number(v.integer)) return Parsed::bad;
            v.type = Value::Type::integer;
            pos = eol + 2;
            return Parsed::value;
        case '$': {
            long long length = 0;
            if (!number(length)) return Parsed::bad;
            if (length == -1) {
                v.type = Value::Type::nil;
                pos = eol + 2;
                return Parsed::value;
            }
            if (length < 0 || static_cast<std::size_t>(length) > max_bulk) {
                why = "a bulk string of length " + std::to_string(length);
                return Parsed::bad;
            }
            const std::size_t start = eol + 2, size = static_cast<std::size_t>(length);
            if (in.size() < start + size + 2) return Parsed::more;
            if (in.substr(start + size, 2) != "\r\n") {
                why = "a bulk string longer than its length says";
                return Parsed::bad;
            }
            v.type = Value::Type::bulk;
            v.text = std::string(in.substr(start, size));
            pos = start + size + 2;
            return Parsed::value;
        }
        case '*': {
            long long count = 0;
            if (!number(count)) return Parsed::bad;
            if (count == -1) {
                v.type = Value::Type::nil;
                pos = eol + 2;
                return Parsed::value;
            }
            if (count < 0) {
                why = "an array of " + std::to_string(count) + " elements";
                return Parsed::bad;
            }
            std::size_t at = eol + 2;
            Value array;
            array.type = Value::Type::array;
            for (long long i = 0; i < count; ++i) {
                Value element;
                const Parsed p = parse(in, at, element, why, depth + 1);
                if (p != Parsed::value) return p;
                array.elements.push_back(std::move(element));
            }
            v = std::move(array);
            pos = at;
            return Parsed::value;
        }
        default:
            why = "a reply starting with byte " + std::to_string(static_cast<unsigned char>(kind));
            return Parsed::bad;
    }
}

}  // namespace

std::string ReplyParser::feed(std::string_view data, std::vector<Value>& out) {
    pending_.append(data);
    // A reply cut short is parsed again from its start when more comes:
    // simple, and cheap for the short replies of a pipeline. (A resumable
    // parser would save that for multi-megabyte arrays.)
    std::size_t pos = 0;
    std::string why;
    for (;;) {
        Value v;
        std::size_t at = pos;
        const Parsed p = parse(pending_, at, v, why, 0);
        if (p == Parsed::bad) return why;
        if (p == Parsed::more) break;
        out.push_back(std::move(v));
        pos = at;
    }
    pending_.erase(0, pos);
    return {};
}

std::pair<std::string, unsigned short> parse_address(std::string_view url) {
    const auto fail = [&](const std::string& why) -> std::pair<std::string, unsigned short> {
        throw std::invalid_argument("the Redis address \"" + std::string(url) + "\" " + why +
                                    " (expected redis://127.0.0.1:6379 or 127.0.0.1:6379)");
    };
    std::string_view rest = url;
    if (const auto scheme = rest.find("://"); scheme != std::string_view::npos) {
        if (rest.substr(0, scheme) != "redis") return fail("is not a redis:// URL");
        rest = rest.substr(scheme + 3);
    }
    rest = rest.substr(0, rest.find('/'));
    if (const auto at = rest.rfind('@'); at != std::string_view::npos) rest = rest.substr(at + 1);
    const auto colon = rest.rfind(':');
    const std::string host(rest.substr(0, colon));
    if (host.empty()) return fail("has no host");
    unsigned port = 6379;
    if (colon != std::string_view::npos) {
        const auto text = rest.substr(colon + 1);
        const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), port);
        if (error != std::errc() || end != text.data() + text.size() || port == 0 || port > 65535)
            return fail("has no valid port");
    }
    return {host, static_cast<unsigned short>(port)};
}

namespace {

// A command waiting for its reply.
struct Pending {
    asio::steady_timer* wake = nullptr;  // the caller's; null once it stopped waiting
    Value reply;
    std::exception_ptr failure;
    bool done = false;
};

}  // namespace

struct Client::Impl {
    asio::any_io_executor executor;
    std::string host;
    unsigned short port;
    std::string where;  // "127.0.0.1:6379", for messages
    tcp::socket socket;
    ReplyParser parser;
    std::deque<std::shared_ptr<Pending>> waiting;  // sent or about to be, in order
    std::string outbox;                            // encoded commands not yet written
    bool writing = false;
    std::size_t writes = 0;
    // What ended the connection. The next command connects again; `closed`
    // (the Client is gone) is the one end that is final.
    std::exception_ptr broken;
    bool closed = false;
    // Each connection's number: a read or write loop of an earlier one,
    // still winding down, must not touch the next.
    std::size_t generation = 0;
    AsyncSemaphore connecting{1};  // one (re)connect at a time

    Impl(asio::any_io_executor ex, std::string h, unsigned short p)
        : executor(std::move(ex)),
          host(std::move(h)),
          port(p),
          where(host + ":" + std::to_string(port)),
          socket(executor) {}

    // Connects (again), on a fresh socket.
    asio::awaitable<void> open() {
        const auto endpoints = co_await resolve_endpoints(executor, host, port);
        tcp::socket fresh(executor);
        auto [error, endpoint] = co_await asio::async_connect(fresh, endpoints, nothrow);
        if (error) {
            throw TransportError(Step::connect, "connect to Redis at " + where + ": " +
                                                    error.message() +
                                                    " (is it running? ./workbook services start)");
        }
        // Commands are small and leave while others are unanswered: Nagle's
        // algorithm would hold each write until the one before is acknowledged.
        std::error_code ignored;
        fresh.set_option(tcp::no_delay(true), ignored);
        socket = std::move(fresh);
        parser = ReplyParser();
        broken = nullptr;
        writing = false;
        ++generation;
        asio::co_spawn(executor, read_loop(self_ptr(), generation), asio::detached);
    }

    std::weak_ptr<Impl> weak_self;  // set by Client's constructor: the loops hold the state alive
    std::shared_ptr<Impl> self_ptr() { return weak_self.lock(); }

    // The connection is over: every command waiting gets `error`.
    void fail(const TransportError& error, std::size_t of_generation) {
        if (broken || of_generation != generation) return;
        broken = std::make_exception_ptr(error);
        for (auto& p : waiting) {
            p->failure = broken;
            p->done = true;
            if (p->wake) p->wake->cancel();
        }
        waiting.clear();
        outbox.clear();
        std::error_code ignored;
        socket.close(ignored);
    }

    // Writes what the outbox holds; commands issued while a write is under
    // way are in the outbox when it ends, and leave together in the next.
    static asio::awaitable<void> write_loop(std::shared_ptr<Impl> self) {
        const std::size_t generation = self->generation;
        // co_spawn starts a coroutine at once when called on the loop's own
        // thread (it dispatches): without this turn the first command would
        // leave alone. After it, every command issued on this turn of the
        // loop (task_group's tasks start one after the other on it) is in
        // the outbox, and they leave in one write.
        co_await asio::post(self->executor, asio::use_awaitable);
        while (!self->outbox.empty() && !self->broken && generation == self->generation) {
            std::string batch;
            batch.swap(self->outbox);
            ++self->writes;
            auto [error, written] =
                co_await asio::async_write(self->socket, asio::buffer(batch), nothrow);
            if (error) {
                self->fail(TransportError(Step::send, "sending to Redis at " + self->where +
                                                          " failed: " + error.message()),
                           generation);
            }
        }
        if (generation == self->generation) self->writing = false;
    }

    // Reads replies and hands each to the oldest command waiting: Redis
    // answers in the order it was asked.
    static asio::awaitable<void> read_loop(std::shared_ptr<Impl> self, std::size_t generation) {
        std::array<char, 16384> buffer;
        std::vector<Value> replies;
        for (;;) {
            auto [error, n] = co_await self->socket.async_read_some(asio::buffer(buffer), nothrow);
            if (error) {
                self->fail(
                    TransportError(Step::broken_off, "the connection to Redis at " + self->where +
                                                         " ended: " + error.message()),
                    generation);
                co_return;
            }
            replies.clear();
            const std::string why = self->parser.feed({buffer.data(), n}, replies);
            for (auto& reply : replies) {
                if (self->waiting.empty()) {
                    self->fail(TransportError(Step::protocol, "Redis at " + self->where +
                                                                  " sent a reply nobody asked for"),
                               generation);
                    co_return;
                }
                const auto pending = std::move(self->waiting.front());
                self->waiting.pop_front();
                pending->reply = std::move(reply);
                pending->done = true;
                // No one waits for the reply of a cancelled command: dropped.
                if (pending->wake) pending->wake->cancel();
            }
            if (!why.empty()) {
                self->fail(TransportError(Step::protocol, "Redis at " + self->where +
                                                              " sent what is not RESP: " + why),
                           generation);
                co_return;
            }
        }
    }
};

Client::Client(asio::any_io_executor executor, std::string host, unsigned short port)
    : impl_(std::make_shared<Impl>(std::move(executor), std::move(host), port)) {
    impl_->weak_self = impl_;
}

Client::~Client() {
    // Ends the read loop, which holds the connection's state alive; commands
    // still waiting (from coroutines that outlive the client) fail.
    impl_->fail(TransportError(Step::broken_off, "the Redis client was closed"), impl_->generation);
    impl_->closed = true;
}

asio::awaitable<void> Client::connect() {
    const auto impl = impl_;
    const auto turn = co_await impl->connecting.acquire();
    co_await impl->open();
}

asio::awaitable<Value> Client::command(std::vector<std::string> args) {
    const auto impl = impl_;
    if (impl->generation == 0) {
        throw TransportError(Step::connect,
                             "the Redis client is not connected: co_await connect() first");
    }
    if (impl->broken) {
        // The connection ended (the commands waiting then were told so):
        // this command connects again, once for all that arrive meanwhile.
        const auto turn = co_await impl->connecting.acquire();
        if (impl->broken) co_await impl->open();
    }
    auto pending = std::make_shared<Pending>();
    // Woken by the read loop (cancel) when the reply is in; never expires.
    asio::steady_timer wake(impl->executor, asio::steady_timer::time_point::max());
    pending->wake = &wake;
    impl->outbox += encode(args);
    impl->waiting.push_back(pending);
    if (!impl->writing) {
        // The writer sends on a later turn of the loop (see write_loop), so
        // commands other coroutines issue meanwhile go out in the same write.
        impl->writing = true;
        asio::co_spawn(impl->executor, Impl::write_loop(impl), asio::detached);
    }
    try {
        co_await wake.async_wait(nothrow);
    } catch (const asio::system_error&) {
        // Cancelled before the wait began (Asio throws at the co_await).
    }
    pending->wake = nullptr;
    // Not done: this coroutine was cancelled. The command stays in line, so
    // its reply is read, and dropped, in its turn.
    if (!pending->done) throw asio::system_error(asio::error::operation_aborted);
    if (pending->failure) std::rethrow_exception(pending->failure);
    if (pending->reply.type == Value::Type::error) throw RedisError(pending->reply.text);
    co_return std::move(pending->reply);
}

namespace {

[[noreturn]] void unexpected(const std::string& what, const Value& reply) {
    throw std::runtime_error(what + ": an answer of type " + std::string(type_name(reply.type)) +
                             " was not expected");
}

}  // namespace

asio::awaitable<std::optional<std::string>> Client::get(std::string key) {
    // The arguments are named before the co_await: g++ 12 miscompiles a
    // braced list inside one.
    std::vector<std::string> args{"GET", std::move(key)};
    auto reply = co_await command(std::move(args));
    if (reply.is_nil()) co_return std::nullopt;
    if (reply.type != Value::Type::bulk) unexpected("GET", reply);
    co_return std::move(reply.text);
}

asio::awaitable<void> Client::set(std::string key, std::string value) {
    std::vector<std::string> args{"SET", std::move(key), std::move(value)};
    const auto reply = co_await command(std::move(args));
    if (reply.type != Value::Type::simple) unexpected("SET", reply);
}

asio::awaitable<long long> Client::incr(std::string key) {
    std::vector<std::string> args{"INCR", std::move(key)};
    const auto reply = co_await command(std::move(args));
    if (reply.type != Value::Type::integer) unexpected("INCR", reply);
    co_return reply.integer;
}

asio::awaitable<long long> Client::del(std::string key) {
    std::vector<std::string> args{"DEL", std::move(key)};
    const auto reply = co_await command(std::move(args));
    if (reply.type != Value::Type::integer) unexpected("DEL", reply);
    co_return reply.integer;
}

asio::awaitable<bool> Client::expire(std::string key, std::chrono::seconds ttl) {
    std::vector<std::string> args{"EXPIRE", std::move(key), std::to_string(ttl.count())};
    const auto reply = co_await command(std::move(args));
    if (reply.type != Value::Type::integer) unexpected("EXPIRE", reply);
    co_return reply.integer == 1;
}

std::size_t Client::writes() const {
    return impl_->writes;
}

std::size_t Client::in_flight() const {
    return impl_->waiting.size();
}

}  // namespace workbook::redis

#include "workbook/redis.hpp"

#include <charconv>

#include "ordered_connection.hpp"
#include "workbook/resolve.hpp"

namespace workbook::redis {

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
    try {
        return split_host_port(rest, 6379);
    } catch (const std::invalid_argument& e) {
        return fail(e.what());
    }
}

// Redis on a connection that answers in order (ordered_connection.hpp).
struct Protocol {
    using Reply = Value;
    using Parser = ReplyParser;
    static constexpr std::string_view name = "Redis";
};

struct Client::Impl : detail::OrderedConnection<Protocol> {
    using OrderedConnection::OrderedConnection;
};

Client::Client(asio::any_io_executor executor, std::string host, unsigned short port)
    : impl_(std::make_shared<Impl>(std::move(executor), std::move(host), port)) {}

Client::~Client() {
    impl_->close();
}

asio::awaitable<void> Client::connect() {
    const auto impl = impl_;  // the connection lives as long as this call needs it
    co_await impl->connect();
}

asio::awaitable<Value> Client::command(std::vector<std::string> args) {
    const auto impl = impl_;
    auto reply = co_await impl->request(encode(args));
    if (reply.type == Value::Type::error) throw RedisError(reply.text);
    co_return reply;
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
    return impl_->writes();
}

std::size_t Client::in_flight() const {
    return impl_->in_flight();
}

}  // namespace workbook::redis

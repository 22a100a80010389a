#include "workbook/redis.hpp"

#include "ordered_connection.hpp"
#include "workbook/resolve.hpp"

namespace workbook::redis {

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

#include "workbook/memcached.hpp"

#include "ordered_connection.hpp"
#include "workbook/resolve.hpp"

namespace workbook::memcached {

namespace {

// A refusal is thrown with the server's own words.
void throw_if_refused(const Reply& reply) {
    const std::string_view line = reply.line;
    if (line == "ERROR" || line.rfind("CLIENT_ERROR", 0) == 0 || line.rfind("SERVER_ERROR", 0) == 0)
        throw ServerError(reply.line);
}

[[noreturn]] void unexpected(const std::string& command, const Reply& reply) {
    throw std::runtime_error("memcached answered " + command + " with \"" +
                             reply.line.substr(0, 60) + "\", which it never should");
}

}  // namespace

std::pair<std::string, unsigned short> parse_address(std::string_view address) {
    try {
        return split_host_port(address, 11211);
    } catch (const std::invalid_argument& e) {
        throw std::invalid_argument("the memcached address \"" + std::string(address) + "\" " +
                                    e.what() + " (expected 127.0.0.1:11211)");
    }
}

// memcached's text protocol on a connection that answers in order.
struct Protocol {
    using Reply = memcached::Reply;
    using Parser = ReplyParser;
    static constexpr std::string_view name = "memcached";
};

struct Client::Impl : detail::OrderedConnection<Protocol> {
    using OrderedConnection::OrderedConnection;

    // One request, its reply, a refusal thrown.
    asio::awaitable<Reply> ask(std::string request) {
        auto reply = co_await this->request(std::move(request));
        throw_if_refused(reply);
        co_return reply;
    }
};

Client::Client(asio::any_io_executor executor, std::string host, unsigned short port)
    : impl_(std::make_shared<Impl>(std::move(executor), std::move(host), port)) {}

Client::~Client() {
    impl_->close();
}

asio::awaitable<void> Client::connect() {
    const auto impl = impl_;
    co_await impl->connect();
}

asio::awaitable<std::optional<Item>> Client::get(std::string key) {
    check_key(key);
    const auto impl = impl_;
    auto reply = co_await impl->ask("get " + key + "\r\n");
    if (reply.line != "END") unexpected("get", reply);
    for (auto& [k, item] : reply.items) {
        if (k == key) co_return std::move(item);
    }
    co_return std::nullopt;
}

asio::awaitable<std::map<std::string, Item>> Client::get_many(std::vector<std::string> keys) {
    std::map<std::string, Item> found;
    if (keys.empty()) co_return found;
    std::string request = "get";
    for (const auto& key : keys) {
        check_key(key);
        request.append(" ").append(key);
    }
    request += "\r\n";
    const auto impl = impl_;
    auto reply = co_await impl->ask(std::move(request));
    if (reply.line != "END") unexpected("get", reply);
    for (auto& [k, item] : reply.items) found.insert_or_assign(std::move(k), std::move(item));
    co_return found;
}

asio::awaitable<void> Client::set(std::string key, std::string value, std::chrono::seconds ttl,
                                  std::uint32_t flags) {
    check_key(key);
    if (ttl.count() < 0 || ttl > max_ttl) {
        throw std::invalid_argument("a memcached time to live is 0 to 30 days (2592000 s); " +
                                    std::to_string(ttl.count()) +
                                    " s would be read as a Unix time");
    }
    // set <key> <flags> <exptime> <bytes>\r\n<data>\r\n: the length first,
    // so the value may hold any byte.
    std::string request;
    request.reserve(key.size() + value.size() + 64);
    request.append("set ")
        .append(key)
        .append(" ")
        .append(std::to_string(flags))
        .append(" ")
        .append(std::to_string(ttl.count()))
        .append(" ")
        .append(std::to_string(value.size()))
        .append("\r\n")
        .append(value)
        .append("\r\n");
    const auto impl = impl_;
    const auto reply = co_await impl->ask(std::move(request));
    if (reply.line != "STORED") unexpected("set", reply);
}

asio::awaitable<void> Client::set(std::string key, std::string value) {
    // Named first: no temporary of class type in a call that holds a
    // co_await (g++ 12).
    const std::chrono::seconds until_evicted(0);
    co_await set(std::move(key), std::move(value), until_evicted, 0);
}

asio::awaitable<bool> Client::del(std::string key) {
    check_key(key);
    const auto impl = impl_;
    const auto reply = co_await impl->ask("delete " + key + "\r\n");
    if (reply.line == "DELETED") co_return true;
    if (reply.line == "NOT_FOUND") co_return false;
    unexpected("delete", reply);
}

asio::awaitable<std::optional<std::uint64_t>> Client::incr(std::string key, std::uint64_t by) {
    check_key(key);
    const auto impl = impl_;
    const auto reply = co_await impl->ask("incr " + key + " " + std::to_string(by) + "\r\n");
    if (reply.line == "NOT_FOUND") co_return std::nullopt;
    std::uint64_t value = 0;
    if (!parse_decimal(std::string_view(reply.line), value)) unexpected("incr", reply);
    co_return value;
}

std::size_t Client::writes() const {
    return impl_->writes();
}

std::size_t Client::in_flight() const {
    return impl_->in_flight();
}

}  // namespace workbook::memcached

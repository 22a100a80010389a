#include "workbook/memcached.hpp"

#include <charconv>

#include "ordered_connection.hpp"
#include "workbook/resolve.hpp"

namespace workbook::memcached {

namespace {

// Longer than any value memcached can be configured to hold (its -I option
// goes up to 1 GB): a length beyond it is not the protocol.
constexpr std::size_t max_value = std::size_t{1} << 30;

template <class Number>
bool to_number(std::string_view text, Number& n) {
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), n);
    return error == std::errc() && end == text.data() + text.size() && !text.empty();
}

// The words of a line split at single spaces.
std::vector<std::string_view> words(std::string_view line) {
    std::vector<std::string_view> out;
    std::size_t start = 0;
    while (start <= line.size()) {
        const auto space = line.find(' ', start);
        const auto end = space == std::string_view::npos ? line.size() : space;
        out.push_back(line.substr(start, end - start));
        if (space == std::string_view::npos) break;
        start = space + 1;
    }
    return out;
}

enum class Parsed { reply, more, bad };

// One reply at in[pos...]: on `reply`, pos is past it.
Parsed parse(std::string_view in, std::size_t& pos, Reply& reply, std::string& why) {
    std::size_t at = pos;
    for (;;) {
        const auto eol = in.find("\r\n", at);
        if (eol == std::string_view::npos) return Parsed::more;
        const std::string_view line = in.substr(at, eol - at);
        if (line.rfind("VALUE ", 0) != 0) {
            // A line that is a reply on its own, or the END after a get's items.
            reply.line = std::string(line);
            pos = eol + 2;
            return Parsed::reply;
        }
        // VALUE <key> <flags> <bytes> [<cas>], then <bytes> bytes and \r\n.
        const auto parts = words(line);
        std::uint32_t flags = 0;
        std::size_t bytes = 0;
        if (parts.size() < 4 || parts.size() > 5 || !to_number(parts[2], flags) ||
            !to_number(parts[3], bytes) || bytes > max_value) {
            why = "\"" + std::string(line.substr(0, 60)) + "\" is not a VALUE line";
            return Parsed::bad;
        }
        const std::size_t start = eol + 2;
        if (in.size() < start + bytes + 2) return Parsed::more;
        if (in.substr(start + bytes, 2) != "\r\n") {
            why = "a value longer than its VALUE line says";
            return Parsed::bad;
        }
        reply.items.emplace_back(std::string(parts[1]),
                                 Item{std::string(in.substr(start, bytes)), flags});
        at = start + bytes + 2;  // the next VALUE, or END
    }
}

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

std::string ReplyParser::feed(std::string_view data, std::vector<Reply>& out) {
    pending_.append(data);
    // A reply cut short is parsed again from its start when more comes, as
    // the Redis parser does.
    std::size_t pos = 0;
    std::string why;
    for (;;) {
        Reply reply;
        std::size_t at = pos;
        const Parsed p = parse(pending_, at, reply, why);
        if (p == Parsed::bad) return why;
        if (p == Parsed::more) break;
        out.push_back(std::move(reply));
        pos = at;
    }
    pending_.erase(0, pos);
    return {};
}

void check_key(std::string_view key) {
    const auto refuse = [&](const std::string& why) {
        throw std::invalid_argument("the memcached key \"" + std::string(key.substr(0, 60)) +
                                    "\" " + why);
    };
    if (key.empty()) refuse("is empty");
    if (key.size() > 250)
        refuse("is " + std::to_string(key.size()) + " bytes, over the 250 allowed");
    for (const unsigned char c : key) {
        if (c <= ' ' || c == 127)
            refuse("has a space or a control character, which the text protocol cannot carry");
    }
}

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
    if (!to_number(std::string_view(reply.line), value)) unexpected("incr", reply);
    co_return value;
}

std::size_t Client::writes() const {
    return impl_->writes();
}

std::size_t Client::in_flight() const {
    return impl_->in_flight();
}

}  // namespace workbook::memcached

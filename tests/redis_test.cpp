// The Redis client (shared/stores/include/workbook/redis.hpp): its RESP parser without a
// socket, then the client against a real Redis, the private one the
// services fixture starts (shared/scripts/services.sh), or REDIS_URL's.
#include "support/doctest.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/read.hpp>
#include <asio/this_coro.hpp>
#include <functional>
#include <string>
#include <vector>

#include "support/printing.hpp"
#include "support/redis_server.hpp"
#include "support/run_loop.hpp"
#include "support/services.hpp"
#include "workbook/nothrow.hpp"
#include "workbook/redis.hpp"
#include "workbook/timeout.hpp"
#include "workbook/transport_error.hpp"

using namespace std::chrono_literals;
using workbook::redis::Client;
using workbook::redis::RedisError;
using workbook::redis::ReplyParser;
using workbook::redis::Value;
using workbook::testing::mentions;
using workbook::testing::redis_address;
using workbook::testing::run_loop;
using workbook::testing::with_redis;

namespace {

std::string describe(const std::vector<Value>& values) {
    std::string out;
    for (const auto& v : values) {
        out += std::string(workbook::redis::type_name(v.type)) + "(" +
               (v.type == Value::Type::integer ? std::to_string(v.integer) : v.text) +
               (v.type == Value::Type::array ? std::to_string(v.elements.size()) : "") + ") ";
    }
    return out;
}

}  // namespace

TEST_CASE("redis: replies cut at every byte come out whole and in order") {
    const std::string stream =
        std::string("+OK\r\n-ERR no such key\r\n:42\r\n$5\r\nhello\r\n$-1\r\n") +
        "*3\r\n$1\r\na\r\n:-7\r\n*0\r\n$0\r\n\r\n$4\r\na\r\nb\r\n*-1\r\n";
    const std::string expected =
        "simple string(OK) error(ERR no such key) integer(42) bulk string(hello) nil() array(3) "
        "bulk string() bulk string(a\r\nb) nil() ";
    for (std::size_t piece = 1; piece <= stream.size(); ++piece) {
        CAPTURE(piece);
        ReplyParser parser;
        std::vector<Value> replies;
        for (std::size_t at = 0; at < stream.size(); at += piece)
            REQUIRE(parser.feed(std::string_view(stream).substr(at, piece), replies) == "");
        CHECK(describe(replies) == expected);
        REQUIRE(replies.size() == 9);
        CHECK(replies[5].elements[1].integer == -7);
    }
}

TEST_CASE("redis: nested arrays cut at every byte come out whole") {
    const std::string stream = "*3\r\n*2\r\n:1\r\n*1\r\n$1\r\nx\r\n*0\r\n$2\r\nok\r\n+PONG\r\n";
    for (std::size_t piece = 1; piece <= stream.size(); ++piece) {
        CAPTURE(piece);
        ReplyParser parser;
        std::vector<Value> replies;
        for (std::size_t at = 0; at < stream.size(); at += piece)
            REQUIRE(parser.feed(std::string_view(stream).substr(at, piece), replies) == "");
        REQUIRE(replies.size() == 2);
        REQUIRE(replies[0].elements.size() == 3);
        CHECK(replies[0].elements[0].elements[0].integer == 1);
        CHECK(replies[0].elements[0].elements[1].elements[0].text == "x");
        CHECK(replies[0].elements[1].elements.empty());
        CHECK(replies[0].elements[2].text == "ok");
        CHECK(replies[1].text == "PONG");
    }
}

TEST_CASE("redis: a reply of 100000 elements costs the parser the same work in any pieces") {
    // LRANGE of a long list: one array, 100,000 short bulk strings.
    constexpr int count = 100'000;
    std::string reply = "*" + std::to_string(count) + "\r\n";
    for (int i = 0; i < count; ++i) {
        const std::string item = "item-" + std::to_string(i);
        reply += "$" + std::to_string(item.size()) + "\r\n" + item + "\r\n";
    }
    for (const std::size_t piece : {std::size_t{1}, std::size_t{7}, std::size_t{65536}}) {
        CAPTURE(piece);
        ReplyParser parser;
        std::vector<Value> replies;
        for (std::size_t at = 0; at < reply.size(); at += piece)
            REQUIRE(parser.feed(std::string_view(reply).substr(at, piece), replies) == "");
        REQUIRE(replies.size() == 1);
        REQUIRE(replies[0].elements.size() == count);
        CHECK(replies[0].elements[count - 1].text == "item-99999");
        // Each byte searched once (and one byte again per piece, where a
        // line's \r may have ended the last one), copied once, moved at most
        // once: a parser that starts again from the reply's beginning with
        // each piece does about pieces x size / 2, here 10^12 for 1-byte
        // pieces.
        CHECK_MESSAGE(parser.work() <= 2 * reply.size(),
                      "the parser looked at " << parser.work() << " bytes for a reply of "
                                              << reply.size() << " in pieces of " << piece);
    }
}

TEST_CASE("redis: bytes that are not RESP are named") {
    for (const std::string bad :
         {"!oops\r\n", ":12x\r\n", "$abc\r\n", "$3\r\nabcd\r\n", "*-2\r\n"}) {
        CAPTURE(bad);
        ReplyParser parser;
        std::vector<Value> replies;
        CHECK_FALSE(parser.feed(bad, replies).empty());
    }
}

TEST_CASE("redis: SET then GET returns the value byte for byte") {
    const std::string value("line one\r\nline two\0and a zero byte", 33);
    const auto got = with_redis<std::optional<std::string>>(
        [&](Client& redis) -> asio::awaitable<std::optional<std::string>> {
            co_await redis.set("workbook:binary", value);
            co_return co_await redis.get("workbook:binary");
        });
    REQUIRE(got.has_value());
    CHECK(*got == value);
}

TEST_CASE("redis: INCR counts - DEL removes - EXPIRE sets a time to live - a missing key is nil") {
    with_redis<int>([](Client& redis) -> asio::awaitable<int> {
        co_await redis.del("workbook:counter");
        CHECK(co_await redis.incr("workbook:counter") == 1);
        CHECK(co_await redis.incr("workbook:counter") == 2);
        CHECK(co_await redis.expire("workbook:counter", 10s));
        std::vector<std::string> ttl_args{"TTL", "workbook:counter"};
        const auto ttl = co_await redis.command(std::move(ttl_args));
        CHECK((ttl.integer > 0 && ttl.integer <= 10));
        CHECK(co_await redis.del("workbook:counter") == 1);
        CHECK(co_await redis.del("workbook:counter") == 0);
        CHECK_FALSE((co_await redis.get("workbook:counter")).has_value());
        co_return 0;
    });
}

TEST_CASE("redis: an error reply is thrown with Redis's own message - the connection goes on") {
    with_redis<int>([](Client& redis) -> asio::awaitable<int> {
        std::string said;
        try {
            std::vector<std::string> args{"NOSUCHCOMMAND", "x"};
            co_await redis.command(std::move(args));
        } catch (const RedisError& e) {
            said = e.what();
        }
        CHECK(mentions(said, "unknown command"));
        co_await redis.del("workbook:list");
        std::vector<std::string> push{"LPUSH", "workbook:list", "a"};
        co_await redis.command(std::move(push));
        said.clear();
        try {
            co_await redis.get("workbook:list");
        } catch (const RedisError& e) {
            said = e.what();
        }
        CHECK(mentions(said, "WRONGTYPE"));
        std::vector<std::string> ping{"PING"};
        CHECK((co_await redis.command(std::move(ping))).text == "PONG");
        co_return 0;
    });
}

TEST_CASE(
    "redis: a thousand coroutines' GETs leave in a handful of writes and each gets its own reply") {
    constexpr int n = 1000;
    std::vector<std::string> got(n);
    std::size_t writes_for_gets = 0;
    long long counted_by_redis = 0;
    with_redis<int>([&](Client& redis) -> asio::awaitable<int> {
        auto executor = co_await asio::this_coro::executor;
        std::vector<std::string> mset{"MSET"};
        for (int i = 0; i < n; ++i) {
            mset.push_back("workbook:k" + std::to_string(i));
            mset.push_back("v" + std::to_string(i));
        }
        co_await redis.command(std::move(mset));
        // What Redis itself counted: GETs before and after.
        const auto gets_so_far = [&]() -> asio::awaitable<long long> {
            std::vector<std::string> info{"INFO", "commandstats"};
            const auto text = (co_await redis.command(std::move(info))).text;
            const auto at = text.find("cmdstat_get:calls=");
            co_return at == std::string::npos ? 0 : std::stoll(text.substr(at + 18));
        };
        const long long before = co_await gets_so_far();
        const std::size_t writes_before = redis.writes();
        int left = n;
        asio::steady_timer all_done(executor, asio::steady_timer::time_point::max());
        for (int i = 0; i < n; ++i) {
            asio::co_spawn(
                executor,
                [&, i]() -> asio::awaitable<void> {
                    got[i] = (co_await redis.get("workbook:k" + std::to_string(i))).value_or("nil");
                    if (--left == 0) all_done.cancel();
                },
                asio::detached);
        }
        co_await all_done.async_wait(workbook::nothrow);
        writes_for_gets = redis.writes() - writes_before;
        counted_by_redis = co_await gets_so_far() - before;
        co_return 0;
    });
    int mismatched = 0;
    for (int i = 0; i < n; ++i) mismatched += got[i] != "v" + std::to_string(i);
    CHECK(mismatched == 0);
    CHECK(counted_by_redis == n);
    CHECK_MESSAGE(writes_for_gets <= 5, "commands issued together must leave together: "
                                            << n << " GETs took " << writes_for_gets << " writes");
}

TEST_CASE(
    "redis: a command cancelled by a timeout gives up at once - the next command gets its own reply") {
    with_redis<int>([](Client& redis) -> asio::awaitable<int> {
        co_await redis.del("workbook:empty");
        // BLPOP on an empty list: Redis answers nil only after 0.5 s.
        std::vector<std::string> blpop{"BLPOP", "workbook:empty", "0.5"};
        bool timed_out = false;
        try {
            co_await workbook::with_timeout(redis.command(std::move(blpop)), 100ms);
        } catch (const workbook::TimeoutError&) {
            timed_out = true;
        }
        CHECK(timed_out);
        CHECK(redis.in_flight() == 1);  // BLPOP's reply is still to come, and will be dropped
        std::vector<std::string> echo{"ECHO", "mine"};
        CHECK((co_await redis.command(std::move(echo))).text == "mine");
        CHECK(redis.in_flight() == 0);
        co_return 0;
    });
}

TEST_CASE("redis: a server that is not there or goes away is a TransportError for every command") {
    // Nothing listens: the connect fails and says where and what to do.
    const auto free_port = workbook::testing::port_nobody_listens_on();
    workbook::testing::check_nobody_listens(
        [&]() -> asio::awaitable<int> {
            Client client(co_await asio::this_coro::executor, "127.0.0.1", free_port);
            co_await client.connect();
            co_return 0;
        },
        "127.0.0.1:" + std::to_string(free_port));
    // A server that accepts, then hangs up without a reply: both commands
    // waiting fail; the next connects again, and fails for nobody listens.
    const auto steps = run_loop([&]() -> asio::awaitable<std::vector<workbook::Failure>> {
        auto executor = co_await asio::this_coro::executor;
        asio::ip::tcp::acceptor server(executor, {asio::ip::make_address("127.0.0.1"), 0});
        Client client(executor, "127.0.0.1", server.local_endpoint().port());
        co_await client.connect();
        auto [accept_error, peer] = co_await server.async_accept(workbook::nothrow);
        std::vector<workbook::Failure> seen;
        int left = 2;
        asio::steady_timer both(executor, asio::steady_timer::time_point::max());
        for (int i = 0; i < 2; ++i) {
            asio::co_spawn(
                executor,
                [&]() -> asio::awaitable<void> {
                    try {
                        std::vector<std::string> ping{"PING"};
                        co_await client.command(std::move(ping));
                    } catch (const workbook::TransportError& e) {
                        seen.push_back(e.failure());
                    }
                    if (--left == 0) both.cancel();
                },
                asio::detached);
        }
        // Both PINGs have reached the "server" (read off its socket), so both
        // commands are waiting for replies when it hangs up.
        const std::string two_pings =
            workbook::redis::encode({"PING"}) + workbook::redis::encode({"PING"});
        std::string received(two_pings.size(), '\0');
        co_await asio::async_read(peer, asio::buffer(received), workbook::nothrow);
        CHECK(received == two_pings);
        peer.close();
        co_await both.async_wait(workbook::nothrow);
        server.close();
        try {
            std::vector<std::string> ping{"PING"};
            co_await client.command(std::move(ping));
        } catch (const workbook::TransportError& e) {
            seen.push_back(e.failure());
        }
        co_return seen;
    }());
    const std::vector<workbook::Failure> expected{
        workbook::Failure::broken_off, workbook::Failure::broken_off, workbook::Failure::connect};
    CHECK(steps == expected);
}

TEST_CASE(
    "redis: a connection Redis kills fails its waiting command - the next command connects again") {
    with_redis<int>([](Client& redis) -> asio::awaitable<int> {
        auto executor = co_await asio::this_coro::executor;
        const auto [host, port] = redis_address();
        Client killer(executor, host, port);
        co_await killer.connect();
        std::vector<std::string> id{"CLIENT", "ID"};
        const auto my_id = (co_await redis.command(std::move(id))).integer;
        // A BLPOP waiting when its connection is killed.
        co_await redis.del("workbook:never");
        std::string failure;
        bool over = false;
        asio::steady_timer ended(executor, asio::steady_timer::time_point::max());
        asio::co_spawn(
            executor,
            [&]() -> asio::awaitable<void> {
                try {
                    std::vector<std::string> blpop{"BLPOP", "workbook:never", "5"};
                    co_await redis.command(std::move(blpop));
                } catch (const workbook::TransportError& e) {
                    failure = e.what();
                }
                over = true;
                ended.cancel();
            },
            asio::detached);
        // Killed once Redis has it: CLIENT LIST shows the connection blocked
        // in BLPOP (no fixed sleep that a slow machine could outrun).
        for (bool blocked = false; !blocked;) {
            std::vector<std::string> list{"CLIENT", "LIST", "ID", std::to_string(my_id)};
            const auto listed = (co_await killer.command(std::move(list))).text;
            blocked = listed.find("cmd=blpop") != std::string::npos;
        }
        std::vector<std::string> kill{"CLIENT", "KILL", "ID", std::to_string(my_id)};
        CHECK((co_await killer.command(std::move(kill))).integer == 1);
        // Ends at once (maybe already, while KILL was answered), or the
        // test's deadline names the hang.
        if (!over) co_await ended.async_wait(workbook::nothrow);
        CHECK(mentions(failure, "ended"));
        // The next command connects again: a new connection, a new id.
        std::vector<std::string> again{"CLIENT", "ID"};
        CHECK((co_await redis.command(std::move(again))).integer != my_id);
        co_return 0;
    });
}

// The memcached client (shared/stores/include/workbook/memcached.hpp): its reply parser
// without a socket, then the client against the real memcached the
// services fixture starts (or MEMCACHED_ADDR's).
#include "support/doctest.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/read.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/write.hpp>
#include <functional>
#include <string>
#include <vector>

#include "support/printing.hpp"
#include "support/run_loop.hpp"
#include "support/services.hpp"
#include "workbook/memcached.hpp"
#include "workbook/nothrow.hpp"
#include "workbook/transport_error.hpp"

using namespace std::chrono_literals;
using workbook::memcached::Client;
using workbook::memcached::Item;
using workbook::memcached::Reply;
using workbook::memcached::ReplyParser;
using workbook::memcached::ServerError;
using workbook::testing::mentions;
using workbook::testing::run_loop;
using workbook::testing::unique_key;

namespace {

template <class T>
T with_memcached(std::function<asio::awaitable<T>(Client&)> body) {
    const auto [host, port] =
        workbook::memcached::parse_address(workbook::testing::fixture_address("MEMCACHED_ADDR"));
    return run_loop(
        [&]() -> asio::awaitable<T> {
            Client client(co_await asio::this_coro::executor, host, port);
            co_await client.connect();
            co_return co_await body(client);
        }(),
        10s, "a request waits for a reply that never comes");
}

std::string describe(const std::vector<Reply>& replies) {
    std::string out;
    for (const auto& r : replies) {
        for (const auto& [key, item] : r.items)
            out += "VALUE(" + key + "," + std::to_string(item.flags) + "," + item.value + ") ";
        out += r.line + " ";
    }
    return out;
}

}  // namespace

TEST_CASE("memcached: replies cut at every byte come out whole and in order") {
    const std::string stream =
        "STORED\r\nVALUE a 0 5\r\nhello\r\nVALUE b 42 4\r\nx\r\ny\r\nEND\r\nEND\r\n"
        "NOT_FOUND\r\n43\r\nSERVER_ERROR out of memory\r\nVALUE c 1 0 99\r\n\r\nEND\r\n";
    const std::string expected =
        "STORED VALUE(a,0,hello) VALUE(b,42,x\r\ny) END END NOT_FOUND 43 SERVER_ERROR out of "
        "memory VALUE(c,1,) END ";
    for (std::size_t piece = 1; piece <= stream.size(); ++piece) {
        CAPTURE(piece);
        ReplyParser parser;
        std::vector<Reply> replies;
        for (std::size_t at = 0; at < stream.size(); at += piece)
            REQUIRE(parser.feed(std::string_view(stream).substr(at, piece), replies) == "");
        CHECK(describe(replies) == expected);
    }
}

TEST_CASE("memcached: a get of 20000 keys costs the parser the same work in any pieces") {
    constexpr int count = 20'000;
    std::string reply;
    for (int i = 0; i < count; ++i) {
        const std::string value = "value of " + std::to_string(i);
        reply += "VALUE key:" + std::to_string(i) + " 0 " + std::to_string(value.size()) + "\r\n" +
                 value + "\r\n";
    }
    reply += "END\r\n";
    for (const std::size_t piece : {std::size_t{1}, std::size_t{7}, std::size_t{65536}}) {
        CAPTURE(piece);
        ReplyParser parser;
        std::vector<Reply> replies;
        for (std::size_t at = 0; at < reply.size(); at += piece)
            REQUIRE(parser.feed(std::string_view(reply).substr(at, piece), replies) == "");
        REQUIRE(replies.size() == 1);
        REQUIRE(replies[0].items.size() == count);
        CHECK(replies[0].items.back().first == "key:19999");
        CHECK(replies[0].items.back().second.value == "value of 19999");
        // Each byte searched once, copied once, moved at most once; a
        // parser that starts the reply again with each piece does about
        // pieces x size / 2.
        CHECK_MESSAGE(parser.work() <= 2 * reply.size(),
                      "the parser looked at " << parser.work() << " bytes for a reply of "
                                              << reply.size() << " in pieces of " << piece);
    }
}

TEST_CASE("memcached: bytes that are not the text protocol are named") {
    for (const std::string bad :
         {"VALUE a\r\n", "VALUE a x 3\r\nabc\r\n", "VALUE a 0 3\r\nabcd\r\n", "VALUE a 0 -1\r\n"}) {
        CAPTURE(bad);
        ReplyParser parser;
        std::vector<Reply> replies;
        CHECK_FALSE(parser.feed(bad, replies).empty());
    }
}

TEST_CASE("memcached: keys the text protocol cannot carry are refused before anything is sent") {
    for (const auto& bad : {std::string(), std::string("two words"), std::string("tab\there"),
                            std::string("new\r\nline"), std::string(251, 'k')}) {
        CAPTURE(bad);
        CHECK_THROWS_AS(workbook::memcached::check_key(bad), std::invalid_argument);
    }
    CHECK_NOTHROW(workbook::memcached::check_key(std::string(250, 'k')));
    CHECK_NOTHROW(workbook::memcached::check_key("repo:chriskohlhoff/asio"));
}

TEST_CASE("memcached: addresses") {
    CHECK(workbook::memcached::parse_address("127.0.0.1:11311") ==
          std::pair<std::string, unsigned short>("127.0.0.1", 11311));
    CHECK(workbook::memcached::parse_address("localhost") ==
          std::pair<std::string, unsigned short>("localhost", 11211));
    CHECK(workbook::memcached::parse_address("[::1]:11311") ==
          std::pair<std::string, unsigned short>("::1", 11311));
    CHECK_THROWS_AS(workbook::memcached::parse_address(":11211"), std::invalid_argument);
    CHECK_THROWS_AS(workbook::memcached::parse_address("host:99999"), std::invalid_argument);
}

TEST_CASE("memcached: set then get returns the value byte for byte with its flags") {
    const std::string value("line one\r\nEND\r\nVALUE x 0 1\r\n\0zero", 31);
    const auto key = unique_key("workbook:binary");
    const auto got = with_memcached<std::optional<Item>>(
        [&](Client& mc) -> asio::awaitable<std::optional<Item>> {
            co_await mc.set(key, value, 60s, 7);
            co_return co_await mc.get(key);
        });
    REQUIRE(got.has_value());
    CHECK(got->value == value);
    CHECK(got->flags == 7);
}

TEST_CASE("memcached: get_many returns the keys it has in one request - delete - incr") {
    const auto a = unique_key("workbook:a"), b = unique_key("workbook:b"),
               missing = unique_key("workbook:missing"), n = unique_key("workbook:n");
    with_memcached<int>([&](Client& mc) -> asio::awaitable<int> {
        co_await mc.set(a, "1");
        co_await mc.set(b, "2");
        const auto writes = mc.writes();
        std::vector<std::string> keys{a, missing, b};
        const auto found = co_await mc.get_many(std::move(keys));
        CHECK(mc.writes() - writes == 1);
        CHECK(found.size() == 2);
        CHECK(found.at(a).value == "1");
        CHECK(found.at(b).value == "2");
        CHECK(found.count(missing) == 0);

        CHECK(co_await mc.del(a));
        CHECK_FALSE(co_await mc.del(a));
        CHECK_FALSE((co_await mc.get(a)).has_value());

        CHECK_FALSE((co_await mc.incr(n, 1)).has_value());  // incr creates nothing
        co_await mc.set(n, "41");
        CHECK(co_await mc.incr(n, 1) == std::optional<std::uint64_t>(42));
        co_return 0;
    });
}

TEST_CASE("memcached: a refusal is thrown with the server's words - the connection goes on") {
    const auto key = unique_key("workbook:big"), text = unique_key("workbook:text");
    with_memcached<int>([&](Client& mc) -> asio::awaitable<int> {
        std::string said;
        try {
            co_await mc.set(key, std::string(2 * 1024 * 1024, 'x'));  // over the 1 MB item limit
        } catch (const ServerError& e) {
            said = e.what();
        }
        CHECK(mentions(said, "SERVER_ERROR"));
        co_await mc.set(text, "not a number");
        said.clear();
        try {
            co_await mc.incr(text, 1);
        } catch (const ServerError& e) {
            said = e.what();
        }
        CHECK(mentions(said, "CLIENT_ERROR"));
        co_await mc.set(key, "small");
        CHECK((co_await mc.get(key))->value == "small");
        co_return 0;
    });
}

TEST_CASE("memcached: a time to live over 30 days is refused - memcached would read a date") {
    with_memcached<int>([](Client& mc) -> asio::awaitable<int> {
        bool refused = false;
        try {
            const std::chrono::seconds a_year = 365 * 24h;
            co_await mc.set("workbook:year", "x", a_year, 0);
        } catch (const std::invalid_argument& e) {
            refused = mentions(e.what(), "Unix time").operator bool();
        }
        CHECK(refused);
        co_return 0;
    });
}

TEST_CASE("memcached: a thousand coroutines' gets leave in a handful of writes") {
    constexpr int n = 1000;
    const auto prefix = unique_key("workbook:many");
    std::vector<std::string> got(n);
    std::size_t writes = 0;
    with_memcached<int>([&](Client& mc) -> asio::awaitable<int> {
        for (int i = 0; i < n; i += 100)
            co_await mc.set(prefix + std::to_string(i), std::to_string(i));
        const auto executor = co_await asio::this_coro::executor;
        const auto before = mc.writes();
        int left = n;
        asio::steady_timer all_done(executor, asio::steady_timer::time_point::max());
        for (int i = 0; i < n; ++i) {
            asio::co_spawn(
                executor,
                [&, i]() -> asio::awaitable<void> {
                    const auto item = co_await mc.get(prefix + std::to_string(i));
                    got[i] = item ? item->value : "miss";
                    if (--left == 0) all_done.cancel();
                },
                asio::detached);
        }
        co_await all_done.async_wait(workbook::nothrow);
        writes = mc.writes() - before;
        co_return 0;
    });
    int wrong = 0;
    for (int i = 0; i < n; ++i) wrong += got[i] != (i % 100 == 0 ? std::to_string(i) : "miss");
    CHECK(wrong == 0);
    CHECK_MESSAGE(writes <= 5, n << " gets took " << writes << " writes");
}

TEST_CASE("memcached: a server that is not there is a TransportError naming it") {
    const auto free_port = workbook::testing::port_nobody_listens_on();
    workbook::testing::check_nobody_listens(
        [&]() -> asio::awaitable<int> {
            Client client(co_await asio::this_coro::executor, "127.0.0.1", free_port);
            co_await client.connect();
            co_return 0;
        },
        "memcached at 127.0.0.1:" + std::to_string(free_port));
}

TEST_CASE(
    "memcached: a server that hangs up fails every request waiting - the next connects again") {
    // A stand-in server on a free port: it reads two gets, hangs up without
    // a reply, then accepts the client's new connection and answers a miss.
    const auto seen = run_loop([&]() -> asio::awaitable<std::vector<std::string>> {
        auto executor = co_await asio::this_coro::executor;
        asio::ip::tcp::acceptor server(executor, {asio::ip::make_address("127.0.0.1"), 0});
        Client client(executor, "127.0.0.1", server.local_endpoint().port());
        co_await client.connect();
        auto [accept_error, peer] = co_await server.async_accept(workbook::nothrow);
        std::vector<std::string> out;
        int left = 2;
        asio::steady_timer both(executor, asio::steady_timer::time_point::max());
        for (const char* key : {"a", "b"}) {
            asio::co_spawn(
                executor,
                [&, key]() -> asio::awaitable<void> {
                    try {
                        co_await client.get(key);
                        out.push_back(std::string(key) + ": answered");
                    } catch (const workbook::TransportError& e) {
                        out.push_back(std::string(key) + ": " +
                                      std::string(workbook::to_string(e.failure())));
                    }
                    if (--left == 0) both.cancel();
                },
                asio::detached);
        }
        // Both gets have reached the server: both wait for replies.
        std::string received(std::string("get a\r\nget b\r\n").size(), '\0');
        co_await asio::async_read(peer, asio::buffer(received), workbook::nothrow);
        CHECK(received == "get a\r\nget b\r\n");
        peer.close();
        co_await both.async_wait(workbook::nothrow);
        // The next request connects again; this time the server answers.
        asio::co_spawn(
            executor,
            [&]() -> asio::awaitable<void> {
                auto [error, again] = co_await server.async_accept(workbook::nothrow);
                std::string request(std::string("get c\r\n").size(), '\0');
                co_await asio::async_read(again, asio::buffer(request), workbook::nothrow);
                co_await asio::async_write(again, asio::buffer(std::string("END\r\n")),
                                           workbook::nothrow);
                asio::steady_timer linger(executor, std::chrono::milliseconds(200));
                co_await linger.async_wait(workbook::nothrow);
            },
            asio::detached);
        const auto item = co_await client.get("c");
        out.push_back(std::string("c: ") + (item ? "hit" : "miss"));
        co_return out;
    }());
    std::vector<std::string> expected{
        "a: " + std::string(workbook::to_string(workbook::Failure::broken_off)),
        "b: " + std::string(workbook::to_string(workbook::Failure::broken_off)), "c: miss"};
    CHECK(seen == expected);
}

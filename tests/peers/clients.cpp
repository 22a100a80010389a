// workbook-peer-clients: the workbook's Redis, memcached and PostgreSQL
// clients against the real servers, for the peer suite (tests/peers/run.py).
//
//   workbook-peer-clients SUBCOMMAND     (--list names them)
//
// The addresses come from REDIS_URL, MEMCACHED_ADDR and DATABASE_URL, which
// run.py sets: never the developer's own servers. Each subcommand prints one
// last line, "ok ..." with what it saw, or what was wrong. Where run.py must
// act in the middle (restart or kill a server), the subcommand prints
// "ready", waits for a line on its standard input, and goes on: the moment
// is chosen by the driver's progress, not by a sleep.
#include <unistd.h>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/posix/stream_descriptor.hpp>
#include <asio/read_until.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "exercise.hpp"  // chapter 13's pool
#include "workbook/memcached.hpp"
#include "workbook/nothrow.hpp"
#include "workbook/postgres.hpp"
#include "workbook/redis.hpp"
#include "workbook/run_with_deadline.hpp"
#include "workbook/timeout.hpp"
#include "workbook/transport_error.hpp"

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using workbook::TransportError;
namespace redis = workbook::redis;
namespace memcached = workbook::memcached;
namespace pg = workbook::pg;

namespace {

std::string address(const char* variable) {
    const char* value = std::getenv(variable);
    if (!value || !*value) throw std::runtime_error(std::string(variable) + " is not set");
    return value;
}

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string seconds_text(double s) {
    char text[32];
    std::snprintf(text, sizeof text, "%.2f s", s);
    return text;
}

asio::awaitable<void> pause(std::chrono::milliseconds how_long) {
    asio::steady_timer timer(co_await asio::this_coro::executor, how_long);
    co_await timer.async_wait(workbook::nothrow);
}

// Polls `done` every 5 ms; false when `limit` passed first.
asio::awaitable<bool> wait_until(const std::function<bool()>& done,
                                 std::chrono::milliseconds limit) {
    const auto deadline = Clock::now() + limit;
    while (!done()) {
        if (Clock::now() > deadline) co_return false;
        co_await pause(5ms);
    }
    co_return true;
}

// Says "ready" and waits for run.py's line (it restarted or killed a server).
asio::awaitable<std::string> ready_then_line() {
    std::cout << "ready" << std::endl;
    asio::posix::stream_descriptor in(co_await asio::this_coro::executor, ::dup(STDIN_FILENO));
    std::string line;
    co_await asio::async_read_until(in, asio::dynamic_buffer(line), '\n', asio::use_awaitable);
    co_return line.substr(0, line.find('\n'));
}

// Bytes of every value 0..255, CR LF and NUL among them: a value the
// protocols must carry by its length, never by a delimiter.
std::string pattern(std::size_t size, unsigned seed) {
    std::string value(size, '\0');
    for (std::size_t i = 0; i < size; ++i) value[i] = static_cast<char>((i * 7 + seed) % 256);
    return value;
}

// ------------------------------------------------------------------ Redis

redis::Client make_redis(asio::any_io_executor ex) {
    const auto [host, port] = redis::parse_address(address("REDIS_URL"));
    return redis::Client(ex, host, port);
}

// A payload that names its command, so a reply given to another command
// shows: ECHO answers exactly what it was given.
asio::awaitable<std::string> echo(redis::Client& redis, std::string payload) {
    std::vector<std::string> args{"ECHO", payload};
    const redis::Value reply = co_await redis.command(std::move(args));
    co_return reply.text;
}

// Redis restarted under eight busy coroutines: the commands in flight fail
// with TransportError, none gets another command's reply, and once Redis is
// back the commands succeed again on a new connection.
asio::awaitable<std::string> redis_restart() {
    auto ex = co_await asio::this_coro::executor;
    redis::Client redis = make_redis(ex);
    co_await redis.connect();
    bool restarted = false, stop = false;
    int before = 0, after = 0, transport = 0, running = 0;
    std::string wrong, other, transport_text;
    for (int w = 0; w < 8; ++w) {
        ++running;
        asio::co_spawn(
            ex,
            [&, w]() -> asio::awaitable<void> {
                for (int j = 0; !stop; ++j) {
                    // Some payloads of 20 KB: a kill can land within a reply.
                    const std::string payload = "w" + std::to_string(w) + "-" + std::to_string(j) +
                                                std::string(j % 5 == 0 ? 20000 : 0, 'x');
                    bool failed = false;
                    try {
                        const std::string got = co_await echo(redis, payload);
                        if (got != payload && wrong.empty())
                            wrong = "ECHO " + payload.substr(0, 20) + " got " + got.substr(0, 20);
                        ++(restarted ? after : before);
                    } catch (const TransportError& e) {
                        ++transport;
                        transport_text = e.what();
                        failed = true;
                    } catch (const std::exception& e) {
                        if (other.empty()) other = e.what();
                    }
                    // Redis is down: not a busy loop of refused connects.
                    if (failed) co_await pause(10ms);
                }
                --running;
            },
            asio::detached);
    }
    if (!co_await wait_until([&] { return before >= 500; }, 10s))
        co_return "only " + std::to_string(before) + " commands succeeded before the restart";
    co_await ready_then_line();
    restarted = true;
    const bool recovered = co_await wait_until([&] { return after >= 500; }, 10s);
    stop = true;
    co_await wait_until([&] { return running == 0; }, 5s);
    if (!wrong.empty()) co_return "a reply went to another command: " + wrong;
    if (!other.empty()) co_return "an error that is not a TransportError: " + other;
    if (!recovered)
        co_return "after the restart only " + std::to_string(after) + " commands succeeded in 10 s";
    if (transport == 0) co_return "Redis restarted under 8 busy coroutines, yet no command failed";
    co_return "ok " + std::to_string(before) + " before, " + std::to_string(transport) +
        " TransportError (\"" + transport_text + "\"), " + std::to_string(after) + " after";
}

// CLIENT KILL TYPE normal while five BLPOPs wait (and twenty ECHOs behind
// them): each fails at once with TransportError, none waits out its 10 s,
// and the next command connects again.
asio::awaitable<std::string> redis_client_kill() {
    auto ex = co_await asio::this_coro::executor;
    redis::Client redis = make_redis(ex), killer = make_redis(ex);
    co_await redis.connect();
    co_await killer.connect();
    std::vector<std::string> del{"DEL", "peers:empty"};
    co_await redis.command(std::move(del));
    int ended = 0, transport = 0;
    std::string other;
    for (int i = 0; i < 25; ++i) {
        asio::co_spawn(
            ex,
            [&, i]() -> asio::awaitable<void> {
                try {
                    if (i < 5) {
                        std::vector<std::string> blpop{"BLPOP", "peers:empty", "10"};
                        co_await redis.command(std::move(blpop));
                    } else {
                        co_await echo(redis, "pending " + std::to_string(i));
                    }
                    other = "a command pending at the kill got a reply";
                } catch (const TransportError&) {
                    ++transport;
                } catch (const std::exception& e) {
                    other = e.what();
                }
                ++ended;
            },
            asio::detached);
    }
    if (!co_await wait_until([&] { return redis.in_flight() == 25; }, 2s))
        co_return "the 25 commands were not all sent within 2 s";
    // Redis has them once the first BLPOP blocks: CLIENT LIST shows it.
    const auto blocked = [&]() -> asio::awaitable<bool> {
        std::vector<std::string> list{"CLIENT", "LIST"};
        const auto text = (co_await killer.command(std::move(list))).text;
        co_return text.find("cmd=blpop") != std::string::npos;
    };
    for (int i = 0;; ++i) {
        if (co_await blocked()) break;
        if (i == 400) co_return "the BLPOP did not reach Redis within 2 s";
        co_await pause(5ms);
    }
    const auto start = Clock::now();
    std::vector<std::string> kill{"CLIENT", "KILL", "TYPE", "normal"};
    const long long killed = (co_await killer.command(std::move(kill))).integer;
    if (killed < 1)
        co_return "CLIENT KILL TYPE normal killed " + std::to_string(killed) + " clients";
    if (!co_await wait_until([&] { return ended == 25; }, 5s))
        co_return std::to_string(25 - ended) +
            " of the 25 pending commands still wait 5 s after the kill";
    const double took = seconds_since(start);
    if (!other.empty()) co_return other;
    if (took > 1.0) co_return "the pending commands failed only after " + seconds_text(took);
    const std::string again = co_await echo(redis, "after the kill");
    if (again != "after the kill") co_return "the command after the kill got " + again;
    co_return "ok 25 pending commands failed with TransportError in " + seconds_text(took) +
        ", the next one connected again";
}

// CLIENT PAUSE 3000: commands sent meanwhile wait, then every one completes
// with its own reply, without an error or a timeout of the client's own.
asio::awaitable<std::string> redis_pause() {
    auto ex = co_await asio::this_coro::executor;
    redis::Client redis = make_redis(ex), pauser = make_redis(ex);
    co_await redis.connect();
    co_await pauser.connect();
    std::vector<std::string> pause_all{"CLIENT", "PAUSE", "3000"};
    co_await pauser.command(std::move(pause_all));
    const auto start = Clock::now();
    int done = 0;
    std::string problem;
    for (int i = 0; i < 100; ++i) {
        asio::co_spawn(
            ex,
            [&, i]() -> asio::awaitable<void> {
                const std::string payload = "paused " + std::to_string(i);
                try {
                    const std::string got = co_await echo(redis, payload);
                    if (got != payload) problem = "ECHO " + payload + " got " + got;
                } catch (const std::exception& e) {
                    problem = std::string("a paused command failed: ") + e.what();
                }
                ++done;
            },
            asio::detached);
    }
    if (!co_await wait_until([&] { return done == 100; }, 10s))
        co_return std::to_string(100 - done) +
            " of 100 commands still wait 10 s after CLIENT PAUSE 3000";
    const double took = seconds_since(start);
    if (!problem.empty()) co_return problem;
    if (took < 2.5)
        co_return "the commands completed after " + seconds_text(took) + ", within the pause";
    co_return "ok 100 commands waited out the pause and completed after " + seconds_text(took);
}

// Values of 0 B, 1 MiB and 64 MiB, every byte value in them, read back.
asio::awaitable<std::string> redis_sizes() {
    redis::Client redis = make_redis(co_await asio::this_coro::executor);
    co_await redis.connect();
    std::string seen;
    for (const std::size_t size : {std::size_t{0}, std::size_t{1} << 20, std::size_t{64} << 20}) {
        const std::string value = pattern(size, static_cast<unsigned>(size % 251));
        const auto start = Clock::now();
        co_await redis.set("peers:size", value);
        const auto got = co_await redis.get("peers:size");
        if (!got) co_return "GET after SET of " + std::to_string(size) + " bytes got nil";
        if (*got != value) {
            std::size_t at = 0;
            while (at < got->size() && at < size && (*got)[at] == value[at]) ++at;
            co_return "a value of " + std::to_string(size) + " bytes came back as " +
                std::to_string(got->size()) + " bytes, the first difference at byte " +
                std::to_string(at);
        }
        seen += " " + std::to_string(size) + " B in " + seconds_text(seconds_since(start)) + ";";
    }
    co_await redis.del("peers:size");
    co_return "ok" + seen;
}

// 10,000 commands issued at once on the one connection: each its own reply.
asio::awaitable<std::string> redis_concurrent() {
    auto ex = co_await asio::this_coro::executor;
    redis::Client redis = make_redis(ex);
    co_await redis.connect();
    constexpr int n = 10'000;
    int done = 0, wrong = 0;
    std::string first_wrong;
    const auto start = Clock::now();
    for (int i = 0; i < n; ++i) {
        asio::co_spawn(
            ex,
            [&, i]() -> asio::awaitable<void> {
                const std::string payload = "concurrent " + std::to_string(i);
                try {
                    const std::string got = co_await echo(redis, payload);
                    if (got != payload && wrong++ == 0) first_wrong = payload + " got " + got;
                } catch (const std::exception& e) {
                    if (wrong++ == 0) first_wrong = payload + ": " + e.what();
                }
                ++done;
            },
            asio::detached);
    }
    if (!co_await wait_until([&] { return done == n; }, 20s))
        co_return std::to_string(n - done) + " of 10000 commands unanswered after 20 s";
    if (wrong)
        co_return std::to_string(wrong) + " of 10000 replies wrong, the first: " + first_wrong;
    co_return "ok 10000 replies, each its own, in " + seconds_text(seconds_since(start)) + " (" +
        std::to_string(redis.writes()) + " writes)";
}

// LRANGE of a list of 1,000,000 elements: one reply of 1,000,000 bulk
// strings, parsed in a few seconds at most (a parser that starts again at
// each read would take minutes).
asio::awaitable<std::string> redis_lrange() {
    redis::Client redis = make_redis(co_await asio::this_coro::executor);
    co_await redis.connect();
    co_await redis.del("peers:list");
    constexpr int n = 1'000'000, batch = 10'000;
    for (int first = 0; first < n; first += batch) {
        std::vector<std::string> push{"RPUSH", "peers:list"};
        for (int i = first; i < first + batch; ++i) push.push_back("item-" + std::to_string(i));
        co_await redis.command(std::move(push));
    }
    const auto start = Clock::now();
    std::vector<std::string> lrange{"LRANGE", "peers:list", "0", "-1"};
    const redis::Value reply = co_await redis.command(std::move(lrange));
    const double took = seconds_since(start);
    co_await redis.del("peers:list");
    if (reply.elements.size() != n)
        co_return "LRANGE returned " + std::to_string(reply.elements.size()) +
            " elements of 1000000";
    if (reply.elements.front().text != "item-0" || reply.elements.back().text != "item-999999")
        co_return "LRANGE's elements are not the list's: " + reply.elements.front().text + " ... " +
            reply.elements.back().text;
    if (took > 5.0) co_return "LRANGE of 1,000,000 elements took " + seconds_text(took);
    co_return "ok 1000000 elements in " + seconds_text(took);
}

// -------------------------------------------------------------- memcached

memcached::Client make_memcached(asio::any_io_executor ex) {
    const auto [host, port] = memcached::parse_address(address("MEMCACHED_ADDR"));
    return memcached::Client(ex, host, port);
}

// Near memcached's 1 MB item limit: stored and read back unchanged. Over
// it: a ServerError in memcached's words, and the connection goes on.
asio::awaitable<std::string> memcached_sizes() {
    memcached::Client mc = make_memcached(co_await asio::this_coro::executor);
    co_await mc.connect();
    const std::string near = pattern(1'048'576 - 1024, 3);  // room for the item's header and key
    co_await mc.set("peers:near", near);
    const auto got = co_await mc.get("peers:near");
    if (!got) co_return "a value of 1 MiB - 1 KiB was stored, then get missed it";
    if (got->value != near)
        co_return "a value of 1 MiB - 1 KiB came back as " + std::to_string(got->value.size()) +
            " different bytes";
    std::string refusal;
    try {
        co_await mc.set("peers:over", pattern(1'048'576 + 1, 5));
    } catch (const memcached::ServerError& e) {
        refusal = e.what();
    } catch (const std::exception& e) {
        co_return std::string("a value over 1 MiB: expected a ServerError, got ") + e.what();
    }
    if (refusal.empty())
        co_return "a value of 1 MiB + 1 was stored: expected memcached to refuse it";
    co_await mc.set("peers:after", "still here");
    const auto after = co_await mc.get("peers:after");
    if (!after || after->value != "still here")
        co_return "after the refusal the connection did not go on: get returned " +
            (after ? after->value : std::string("nothing"));
    co_return "ok 1 MiB - 1 KiB read back; 1 MiB + 1 refused (\"" + refusal +
        "\"); the connection went on";
}

// A key the text protocol cannot carry is refused before anything is sent.
asio::awaitable<std::string> memcached_keys() {
    memcached::Client mc = make_memcached(co_await asio::this_coro::executor);
    co_await mc.connect();
    const std::string k250(250, 'k');
    co_await mc.set(k250, "two hundred and fifty");
    const auto got = co_await mc.get(k250);
    if (!got || got->value != "two hundred and fifty")
        co_return "a key of 250 bytes was not stored";
    const std::vector<std::pair<std::string, std::string>> bad = {
        {std::string(251, 'k'), "a key of 251 bytes"},
        {"with space", "a key with a space"},
        {"tab\there", "a key with a tab"},
        {"line\r\nset x 0 0 1", "a key with CR LF"},
        {std::string("nul\0byte", 8), "a key with a NUL"},
        {"del\x7f", "a key with DEL (0x7F)"},
        {"", "an empty key"},
    };
    for (const auto& [key, what] : bad) {
        for (const bool is_set : {true, false}) {
            const std::size_t writes = mc.writes();
            std::string refused;
            try {
                if (is_set) {
                    co_await mc.set(key, "value");
                } else {
                    co_await mc.get(key);
                }
            } catch (const std::invalid_argument& e) {
                refused = e.what();
            } catch (const std::exception& e) {
                co_return (is_set ? "set with " : "get with ") + what +
                    ": expected std::invalid_argument before sending, got " + e.what();
            }
            if (refused.empty())
                co_return (is_set ? "set with " : "get with ") + what + " was accepted";
            if (mc.writes() != writes)
                co_return (is_set ? "set with " : "get with ") + what +
                    " was refused only after sending";
        }
    }
    const auto still = co_await mc.get(k250);
    if (!still) co_return "after the refused keys the connection did not go on";
    co_return "ok 250 bytes stored; 251 bytes, space, tab, CR LF, NUL, DEL, empty refused unsent";
}

// memcached -m 1 and 30 MB of values: it evicts, and an evicted key is a
// miss, never an error; every hit is the value stored.
asio::awaitable<std::string> memcached_evictions() {
    memcached::Client mc = make_memcached(co_await asio::this_coro::executor);
    co_await mc.connect();
    constexpr int n = 3000;
    const auto value_of = [](int i) { return std::to_string(i) + ":" + std::string(10'000, 'v'); };
    for (int i = 0; i < n; ++i) {
        try {
            co_await mc.set("peers:evict:" + std::to_string(i), value_of(i));
        } catch (const std::exception& e) {
            co_return "set " + std::to_string(i) + " of " + std::to_string(n) +
                " in a 1 MB cache failed: " + e.what();
        }
    }
    int hits = 0, misses = 0;
    for (int first = 0; first < n; first += 100) {
        std::vector<std::string> keys;
        for (int i = first; i < first + 100; ++i)
            keys.push_back("peers:evict:" + std::to_string(i));
        std::map<std::string, memcached::Item> items;
        try {
            items = co_await mc.get_many(std::move(keys));
        } catch (const std::exception& e) {
            co_return std::string("get_many in a cache that evicted failed: ") + e.what();
        }
        for (int i = first; i < first + 100; ++i) {
            const auto it = items.find("peers:evict:" + std::to_string(i));
            if (it == items.end()) {
                ++misses;
            } else if (it->second.value != value_of(i)) {
                co_return "key " + std::to_string(i) + " came back with another value";
            } else {
                ++hits;
            }
        }
    }
    const auto first = co_await mc.get("peers:evict:0");
    if (misses == 0)
        co_return "30 MB stored in a 1 MB cache and nothing missing: -m 1 not in force?";
    if (first) co_return "the first key, surely evicted, was found";
    co_return "ok " + std::to_string(hits) + " hits, " + std::to_string(misses) +
        " misses (evicted), no error";
}

// memcached killed while four coroutines use it: a TransportError naming
// the address, at once, for what was in flight and for what comes after.
asio::awaitable<std::string> memcached_killed() {
    auto ex = co_await asio::this_coro::executor;
    memcached::Client mc = make_memcached(ex);
    co_await mc.connect();
    int ok = 0, running = 0;
    bool stop = false;
    std::string other;
    for (int w = 0; w < 4; ++w) {
        ++running;
        asio::co_spawn(
            ex,
            [&, w]() -> asio::awaitable<void> {
                for (int j = 0; !stop; ++j) {
                    const std::string key = "peers:k" + std::to_string(w);
                    const std::string value = std::to_string(j) + std::string(j % 3 * 5000, 'x');
                    try {
                        co_await mc.set(key, value);
                        const auto got = co_await mc.get(key);
                        if (!got || got->value != value)
                            other = "get " + key + " got another value";
                        ++ok;
                    } catch (const TransportError&) {
                        break;  // the kill: what comes after is asked below
                    } catch (const std::exception& e) {
                        other = std::string("not a TransportError: ") + e.what();
                        break;
                    }
                }
                --running;
            },
            asio::detached);
    }
    if (!co_await wait_until([&] { return ok >= 200; }, 10s))
        co_return "memcached answered too few";
    co_await ready_then_line();
    if (!co_await wait_until([&] { return running == 0; }, 3s))
        co_return "3 s after memcached was killed, commands still wait";
    stop = true;
    if (!other.empty()) co_return other;
    std::string said;
    const auto start = Clock::now();
    try {
        co_await mc.get("peers:k0");
        co_return "a get after memcached was killed got an answer";
    } catch (const TransportError& e) {
        said = e.what();
    } catch (const std::exception& e) {
        co_return std::string("a get after the kill: not a TransportError: ") + e.what();
    }
    const std::string where = address("MEMCACHED_ADDR");
    if (said.find(where) == std::string::npos)
        co_return "the error does not name " + where + ": " + said;
    co_return "ok in flight and after: TransportError in " + seconds_text(seconds_since(start)) +
        ": " + said;
}

// ------------------------------------------------------------- PostgreSQL

asio::awaitable<std::unique_ptr<pg::Connection>> pg_connect(std::string name) {
    auto c = std::make_unique<pg::Connection>(co_await asio::this_coro::executor,
                                              address("DATABASE_URL"), name);
    co_await c->connect();
    co_return c;
}

// NULLs, Unicode text and bytea, both ways.
asio::awaitable<std::string> pg_values() {
    auto c = co_await pg_connect("peers-values");
    const auto nulls = co_await c->query("SELECT NULL::int AS i, NULL::text AS t");
    if (!std::holds_alternative<std::monostate>(nulls.at(0, "i")) ||
        !std::holds_alternative<std::monostate>(nulls.at(0, "t")))
        co_return "NULL came back as " + pg::to_string(nulls.at(0, "i")) + " and " +
            pg::to_string(nulls.at(0, "t"));
    std::vector<pg::Param> null_param{nullptr};
    const auto is_null = co_await c->query("SELECT $1::int IS NULL AS n", std::move(null_param));
    if (is_null.at(0, "n") != pg::Value(true)) co_return "a NULL parameter did not arrive as NULL";
    const std::string text = "h\u00e9llo w\u00f6rld \u2014 \u65e5\u672c\u8a9e \U0001F389";
    std::vector<pg::Param> text_param{text};
    const auto unicode = co_await c->query("SELECT $1::text AS t, char_length($1::text) AS n",
                                           std::move(text_param));
    if (unicode.at(0, "t") != pg::Value(text))
        co_return "Unicode text came back as " + pg::to_string(unicode.at(0, "t"));
    if (unicode.at(0, "n") != pg::Value(std::int64_t{19}))
        co_return "PostgreSQL counted " + pg::to_string(unicode.at(0, "n")) +
            " characters in a text of 19: it did not arrive as UTF-8";
    std::vector<pg::Param> bytes_param{"\\x00ff0d0a41"};
    const auto bytes = co_await c->query(
        "SELECT $1::bytea AS b, length($1::bytea) AS n, decode('00ff', 'hex') AS d",
        std::move(bytes_param));
    if (bytes.at(0, "b") != pg::Value(std::string("\\x00ff0d0a41")) ||
        bytes.at(0, "n") != pg::Value(std::int64_t{5}) ||
        bytes.at(0, "d") != pg::Value(std::string("\\x00ff")))
        co_return "bytea came back as " + pg::to_string(bytes.at(0, "b")) + " (" +
            pg::to_string(bytes.at(0, "n")) + " bytes) and " + pg::to_string(bytes.at(0, "d"));
    co_return "ok NULL both ways, Unicode text of 19 characters, bytea with NUL, CR and LF";
}

// A result of 100,000 rows.
asio::awaitable<std::string> pg_rows() {
    auto c = co_await pg_connect("peers-rows");
    const auto start = Clock::now();
    const auto result =
        co_await c->query("SELECT g AS n, 'row ' || g AS t FROM generate_series(1, 100000) AS g");
    const double took = seconds_since(start);
    if (result.rows.size() != 100'000)
        co_return "expected 100000 rows, got " + std::to_string(result.rows.size());
    if (result.at(99'999, "n") != pg::Value(std::int64_t{100'000}) ||
        result.at(99'999, "t") != pg::Value(std::string("row 100000")))
        co_return "the last row is " + pg::to_string(result.at(99'999, "n"));
    if (took > 5.0) co_return "100000 rows took " + seconds_text(took);
    co_return "ok 100000 rows in " + seconds_text(took);
}

// statement_timeout: an Error that names it, and the connection goes on.
asio::awaitable<std::string> pg_timeout() {
    auto c = co_await pg_connect("peers-timeout");
    co_await c->query("SET statement_timeout = '200ms'");
    const auto start = Clock::now();
    std::string said, sqlstate;
    try {
        co_await c->query("SELECT pg_sleep(5)");
        co_return "pg_sleep(5) under statement_timeout 200ms completed";
    } catch (const pg::Error& e) {
        said = e.what();
        sqlstate = e.sqlstate();
    }
    if (sqlstate != "57014" || said.find("statement timeout") == std::string::npos)
        co_return "expected SQLSTATE 57014 naming the statement timeout, got " + said;
    if (seconds_since(start) > 2.0)
        co_return "the timeout came after " + seconds_text(seconds_since(start));
    co_await c->query("RESET statement_timeout");
    const auto one = co_await c->query("SELECT 1 AS one");
    if (one.at(0, "one") != pg::Value(std::int64_t{1})) co_return "the connection did not go on";
    co_return "ok " + said;
}

// A syntax error: the server's own message, and the connection goes on.
asio::awaitable<std::string> pg_syntax() {
    auto c = co_await pg_connect("peers-syntax");
    std::string said, sqlstate;
    try {
        co_await c->query("SELEC 1");
        co_return "SELEC 1 succeeded";
    } catch (const pg::Error& e) {
        said = e.what();
        sqlstate = e.sqlstate();
    }
    if (sqlstate != "42601" || said.find("syntax error at or near \"SELEC\"") == std::string::npos)
        co_return "expected the server's syntax error (42601) at SELEC, got " + said;
    const auto one = co_await c->query("SELECT 1 AS one");
    if (one.at(0, "one") != pg::Value(std::int64_t{1})) co_return "the connection did not go on";
    co_return "ok " + said;
}

// After the server dropped the pool's connections (a restart, or
// pg_terminate_backend): each query fails clearly or succeeds, and within
// one failure per dropped connection the pool serves again.
asio::awaitable<std::string> pool_recovers(chapter13::Pool& pool, std::size_t dropped) {
    std::size_t failures = 0, successes = 0;
    std::string said;
    for (int attempt = 0; attempt < 10 && successes < 3; ++attempt) {
        std::string failed;
        try {
            std::vector<pg::Param> none;
            const auto one = co_await pool.query("SELECT 1 AS one", std::move(none));
            if (one.at(0, "one") != pg::Value(std::int64_t{1}))
                co_return "SELECT 1 returned another value";
        } catch (const TransportError& e) {
            failed = e.what();
        } catch (const pg::Error& e) {
            failed = e.what();
        } catch (const std::exception& e) {
            co_return std::string("a query failed with neither TransportError nor pg::Error: ") +
                e.what();
        }
        if (failed.empty()) {
            ++successes;
        } else if (successes > 0) {
            co_return "a query failed after the pool had served again: " + failed;
        } else {
            ++failures;
            said = failed;
        }
    }
    if (successes < 3)
        co_return "the pool did not recover: " + std::to_string(failures) +
            " queries failed, the last: " + said;
    if (failures > dropped)
        co_return std::to_string(failures) + " queries failed for " + std::to_string(dropped) +
            " dropped connection(s): the pool lent a dead connection again (" + said + ")";
    co_return "ok " + std::to_string(failures) + " failed clearly" +
        (said.empty() ? std::string() : " (\"" + said + "\")") + ", then the pool served again";
}

// pg_ctl restart while the pool holds four idle connections.
asio::awaitable<std::string> pg_restart() {
    auto ex = co_await asio::this_coro::executor;
    chapter13::Pool pool(ex, address("DATABASE_URL"), "peers-restart", 4, 5s);
    {
        std::vector<chapter13::Pool::Lease> leases;
        for (int i = 0; i < 4; ++i) leases.push_back(co_await pool.acquire());
        for (auto& lease : leases) co_await lease->query("SELECT 1");
    }
    if (pool.idle() != 4)
        co_return "the pool holds " + std::to_string(pool.idle()) + " idle, not 4";
    co_await ready_then_line();
    co_return co_await pool_recovers(pool, 4);
}

// pg_terminate_backend of the connection the pool will lend next.
asio::awaitable<std::string> pg_terminate() {
    auto ex = co_await asio::this_coro::executor;
    chapter13::Pool pool(ex, address("DATABASE_URL"), "peers-terminate", 2, 5s);
    int pid = 0;
    {
        auto lease = co_await pool.acquire();
        co_await lease->query("SELECT 1");
        pid = lease->backend_pid();
    }
    auto admin = co_await pg_connect("peers-admin");
    std::vector<pg::Param> which{pid};
    const auto terminated =
        co_await admin->query("SELECT pg_terminate_backend($1) AS t", std::move(which));
    if (terminated.at(0, "t") != pg::Value(true)) co_return "pg_terminate_backend returned false";
    co_return co_await pool_recovers(pool, 1);
}

// A long query cancelled by a timeout: gone from pg_stat_activity soon
// after, not running on for its 30 s.
asio::awaitable<std::string> pg_cancel() {
    auto c = co_await pg_connect("peers-cancel");
    auto admin = co_await pg_connect("peers-admin");
    const int pid = c->backend_pid();
    try {
        co_await workbook::with_timeout(c->query("SELECT pg_sleep(30)"), 300ms);
        co_return "pg_sleep(30) finished within 300 ms";
    } catch (const workbook::TimeoutError&) {
    }
    const auto start = Clock::now();
    for (;;) {
        std::vector<pg::Param> which{pid};
        const auto rows = co_await admin->query(
            "SELECT state, query FROM pg_stat_activity WHERE pid = $1", std::move(which));
        if (rows.rows.empty()) break;
        if (seconds_since(start) > 5.0)
            co_return "5 s after the cancel, pg_stat_activity still shows backend " +
                std::to_string(pid) + " " + pg::to_string(rows.at(0, "state")) + ": " +
                pg::to_string(rows.at(0, "query"));
        co_await pause(20ms);
    }
    co_return "ok backend " + std::to_string(pid) + " gone from pg_stat_activity " +
        seconds_text(seconds_since(start)) + " after the cancel";
}

struct Subcommand {
    const char* name;
    asio::awaitable<std::string> (*run)();
    std::chrono::seconds deadline;
};

const Subcommand subcommands[] = {
    {"redis-restart", redis_restart, 60s},
    {"redis-client-kill", redis_client_kill, 30s},
    {"redis-pause", redis_pause, 30s},
    {"redis-sizes", redis_sizes, 60s},
    {"redis-concurrent", redis_concurrent, 30s},
    {"redis-lrange", redis_lrange, 60s},
    {"memcached-sizes", memcached_sizes, 30s},
    {"memcached-keys", memcached_keys, 30s},
    {"memcached-evictions", memcached_evictions, 60s},
    {"memcached-killed", memcached_killed, 60s},
    {"pg-values", pg_values, 30s},
    {"pg-rows", pg_rows, 30s},
    {"pg-timeout", pg_timeout, 30s},
    {"pg-syntax", pg_syntax, 30s},
    {"pg-restart", pg_restart, 60s},
    {"pg-terminate", pg_terminate, 30s},
    {"pg-cancel", pg_cancel, 30s},
};

}  // namespace

int main(int argc, char** argv) {
    const std::string wanted = argc == 2 ? argv[1] : "";
    for (const auto& sub : subcommands) {
        if (wanted == "--list") std::cout << sub.name << "\n";
        if (wanted != sub.name) continue;
        std::string said;
        try {
            said = workbook::run_with_deadline(sub.run(), sub.deadline,
                                               "the subcommand waits for something");
        } catch (const std::exception& e) {
            // Whatever ended it is the finding, as any other result.
            said = std::string("error: ") + e.what();
        }
        // One line: PostgreSQL's messages span several (LINE 1: ..., the caret).
        for (std::size_t at; (at = said.find_first_of("\n\t")) != std::string::npos;)
            said.replace(at, 1, said[at] == '\n' ? " / " : " ");
        std::cout << said << std::endl;
        return 0;
    }
    if (wanted == "--list") return 0;
    std::cerr << "usage: workbook-peer-clients SUBCOMMAND (--list names them)\n";
    return 2;
}

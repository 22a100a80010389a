// An asynchronous Redis client on Asio, speaking RESP (the REdis
// Serialization Protocol, version 2) over one connection. Chapter 11 teaches
// with it; the talk's aioredis is its Python cousin.
//
// What it does:
//   - any command by its arguments, binary-safe (a value may hold "\r\n" or
//     a zero byte): command({"SET", "key", value}); get/set/incr/del/expire
//     for the common ones;
//   - replies as values: simple strings, bulk strings, integers, nil and
//     arrays; an error reply ("-ERR ...", "-WRONGTYPE ...") is thrown as
//     RedisError with Redis's own message;
//   - pipelining: many commands in flight on the one connection, each reply
//     matched to its command by order (Redis answers in order);
//   - and, as Boost.Redis does, commands issued by many coroutines while a
//     write is under way leave together in the next write: a thousand
//     coroutines each awaiting one GET cost a handful of writes, not a
//     thousand (writes() counts them);
//   - a connection that ends (Redis restarted, the client killed): every
//     command waiting fails with TransportError, and the next command
//     connects again;
//   - cancellation (a timeout from workbook::with_timeout, Ctrl-C): the
//     command's caller gets operation_aborted at once; its reply, which Redis
//     sends anyway, is read and dropped when it comes, so the replies of the
//     commands after it still match.
//
// Threading: one Client belongs to one executor, run by one thread.
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "workbook/redis_protocol.hpp"

namespace workbook::redis {

// An error reply: what() is Redis's message, "ERR unknown command 'FOO'...".
class RedisError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

class Client {
  public:
    Client(asio::any_io_executor executor, std::string host, unsigned short port);
    ~Client();
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    // Connects. Throws workbook::TransportError (Failure::connect) naming the
    // address when nothing answers there.
    asio::awaitable<void> connect();

    // Sends one command and returns its reply. A reply that is an error
    // throws RedisError; a connection that fails throws TransportError in
    // every command waiting, and the next command connects again.
    asio::awaitable<Value> command(std::vector<std::string> args);

    asio::awaitable<std::optional<std::string>> get(std::string key);
    asio::awaitable<void> set(std::string key, std::string value);
    asio::awaitable<long long> incr(std::string key);
    asio::awaitable<long long> del(std::string key);  // how many keys it removed
    asio::awaitable<bool> expire(std::string key, std::chrono::seconds ttl);

    // Socket writes so far: how well commands issued together were gathered.
    std::size_t writes() const;
    // Commands sent whose replies have not come yet.
    std::size_t in_flight() const;

  private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

// "redis://127.0.0.1:6379[/...]" (REDIS_URL) or "127.0.0.1:6379": host and
// port. Throws std::invalid_argument naming what is wrong.
std::pair<std::string, unsigned short> parse_address(std::string_view url);

}  // namespace workbook::redis

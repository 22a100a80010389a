// An asynchronous memcached client on Asio, speaking memcached's text
// protocol over one connection. Chapter 12 teaches with it; the talk's
// aiomcache is its Python cousin.
//
// What it does:
//   - get, get_many (one "get k1 k2 ..." for many keys: the multi-get), set
//     with flags and a time to live, delete, incr;
//   - values are bytes (any byte, a zero or "\r\n" too): the protocol sends
//     a value's length before it, never looks for a delimiter inside;
//   - keys are checked before anything is sent: at most 250 bytes, no space
//     and no control character, or the text protocol would read the rest of
//     the key as another argument (std::invalid_argument names the key);
//   - the server's refusals ("SERVER_ERROR object too large for cache",
//     "CLIENT_ERROR ...", "ERROR") are thrown as ServerError with its words;
//   - requests of many coroutines share the connection and leave together,
//     replies matched in order, a failed connection fails every request
//     waiting and the next connects again: the same ordered connection as
//     the Redis client's (shared/stores/src/ordered_connection.hpp).
//
// Threading: one Client belongs to one executor, run by one thread.
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "workbook/memcached_protocol.hpp"

namespace workbook::memcached {

// A refusal from the server: what() is its line, "SERVER_ERROR out of
// memory storing object", "CLIENT_ERROR bad data chunk", "ERROR".
class ServerError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// memcached's longest time to live given as seconds: 30 days. A larger
// number is read by memcached as a Unix time, so set() refuses it.
inline constexpr std::chrono::seconds max_ttl{30 * 24 * 3600};

class Client {
  public:
    Client(asio::any_io_executor executor, std::string host, unsigned short port);
    ~Client();
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    // Connects. Throws workbook::TransportError (Failure::connect) naming the
    // address when nothing answers there.
    asio::awaitable<void> connect();

    // The item at `key`, or nullopt when memcached has none (never stored,
    // expired, deleted, or evicted to make room: a cache forgets).
    asio::awaitable<std::optional<Item>> get(std::string key);
    // Every item of `keys` memcached has, in one request; the keys it does
    // not have are simply absent from the map.
    asio::awaitable<std::map<std::string, Item>> get_many(std::vector<std::string> keys);

    // Stores `value` at `key` for `ttl` (0: until evicted; at most max_ttl)
    // with `flags`. Throws ServerError when memcached refuses (a value over
    // its item size limit, 1 MB by default).
    asio::awaitable<void> set(std::string key, std::string value, std::chrono::seconds ttl,
                              std::uint32_t flags);
    // The same with no time to live and no flags. (Overloads, not default
    // arguments: g++ 12 mishandles a defaulted argument's temporary in a call
    // that also holds a co_await.)
    asio::awaitable<void> set(std::string key, std::string value);

    // Removes `key`; false when there was nothing to remove.
    asio::awaitable<bool> del(std::string key);

    // Adds `by` to the decimal number stored at `key` and returns the new
    // value; nullopt when there is no such key (incr does not create one).
    // A value that is not a number is a ServerError (CLIENT_ERROR).
    asio::awaitable<std::optional<std::uint64_t>> incr(std::string key, std::uint64_t by);

    // Socket writes so far, and requests sent whose replies have not come.
    std::size_t writes() const;
    std::size_t in_flight() const;

  private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

// "127.0.0.1:11211" (MEMCACHED_ADDR; a port-less host means 11211): host
// and port. Throws std::invalid_argument naming what is wrong.
std::pair<std::string, unsigned short> parse_address(std::string_view address);

}  // namespace workbook::memcached

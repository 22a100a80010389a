// Chapter 13 exercise: a pool of PostgreSQL connections (the talk's
// aiopg.create_pool), and the speakers stored and read back through it.
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "workbook/async_semaphore.hpp"
#include "workbook/postgres.hpp"

namespace chapter13 {

// Every connection of the pool was busy for the whole wait allowed.
class PoolExhausted : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// At most `size` connections to one database, opened when first needed and
// kept for the next caller: a connection costs a process on the server
// (pg_stat_activity lists it) and a few milliseconds to open, a query on an
// open one a fraction of that.
//
// Not thread-safe, and it need not be: every coroutine that uses it runs on
// the loop's one thread.
class Pool {
  public:
    // A connection lent by acquire(), given back when the Lease is destroyed
    // (Python's `async with pool.acquire() as conn:`). Given.
    class Lease {
      public:
        Lease() = default;
        Lease(Pool& pool, std::unique_ptr<workbook::pg::Connection> connection,
              workbook::AsyncSemaphore::Slot slot)
            : pool_(&pool), connection_(std::move(connection)), slot_(std::move(slot)) {}
        Lease(Lease&&) = default;
        Lease& operator=(Lease&& other) noexcept {
            give_back();
            pool_ = std::exchange(other.pool_, nullptr);
            connection_ = std::move(other.connection_);
            slot_ = std::move(other.slot_);
            return *this;
        }
        ~Lease() { give_back(); }

        workbook::pg::Connection& operator*() const { return *connection_; }
        workbook::pg::Connection* operator->() const { return connection_.get(); }

      private:
        // The connection goes back first, then the slot: the waiter the slot
        // wakes finds the connection in the pool.
        void give_back() {
            if (pool_ && connection_) pool_->give_back(std::move(connection_));
            slot_ = workbook::AsyncSemaphore::Slot();
            pool_ = nullptr;
        }

        Pool* pool_ = nullptr;
        std::unique_ptr<workbook::pg::Connection> connection_;
        workbook::AsyncSemaphore::Slot slot_;
    };

    Pool(asio::any_io_executor executor, std::string conninfo, std::string application_name,
         std::size_t size, std::chrono::milliseconds wait_limit)
        : executor_(std::move(executor)),
          conninfo_(std::move(conninfo)),
          application_name_(std::move(application_name)),
          wait_limit_(wait_limit),
          slots_(size),
          size_(size) {}
    Pool(const Pool&) = delete;
    Pool& operator=(const Pool&) = delete;

    // TODO(13.1): lend a connection. First a slot of `slots_` (one slot per
    // connection that may exist: never more than `size` at once), waited
    // for at most `wait_limit_` (workbook::with_timeout); when the wait runs
    // out, throw PoolExhausted saying how many connections were busy for
    // how long. Then an idle connection from `idle_` if there is one, else a
    // new one (workbook::pg::Connection with the pool's conninfo and
    // application name, connected). A connection that fails to open gives
    // its slot back (the Slot does that when it goes out of scope).
    asio::awaitable<Lease> acquire();

    // Given: one query on a lent connection, given back at once.
    asio::awaitable<workbook::pg::Result> query(std::string sql,
                                                std::vector<workbook::pg::Param> params);

    std::size_t size() const { return size_; }
    std::size_t idle() const { return idle_.size(); }
    std::size_t waiting() const { return slots_.waiting(); }

  private:
    // TODO(13.1): a connection comes back from a Lease: into `idle_` for the
    // next caller if it is still connected (connected()), else dropped (a
    // query failed on it or was cancelled: the next caller gets a new one).
    void give_back(std::unique_ptr<workbook::pg::Connection> connection);

    asio::any_io_executor executor_;
    std::string conninfo_;
    std::string application_name_;
    std::chrono::milliseconds wait_limit_;
    workbook::AsyncSemaphore slots_;
    std::size_t size_;
    std::vector<std::unique_ptr<workbook::pg::Connection>> idle_;
};

struct Speaker {
    std::int64_t id = 0;
    std::string name;
    bool operator==(const Speaker&) const = default;
};

// Given: creates the speakers table afresh (DROP TABLE IF EXISTS, then
// CREATE TABLE speakers (id serial PRIMARY KEY, name varchar(255) NOT
// NULL)).
asio::awaitable<void> create_speakers_table(Pool& pool);

// TODO(13.2): store one speaker through the pool and return its id (INSERT
// ... RETURNING id). The name travels as a parameter ($1), never inside
// the SQL text: whatever it holds is stored as it is.
asio::awaitable<std::int64_t> add_speaker(Pool& pool, std::string name);

// TODO(13.2): every speaker, in the order of their ids.
asio::awaitable<std::vector<Speaker>> speakers(Pool& pool);

}  // namespace chapter13

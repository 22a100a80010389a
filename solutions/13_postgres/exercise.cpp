// Chapter 13 reference answer.
#include "exercise.hpp"

#include "workbook/timeout.hpp"

namespace chapter13 {

// [slide:pool_acquire]
asio::awaitable<Pool::Lease> Pool::acquire() {
    workbook::AsyncSemaphore::Slot slot;
    try {
        // A slot first: one per connection that may exist, so a pool of 4
        // never has a fifth, however many coroutines ask at once. The 5th
        // asker waits here, suspended, for a Lease to end.
        slot = co_await workbook::with_timeout(slots_.acquire(), wait_limit_);
    } catch (const workbook::TimeoutError&) {
        throw PoolExhausted("all " + std::to_string(size_) +
                            " connections of the pool were busy for " +
                            std::to_string(wait_limit_.count()) +
                            " ms: make the pool larger, or the queries shorter");
    }
    std::unique_ptr<workbook::pg::Connection> connection;
    if (!idle_.empty()) {
        // The most recently used: its server process is the warmest.
        connection = std::move(idle_.back());
        idle_.pop_back();
    } else {
        connection =
            std::make_unique<workbook::pg::Connection>(executor_, conninfo_, application_name_);
        co_await connection->connect();  // throws: `slot` goes out of scope and is given back
    }
    co_return Lease(*this, std::move(connection), std::move(slot));
}

void Pool::give_back(std::unique_ptr<workbook::pg::Connection> connection) {
    if (connection->connected()) idle_.push_back(std::move(connection));
    // else: dropped here; the slot it held lets the next caller open another.
}
// [/slide]

// [slide:speakers]
asio::awaitable<std::int64_t> add_speaker(Pool& pool, std::string name) {
    // $1, not the name pasted into the SQL: PostgreSQL receives the
    // statement and the value apart, so no name can change the statement.
    std::vector<workbook::pg::Param> params{std::move(name)};
    const auto result = co_await pool.query("INSERT INTO speakers (name) VALUES ($1) RETURNING id",
                                            std::move(params));
    co_return std::get<std::int64_t>(result.at(0, "id"));
}

asio::awaitable<std::vector<Speaker>> speakers(Pool& pool) {
    std::vector<workbook::pg::Param> none;
    const auto result =
        co_await pool.query("SELECT id, name FROM speakers ORDER BY id", std::move(none));
    std::vector<Speaker> out;
    for (std::size_t row = 0; row < result.rows.size(); ++row) {
        out.push_back({std::get<std::int64_t>(result.at(row, "id")),
                       std::get<std::string>(result.at(row, "name"))});
    }
    co_return out;
}
// [/slide]

}  // namespace chapter13

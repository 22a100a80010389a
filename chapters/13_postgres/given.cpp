// Chapter 13: what the exercise builds on, given.
#include "exercise.hpp"

namespace chapter13 {

asio::awaitable<workbook::pg::Result> Pool::query(std::string sql,
                                                  std::vector<workbook::pg::Param> params) {
    auto lease = co_await acquire();
    co_return co_await lease->query(std::move(sql), std::move(params));
}  // the lease ends here: the connection goes back to the pool

asio::awaitable<void> create_speakers_table(Pool& pool) {
    auto db = co_await pool.acquire();
    co_await db->query("DROP TABLE IF EXISTS speakers");
    co_await db->query("CREATE TABLE speakers (id serial PRIMARY KEY, name varchar(255) NOT NULL)");
}

}  // namespace chapter13

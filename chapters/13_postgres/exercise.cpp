// Chapter 13 exercise: your file. Make `./workbook check 13` green.
//
// The pool (TODO 13.1: acquire and give_back), then the speakers through it
// (TODO 13.2). exercise.hpp says what each must do; given.cpp has
// Pool::query and create_speakers_table.
//
// Stuck? `./workbook hint 13`.
#include "exercise.hpp"

#include "workbook/timeout.hpp"
#include "workbook/todo.hpp"

namespace chapter13 {

asio::awaitable<Pool::Lease> Pool::acquire() {
    // TODO(13.1): a slot (with_timeout, PoolExhausted), then an idle
    // connection or a new connected one, in a Lease.
    workbook::todo("13.1");
    co_return Lease{};  // never reached
}

void Pool::give_back(std::unique_ptr<workbook::pg::Connection> connection) {
    // TODO(13.1): keep it in idle_ if it is still connected. (Until then
    // every connection is dropped here, and none is ever reused. This one
    // does not throw a TODO: it runs in a Lease's destructor.)
    (void)connection;
}

asio::awaitable<std::int64_t> add_speaker(Pool& pool, std::string name) {
    // TODO(13.2): INSERT ... VALUES ($1) RETURNING id, the name a parameter.
    (void)pool, (void)name;
    workbook::todo("13.2");
    co_return 0;  // never reached
}

asio::awaitable<std::vector<Speaker>> speakers(Pool& pool) {
    // TODO(13.2): SELECT id, name ... ORDER BY id, each row a Speaker.
    (void)pool;
    workbook::todo("13.2");
    co_return std::vector<Speaker>{};  // never reached
}

}  // namespace chapter13

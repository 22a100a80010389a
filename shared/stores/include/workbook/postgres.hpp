// PostgreSQL on the event loop: libpq, the server's own C client library,
// in its non-blocking mode, driven by Asio. Chapter 13 teaches with it; the
// talk's aiopg (psycopg2 made asynchronous) is its Python cousin.
//
// How libpq and an event loop meet: libpq does the protocol (messages,
// authentication, TLS, parameters) and never waits by itself once it is
// non-blocking; it says what it needs instead ("wait until the socket is
// readable", "until it is writable"). This client waits for exactly that
// with Asio (`async_wait` on the socket, which costs no thread), then lets
// libpq go on:
//   connect:  PQconnectStartParams, then PQconnectPoll until it says OK;
//   a query:  PQsendQueryParams, PQflush until all is sent, then
//             PQconsumeInput + PQisBusy until PQgetResult will not block.
//
// What it offers:
//   - parameterised queries only: the SQL text and its values travel apart
//     ($1, $2 ... in the SQL), so a value can never become SQL, whatever it
//     holds ("Robert'); DROP TABLE speakers;--" is stored verbatim);
//   - rows as typed values (NULL, bool, integer, double, text) by the
//     column's type;
//   - a PostgreSQL error as workbook::pg::Error with its SQLSTATE and the
//     server's message; a connection that fails as TransportError;
//   - libpq's pipeline mode (libpq 14+, against any server of protocol 3):
//     a batch of statements sent together and answered in one round trip;
//   - prepared statements, by themselves: the first time a connection runs
//     a SELECT, INSERT, UPDATE, DELETE or WITH, it prepares it (the server
//     parses and plans it once), and afterwards sends only its name and
//     parameters (asyncpg keeps the same cache; up to 256 per connection).
//
// One query at a time per connection (the protocol's rule outside pipeline
// mode): coroutines that call query() together take turns. Many queries at
// once need many connections: a pool (chapter 13).
//
// Threading: one Connection belongs to one executor, run by one thread.
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace workbook::pg {

// One cell: NULL (std::monostate), a bool, an integer (int2, int4, int8),
// a double (float4, float8), or the text PostgreSQL sent for any other type
// (text, varchar, numeric, timestamps, JSON ...).
using Value = std::variant<std::monostate, bool, std::int64_t, double, std::string>;

// "NULL", "true", "42", "2.5", or the text itself.
std::string to_string(const Value& value);

// One parameter of a query, sent apart from the SQL: NULL, or its text
// (PostgreSQL converts it to the type the statement needs, and refuses with
// an Error when it cannot).
class Param {
  public:
    Param(std::nullptr_t) {}
    Param(std::string text) : text_(std::move(text)) {}
    Param(const char* text) : text_(text) {}
    Param(std::string_view text) : text_(std::string(text)) {}
    Param(bool value) : text_(value ? "true" : "false") {}
    Param(int value) : text_(std::to_string(value)) {}
    Param(long value) : text_(std::to_string(value)) {}
    Param(long long value) : text_(std::to_string(value)) {}
    Param(double value);

    const std::optional<std::string>& text() const { return text_; }

  private:
    std::optional<std::string> text_;
};

struct Column {
    std::string name;
    unsigned oid = 0;  // PostgreSQL's number for the column's type
};

// What one statement returned.
struct Result {
    std::vector<Column> columns;
    std::vector<std::vector<Value>> rows;
    std::string command;     // the command tag: "SELECT 2", "INSERT 0 3", "CREATE TABLE"
    long long affected = 0;  // rows inserted, updated, deleted or returned

    // The cell of `row` in the column named `column`; std::out_of_range
    // naming what is missing.
    const Value& at(std::size_t row, std::string_view column) const;
};

// A statement and its parameters, for pipeline().
struct Statement {
    std::string sql;
    std::vector<Param> params;
};

// An error the server reported: what() is "ERROR:  relation \"x\" does not
// exist (SQLSTATE 42P01)", sqlstate() the five-character code
// ("23505" unique_violation, "42P01" undefined_table, "57014"
// query_canceled ...).
class Error : public std::runtime_error {
  public:
    Error(const std::string& message, std::string sqlstate)
        : std::runtime_error(message), sqlstate_(std::move(sqlstate)) {}
    const std::string& sqlstate() const { return sqlstate_; }

  private:
    std::string sqlstate_;
};

class Connection {
  public:
    // `conninfo` is what libpq takes: a URL (DATABASE_URL,
    // "postgresql://user@127.0.0.1:5432/db") or "host=... port=...".
    // `application_name` is what pg_stat_activity shows for it.
    Connection(asio::any_io_executor executor, std::string conninfo, std::string application_name);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    // Connects. Throws workbook::TransportError (Failure::connect) with
    // libpq's reason when the server cannot be reached or refuses.
    asio::awaitable<void> connect();

    // Runs `sql` with `params` ($1, $2 ...) and returns what it returned.
    // Throws Error for what the server refused, TransportError when the
    // connection fails (it is then closed: connect again or take another).
    // Cancelling the caller (with_timeout, Ctrl-C) closes the connection,
    // which ends the statement on the server too.
    asio::awaitable<Result> query(std::string sql, std::vector<Param> params);
    asio::awaitable<Result> query(std::string sql);

    // Every statement sent at once in libpq's pipeline mode, one round trip
    // for the batch; the results in order. When one fails, the ones after
    // it are not run (PostgreSQL skips the rest of the batch), and Error is
    // thrown once every result has been read, so the connection goes on.
    asio::awaitable<std::vector<Result>> pipeline(std::vector<Statement> statements);

    bool connected() const;
    // The server process serving this connection (SELECT pg_backend_pid()).
    int backend_pid() const;

  private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

}  // namespace workbook::pg

#include "workbook/postgres.hpp"

#include <libpq-fe.h>
#include <unistd.h>

#include <asio/experimental/deferred.hpp>
#include <asio/experimental/parallel_group.hpp>
#include <asio/posix/stream_descriptor.hpp>
#include <asio/use_awaitable.hpp>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <limits>
#include <map>
#include <thread>

#include "workbook/async_semaphore.hpp"
#include "workbook/nothrow.hpp"
#include "workbook/transport_error.hpp"

namespace workbook::pg {

namespace {

// The type numbers (OIDs) of pg_type that become something other than text.
constexpr unsigned bool_oid = 16, int8_oid = 20, int2_oid = 21, int4_oid = 23, float4_oid = 700,
                   float8_oid = 701;

Value cell(const PGresult* result, int row, int column) {
    if (PQgetisnull(result, row, column)) return std::monostate{};
    const std::string_view text(PQgetvalue(result, row, column),
                                static_cast<std::size_t>(PQgetlength(result, row, column)));
    switch (PQftype(result, column)) {
        case bool_oid:
            return text == "t";
        case int2_oid:
        case int4_oid:
        case int8_oid: {
            std::int64_t n = 0;
            std::from_chars(text.data(), text.data() + text.size(), n);
            return n;
        }
        case float4_oid:
        case float8_oid:
            // from_chars for double needs g++ 11+, which the workbook has;
            // "NaN" and "Infinity" are what PostgreSQL writes for those.
            {
                if (text == "NaN") return std::numeric_limits<double>::quiet_NaN();
                if (text == "Infinity") return std::numeric_limits<double>::infinity();
                if (text == "-Infinity") return -std::numeric_limits<double>::infinity();
                double d = 0;
                std::from_chars(text.data(), text.data() + text.size(), d);
                return d;
            }
        default:
            return std::string(text);
    }
}

Result to_result(const PGresult* r) {
    Result out;
    const int columns = PQnfields(r), rows = PQntuples(r);
    for (int c = 0; c < columns; ++c) out.columns.push_back({PQfname(r, c), PQftype(r, c)});
    out.rows.reserve(static_cast<std::size_t>(rows));
    for (int i = 0; i < rows; ++i) {
        std::vector<Value> row;
        row.reserve(static_cast<std::size_t>(columns));
        for (int c = 0; c < columns; ++c) row.push_back(cell(r, i, c));
        out.rows.push_back(std::move(row));
    }
    out.command = PQcmdStatus(const_cast<PGresult*>(r));
    const char* tuples = PQcmdTuples(const_cast<PGresult*>(r));
    out.affected = *tuples ? std::stoll(tuples) : static_cast<long long>(rows);
    return out;
}

// The server's refusal, in its words, with the SQLSTATE.
Error to_error(const PGresult* r) {
    const char* state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    std::string message = PQresultErrorMessage(r);
    while (!message.empty() && (message.back() == '\n' || message.back() == ' '))
        message.pop_back();
    const std::string sqlstate = state ? state : "";
    if (!sqlstate.empty()) message += " (SQLSTATE " + sqlstate + ")";
    return Error(message, sqlstate);
}

std::string trimmed(const char* text) {
    std::string s = text ? text : "";
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
}

}  // namespace

std::string to_string(const Value& value) {
    struct Show {
        std::string operator()(std::monostate) const { return "NULL"; }
        std::string operator()(bool b) const { return b ? "true" : "false"; }
        std::string operator()(std::int64_t n) const { return std::to_string(n); }
        std::string operator()(double d) const {
            char text[32];
            std::snprintf(text, sizeof text, "%.17g", d);
            return text;
        }
        std::string operator()(const std::string& s) const { return s; }
    };
    return std::visit(Show{}, value);
}

Param::Param(double value) {
    // The shortest text that reads back as the same double.
    char text[32];
    const auto [end, error] = std::to_chars(text, text + sizeof text, value);
    text_ = std::string(text, error == std::errc() ? end : text);
}

const Value& Result::at(std::size_t row, std::string_view column) const {
    if (row >= rows.size())
        throw std::out_of_range("row " + std::to_string(row) + " of a result with " +
                                std::to_string(rows.size()) + " rows");
    for (std::size_t c = 0; c < columns.size(); ++c) {
        if (columns[c].name == column) return rows[row][c];
    }
    throw std::out_of_range("no column \"" + std::string(column) + "\" in the result");
}

struct Connection::Impl {
    asio::any_io_executor executor;
    std::string conninfo, application_name;
    PGconn* conn = nullptr;
    // A duplicate of libpq's socket, for Asio to wait on: libpq owns and
    // closes its own, and Asio closes only this one.
    asio::posix::stream_descriptor socket;
    int watched = -1;        // the libpq socket `socket` duplicates
    AsyncSemaphore turn{1};  // one statement at a time on the connection
    std::string where;       // "PostgreSQL at 127.0.0.1:5432", for messages

    Impl(asio::any_io_executor ex, std::string info, std::string name)
        : executor(std::move(ex)),
          conninfo(std::move(info)),
          application_name(std::move(name)),
          socket(executor) {}
    ~Impl() { close(); }

    void close() {
        std::error_code ignored;
        socket.close(ignored);
        watched = -1;
        if (conn) PQfinish(conn);
        conn = nullptr;
    }

    // Watches libpq's current socket (it changes while libpq tries each
    // address of a host).
    void watch() {
        const int fd = PQsocket(conn);
        if (fd == watched) return;
        std::error_code ignored;
        socket.close(ignored);
        watched = -1;
        if (fd < 0) return;
        socket.assign(::dup(fd));
        watched = fd;
    }

    asio::awaitable<void> wait(asio::posix::descriptor_base::wait_type what) {
        co_await socket.async_wait(what, asio::use_awaitable);
    }

    // Readable or writable, whichever comes first (the other wait is
    // cancelled). Returns true when readable.
    asio::awaitable<bool> wait_either() {
        auto [order, read_error, write_error] =
            co_await asio::experimental::make_parallel_group(
                socket.async_wait(asio::posix::descriptor_base::wait_read,
                                  asio::experimental::deferred),
                socket.async_wait(asio::posix::descriptor_base::wait_write,
                                  asio::experimental::deferred))
                .async_wait(asio::experimental::wait_for_one(), asio::use_awaitable);
        const auto error = order[0] == 0 ? read_error : write_error;
        if (error) throw asio::system_error(error);
        co_return order[0] == 0;
    }

    [[noreturn]] void broken(const std::string& what) {
        const std::string reason = conn ? trimmed(PQerrorMessage(conn)) : "";
        close();
        throw TransportError(Failure::broken_off, "the connection to " + where + " failed " + what +
                                                      (reason.empty() ? "" : ": " + reason));
    }

    asio::awaitable<void> open() {
        close();
        // The conninfo goes in as "dbname" with expand_dbname = 1: libpq
        // then reads it as a whole URL or key=value string, and the
        // application name beside it is added.
        const char* keys[] = {"dbname", "application_name", nullptr};
        const char* values[] = {conninfo.c_str(), application_name.c_str(), nullptr};
        conn = PQconnectStartParams(keys, values, 1);
        if (!conn) throw std::bad_alloc();
        where = "PostgreSQL at " + std::string(PQhost(conn) ? PQhost(conn) : "?") + ":" +
                (PQport(conn) ? PQport(conn) : "?");
        const auto refused = [&](const std::string& why) {
            const std::string reason = trimmed(PQerrorMessage(conn));
            close();
            return TransportError(Failure::connect,
                                  "connect to " + where + ": " + why + reason +
                                      " (is it running? ./workbook services start)");
        };
        if (PQstatus(conn) == CONNECTION_BAD) throw refused("");
        // libpq's rule: before the first PQconnectPoll, behave as if it had
        // asked to wait until the socket is writable.
        PostgresPollingStatusType status = PGRES_POLLING_WRITING;
        for (;;) {
            watch();
            if (watched < 0) throw refused("no socket: ");
            try {
                if (status == PGRES_POLLING_READING) {
                    co_await wait(asio::posix::descriptor_base::wait_read);
                } else {
                    co_await wait(asio::posix::descriptor_base::wait_write);
                }
            } catch (const asio::system_error& e) {
                if (e.code() == asio::error::operation_aborted) close();
                throw;
            }
            status = PQconnectPoll(conn);
            if (status == PGRES_POLLING_OK) break;
            if (status == PGRES_POLLING_FAILED) throw refused("");
        }
        watch();
        if (PQsetnonblocking(conn, 1) != 0) broken("to become non-blocking");
        // Notices ("table ... does not exist, skipping" after DROP TABLE IF
        // EXISTS) are information, not errors: libpq would print each on
        // stderr, in the middle of a program's output.
        PQsetNoticeProcessor(
            conn, [](void*, const char*) {}, nullptr);
    }

    // Sends what libpq has queued; reads meanwhile when the server talks
    // (it may be sending results while a long pipeline is still going out,
    // and would stop reading if nobody read its answers).
    asio::awaitable<void> flush() {
        for (;;) {
            const int left = PQflush(conn);
            if (left == 0) co_return;
            if (left < 0) broken("while sending");
            if (co_await wait_either() && !PQconsumeInput(conn)) broken("while reading");
        }
    }

    // The next result, or nullptr at the end of a statement's results.
    asio::awaitable<PGresult*> next_result() {
        while (PQisBusy(conn)) {
            co_await wait(asio::posix::descriptor_base::wait_read);
            if (!PQconsumeInput(conn)) broken("while reading");
        }
        co_return PQgetResult(conn);
    }

    // Reads one statement's results up to libpq's nullptr: its Result, or
    // the server's Error (both kept: the caller decides when to throw).
    asio::awaitable<std::optional<Error>> read_statement(Result& out) {
        std::optional<Error> failure;
        while (PGresult* r = co_await next_result()) {
            const auto status = PQresultStatus(r);
            if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK) {
                out = to_result(r);
            } else if (status == PGRES_PIPELINE_ABORTED) {
                if (!failure)
                    failure = Error("not run: an earlier statement of the pipeline failed", "");
            } else if (!failure) {
                failure = to_error(r);
            }
            PQclear(r);
        }
        co_return failure;
    }

    // Asks the server to stop the statement running on this connection: a
    // cancel request, sent on a connection of its own. libpq 15 sends it
    // only blocking (PQcancel; libpq 17 adds a non-blocking PQcancelStart),
    // so a short-lived thread of its own sends it, never the loop's.
    // Closing our connection alone would not do: a backend busy in a long
    // statement notices a closed client only when it next writes to it.
    void cancel_on_server() {
        PGcancel* cancel = PQgetCancel(conn);
        if (!cancel) return;
        std::thread([cancel] {
            char error[256];
            PQcancel(cancel, error, sizeof error);
            PQfreeCancel(cancel);
        }).detach();
    }

    // A cancelled caller leaves the connection mid-statement: the statement
    // is cancelled on the server and the connection closed.
    template <class T>
    asio::awaitable<T> guarded(asio::awaitable<T> work) {
        try {
            co_return co_await std::move(work);
        } catch (const asio::system_error& e) {
            if (e.code() == asio::error::operation_aborted && conn) cancel_on_server();
            close();
            if (e.code() == asio::error::operation_aborted) throw;
            throw TransportError(Failure::broken_off,
                                 "the connection to " + where + " failed: " + e.code().message());
        }
    }

    // Statements this connection has prepared, by their SQL: the server
    // parses and plans each once, and a query sends only its name and
    // parameters (asyncpg keeps the same cache). Only statements that
    // return rows or change them are worth it; at most 256 per connection,
    // since each holds memory in its server process.
    std::map<std::string, std::string, std::less<>> prepared;
    static constexpr std::size_t max_prepared = 256;
    std::size_t statements_prepared = 0;        // names are never reused
    std::vector<std::string> stale_statements;  // to DEALLOCATE once outside a transaction

    static bool worth_preparing(std::string_view sql) {
        const auto start = sql.find_first_not_of(" \t\r\n(");
        if (start == std::string_view::npos) return false;
        std::string word;
        for (auto i = start; i < sql.size() && std::isalpha(static_cast<unsigned char>(sql[i]));
             ++i)
            word += static_cast<char>(std::tolower(static_cast<unsigned char>(sql[i])));
        return word == "select" || word == "insert" || word == "update" || word == "delete" ||
               word == "with" || word == "values";
    }

    // The prepared statement's name for `sql`, preparing it on first use;
    // "" when it is not to be prepared.
    // DEALLOCATE a prepared statement; its own failure changes nothing.
    asio::awaitable<void> deallocate(const std::string& name) {
        const std::string sql = "DEALLOCATE " + name;
        if (!PQsendQuery(conn, sql.c_str())) co_return;
        co_await flush();
        Result ignored;
        co_await read_statement(ignored);
    }

    asio::awaitable<std::string> prepared_name(const std::string& sql, int parameters) {
        if (!stale_statements.empty() && PQtransactionStatus(conn) == PQTRANS_IDLE) {
            auto names = std::move(stale_statements);
            stale_statements.clear();
            for (const auto& old : names) co_await deallocate(old);
        }
        if (!worth_preparing(sql)) co_return std::string();
        if (const auto found = prepared.find(sql); found != prepared.end()) co_return found->second;
        if (prepared.size() >= max_prepared) co_return std::string();
        const std::string name = "workbook_" + std::to_string(++statements_prepared);
        if (!PQsendPrepare(conn, name.c_str(), sql.c_str(), parameters, nullptr))
            broken("while preparing a statement");
        co_await flush();
        Result ignored;
        if (auto failure = co_await read_statement(ignored)) throw *failure;
        prepared.emplace(sql, name);
        co_return name;
    }

    asio::awaitable<Result> run(const std::string& sql, const std::vector<Param>& params,
                                bool may_retry = true) {
        std::vector<const char*> values;
        values.reserve(params.size());
        for (const auto& p : params) values.push_back(p.text() ? p.text()->c_str() : nullptr);
        const int count = static_cast<int>(values.size());
        const std::string name = co_await prepared_name(sql, count);
        // Text parameters, typed by the server from the statement (nullptr
        // types, lengths and formats: all text), and text results.
        const bool sent = name.empty() ? PQsendQueryParams(conn, sql.c_str(), count, nullptr,
                                                           values.data(), nullptr, nullptr, 0)
                                       : PQsendQueryPrepared(conn, name.c_str(), count,
                                                             values.data(), nullptr, nullptr, 0);
        if (!sent) broken("while sending a query");
        co_await flush();
        Result result;
        auto failure = co_await read_statement(result);
        if (failure && !name.empty() && failure->sqlstate() == "0A000") {
            // "cached plan must not change result type": a table changed
            // under the prepared statement. Forget it either way.
            prepared.erase(sql);
            if (may_retry && PQtransactionStatus(conn) == PQTRANS_IDLE) {
                // Outside a transaction nothing else was lost: drop the old
                // statement and run the SQL as it is now. asyncpg retries
                // only in this case too.
                co_await deallocate(name);
                co_return co_await run(sql, params, false);
            }
            // Inside BEGIN the failure has aborted the transaction: a retry
            // would only fail with 25P02 ("current transaction is aborted")
            // and hide this error, which is the one to report. The old
            // statement is dropped once the connection is out of it.
            stale_statements.push_back(name);
        }
        if (failure) throw *failure;
        co_return result;
    }

    asio::awaitable<std::vector<Result>> run_pipeline(const std::vector<Statement>& statements) {
        if (!PQenterPipelineMode(conn)) broken("to enter pipeline mode");
        for (const auto& statement : statements) {
            std::vector<const char*> values;
            for (const auto& p : statement.params)
                values.push_back(p.text() ? p.text()->c_str() : nullptr);
            if (!PQsendQueryParams(conn, statement.sql.c_str(), static_cast<int>(values.size()),
                                   nullptr, values.data(), nullptr, nullptr, 0))
                broken("while queueing a pipeline's statement");
        }
        // One sync for the batch: the server runs the statements, and after
        // a failure skips the rest up to here.
        if (!PQpipelineSync(conn)) broken("while ending a pipeline");
        co_await flush();
        std::vector<Result> results(statements.size());
        std::optional<Error> first_failure;
        for (auto& result : results) {
            if (auto failure = co_await read_statement(result); failure && !first_failure)
                first_failure = std::move(failure);
        }
        // The sync's own result closes the batch.
        PGresult* sync = co_await next_result();
        const bool synced = sync && PQresultStatus(sync) == PGRES_PIPELINE_SYNC;
        if (sync) PQclear(sync);
        if (!synced || !PQexitPipelineMode(conn)) broken("at the end of a pipeline");
        if (first_failure) throw *first_failure;
        co_return results;
    }
};

Connection::Connection(asio::any_io_executor executor, std::string conninfo,
                       std::string application_name)
    : impl_(std::make_shared<Impl>(std::move(executor), std::move(conninfo),
                                   std::move(application_name))) {}

Connection::~Connection() {
    impl_->close();
}

asio::awaitable<void> Connection::connect() {
    const auto impl = impl_;
    const auto turn = co_await impl->turn.acquire();
    co_await impl->open();
}

asio::awaitable<Result> Connection::query(std::string sql, std::vector<Param> params) {
    const auto impl = impl_;
    const auto turn = co_await impl->turn.acquire();
    if (!impl->conn) {
        throw TransportError(Failure::connect,
                             "the PostgreSQL connection is not open: co_await connect() first");
    }
    co_return co_await impl->guarded(impl->run(sql, params));
}

asio::awaitable<Result> Connection::query(std::string sql) {
    std::vector<Param> none;
    co_return co_await query(std::move(sql), std::move(none));
}

asio::awaitable<std::vector<Result>> Connection::pipeline(std::vector<Statement> statements) {
    const auto impl = impl_;
    const auto turn = co_await impl->turn.acquire();
    if (!impl->conn) {
        throw TransportError(Failure::connect,
                             "the PostgreSQL connection is not open: co_await connect() first");
    }
    if (statements.empty()) co_return std::vector<Result>{};
    co_return co_await impl->guarded(impl->run_pipeline(statements));
}

bool Connection::connected() const {
    return impl_->conn && PQstatus(impl_->conn) == CONNECTION_OK;
}

int Connection::backend_pid() const {
    return impl_->conn ? PQbackendPID(impl_->conn) : 0;
}

}  // namespace workbook::pg

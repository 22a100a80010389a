// HTTP/1.1 parsing on llhttp (the parser of Node.js and aiohttp), one class
// per direction: RequestParser for the server, ResponseParser for the client.
// Neither does any I/O: bytes go in, whole messages come out, so each can be
// tested (and fuzzed) without a socket.
//
// What they share is written once (in the .cpp): reading header names and
// values that llhttp may hand over in pieces, and counting the head's bytes
// against a limit.
#pragma once

#include <llhttp.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "workbook/http_message.hpp"

namespace workbook::http {

// Header names and values as llhttp delivers them: a name may come in
// several pieces, and a new name starts after a value.
struct HeaderReader {
    std::size_t limit = 0;  // bytes of the head allowed; over it, over_limit() is true
    std::size_t bytes = 0;  // counted so far
    bool in_value = false;

    // Counts `n` more bytes of the head; true while within the limit.
    bool count(std::size_t n) {
        bytes += n;
        return bytes <= limit;
    }
    // Counts a piece of a header's name, and the ": " and CRLF around the
    // header once, at its first piece (however llhttp cuts the name).
    bool count_name(const std::vector<Header>& headers, std::size_t n) {
        return count(n + (headers.empty() || in_value ? 4 : 0));
    }
    void name(std::vector<Header>& headers, const char* at, std::size_t n);
    void value(std::vector<Header>& headers, const char* at, std::size_t n);
    void restart() {
        bytes = 0;
        in_value = false;
    }
};

// Reads requests from the bytes of one connection, one after another
// (keep-alive and pipelining). feed() stops at the end of each request, so
// the server answers it before the next is read.
class RequestParser {
  public:
    struct Limits {
        std::size_t max_header_bytes = 16 * 1024;  // request line + headers, else 431
        std::size_t max_body_bytes = 1024 * 1024;  // else 413
    };

    enum class Result {
        more,     // everything given was read; a request needs more bytes
        request,  // a whole request is ready: take() it
        error,    // the connection cannot go on: answer error_status() and close
    };

    explicit RequestParser(Limits limits);
    RequestParser(const RequestParser&) = delete;
    RequestParser& operator=(const RequestParser&) = delete;

    // Reads from `data`, at most up to the end of one request; `used` says
    // how many bytes it read (the rest belong to the next request).
    Result feed(std::string_view data, std::size_t& used);

    // The request feed() found, with path and query split from the target
    // and, for an absolute-form target, its authority as Host. The parser
    // goes on to the next request.
    Request take();

    // Some of a request has been read (its first byte started it).
    bool started() const { return started_; }
    // Its head is in; its body, if any, is still coming.
    bool head_complete() const { return head_complete_; }
    // The head asked `Expect: 100-continue`, no body has come yet, and the
    // request is one the server will serve: the server should now say
    // "100 Continue" (RFC 9110 10.1.1). True once per request.
    bool take_continue();

    // After Result::error: 400, 413, 431 or 501, and why, in a few words.
    int error_status() const { return error_status_; }  // (501: bytes after an Upgrade)
    const std::string& error_reason() const { return error_reason_; }

  private:
    static RequestParser& self(llhttp_t* p) { return *static_cast<RequestParser*>(p->data); }
    static int on_message_begin(llhttp_t* p);
    static int on_url(llhttp_t* p, const char* at, std::size_t n);
    static int on_header_field(llhttp_t* p, const char* at, std::size_t n);
    static int on_header_value(llhttp_t* p, const char* at, std::size_t n);
    static int on_headers_complete(llhttp_t* p);
    static int on_body(llhttp_t* p, const char* at, std::size_t n);
    static int on_message_complete(llhttp_t* p);
    int refuse(int status, const char* why);
    static const llhttp_settings_t& settings();

    Limits limits_;
    llhttp_t parser_;
    HeaderReader head_;
    Request request_;
    std::string problem_;  // why a complete request cannot be served (400), or empty
    bool started_ = false;
    bool head_complete_ = false;
    bool continue_due_ = false;
    int error_status_ = 0;
    std::string error_reason_;
};

// Reads one response. A client makes one per request.
class ResponseParser {
  public:
    // `max_body`: the most body bytes it keeps (too_large() past that);
    // `max_head`: the most bytes of status line and headers.
    explicit ResponseParser(std::size_t max_body, std::size_t max_head = 64 * 1024);
    ResponseParser(const ResponseParser&) = delete;
    ResponseParser& operator=(const ResponseParser&) = delete;

    // Feeds bytes; an empty string when fine, else what is wrong.
    std::string feed(std::string_view data);
    // The connection ended: a body framed by the end of the connection is
    // complete now; any other response is not.
    void finish() { llhttp_finish(&parser_); }

    bool complete() const { return complete_; }
    // The connection may carry another request: the server said so, and
    // nothing came after the response.
    bool keep_alive() const { return keep_alive_; }
    // The body went over the cap; the Content-Length that said so, if any.
    bool too_large() const { return too_large_; }
    std::uint64_t declared_length() const { return declared_length_; }
    ClientResponse take() { return std::move(response_); }

  private:
    static ResponseParser& self(llhttp_t* p) { return *static_cast<ResponseParser*>(p->data); }

    std::size_t max_body_;
    llhttp_settings_t settings_;
    llhttp_t parser_;
    HeaderReader head_;
    ClientResponse response_;
    bool complete_ = false;
    bool keep_alive_ = false;
    bool too_large_ = false;
    std::uint64_t declared_length_ = 0;
};

}  // namespace workbook::http

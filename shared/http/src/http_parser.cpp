#include "workbook/http_parser.hpp"

#include <algorithm>
#include <cctype>

namespace workbook::http {

void HeaderReader::name(std::vector<Header>& headers, const char* at, std::size_t n) {
    if (headers.empty() || in_value) headers.emplace_back();
    in_value = false;
    headers.back().name.append(at, n);
}

void HeaderReader::value(std::vector<Header>& headers, const char* at, std::size_t n) {
    in_value = true;
    headers.back().value.append(at, n);
}

namespace {

// uri-host [":" port] (RFC 3986): letters, digits, "-._~%!$&'()*+,;=" and
// the ":[]" of ports and IPv6 literals. Nothing else, so a handler may put
// the value into a URL or a JSON string as it is. Empty is allowed (RFC 9112
// 3.2: a target with no authority).
bool valid_host(std::string_view host) {
    return std::all_of(host.begin(), host.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) ||
               std::string_view("-._~%!$&'()*+,;=:[]").find(c) != std::string_view::npos;
    });
}

// Why a request cannot be served as HTTP/1.1 asks (RFC 9112 3.2), or empty:
// exactly one Host (none is fine only before 1.1), a valid one, and for an
// absolute-form target, an http(s) URL with a valid authority. Fills path
// and query, and puts an absolute-form target's authority in place of Host,
// which the RFC says to ignore then.
std::string read_target(Request& request, bool http_1_1) {
    std::string_view target = request.target;
    // "*" names the server itself, and only OPTIONS may ask that (RFC 9112
    // 3.2.4); its path stays "*", which no route matches.
    if (target == "*" && request.method != "OPTIONS") return "the target * is for OPTIONS only";
    std::string_view authority;
    bool absolute = false;
    if (const auto scheme_end = target.find("://");
        !target.empty() && target.front() != '/' && scheme_end != std::string_view::npos) {
        const auto scheme = target.substr(0, scheme_end);
        if (!equal_nocase(scheme, "http") && !equal_nocase(scheme, "https")) {
            return "the target is a URL of another scheme than http or https";
        }
        const auto rest = target.substr(scheme_end + 3);
        const auto end = rest.find_first_of("/?#");
        authority = rest.substr(0, end);
        target = end == std::string_view::npos ? std::string_view() : rest.substr(end);
        absolute = true;
        if (authority.empty() || !valid_host(authority))
            return "the target URL's host is not a valid host[:port]";
    }
    // Past a URL's authority, or in origin-form, the target is a path: "/"
    // first (RFC 9112 3.2.1), or nothing before a query.
    if (!target.empty() && target.front() != '/' && target.front() != '?' && target != "*")
        return "the target is neither a path (/...), a URL nor *";
    const auto q = target.find('?');
    const auto path = target.substr(0, q);
    request.path = path.empty() ? std::string(1, '/') : std::string(path);
    if (q != std::string_view::npos) request.query = std::string(target.substr(q + 1));

    Header* host = nullptr;
    int hosts = 0;
    for (auto& h : request.headers) {
        if (equal_nocase(h.name, "Host")) {
            host = &h;
            ++hosts;
        }
    }
    if (hosts > 1) return "more than one Host header";
    if (hosts == 0 && http_1_1) return "an HTTP/1.1 request must have a Host header";
    if (absolute) {
        if (host) {
            host->value = std::string(authority);
        } else {
            request.headers.push_back({"Host", std::string(authority)});
        }
    } else if (host && !valid_host(host->value)) {
        return "the Host header is not a valid host[:port]";
    }
    return {};
}

}  // namespace

// ---------------------------------------------------------------- requests

// The callbacks are the same for every request parser: one table for all
// (a server holding ten thousand connections holds ten thousand parsers).
const llhttp_settings_t& RequestParser::settings() {
    static const llhttp_settings_t table = [] {
        llhttp_settings_t s;
        llhttp_settings_init(&s);
        s.on_message_begin = &RequestParser::on_message_begin;
        s.on_url = &RequestParser::on_url;
        s.on_header_field = &RequestParser::on_header_field;
        s.on_header_value = &RequestParser::on_header_value;
        s.on_headers_complete = &RequestParser::on_headers_complete;
        s.on_body = &RequestParser::on_body;
        s.on_message_complete = &RequestParser::on_message_complete;
        return s;
    }();
    return table;
}

RequestParser::RequestParser(Limits limits) : limits_(limits) {
    head_.limit = limits.max_header_bytes;
    llhttp_init(&parser_, HTTP_REQUEST, &settings());
    parser_.data = this;
}

RequestParser::Result RequestParser::feed(std::string_view data, std::size_t& used) {
    used = 0;
    if (data.empty()) return Result::more;
    started_ = true;
    const llhttp_errno_t err = llhttp_execute(&parser_, data.data(), data.size());
    if (err == HPE_OK) {
        used = data.size();
        return Result::more;
    }
    if (err == HPE_PAUSED) {  // on_message_complete stopped after a whole request
        used = static_cast<std::size_t>(llhttp_get_error_pos(&parser_) - data.data());
        if (!problem_.empty()) {
            // Read to its end (so closing does not reset a client still
            // sending), but not served.
            error_status_ = 400;
            error_reason_ = problem_;
            return Result::error;
        }
        return Result::request;
    }
    if (error_status_ == 0) {
        error_status_ = err == HPE_PAUSED_UPGRADE ? 501 : 400;
        const char* reason = llhttp_get_error_reason(&parser_);
        error_reason_ = err == HPE_PAUSED_UPGRADE ? "upgrades are not supported"
                        : reason && *reason       ? reason
                                                  : llhttp_errno_name(err);
    }
    return Result::error;
}

Request RequestParser::take() {
    Request request = std::move(request_);
    request_ = {};
    started_ = false;
    head_complete_ = false;
    continue_due_ = false;
    llhttp_resume(&parser_);
    return request;
}

bool RequestParser::take_continue() {
    // A client that sent some of the body anyway needs no invitation.
    const bool due = continue_due_ && request_.body.empty();
    continue_due_ = false;
    return due;
}

int RequestParser::refuse(int status, const char* why) {
    error_status_ = status;
    error_reason_ = why;
    llhttp_set_error_reason(&parser_, why);
    return HPE_USER;
}

int RequestParser::on_message_begin(llhttp_t* p) {
    auto& self = RequestParser::self(p);
    self.request_ = {};
    self.request_.headers.reserve(16);  // one allocation for a typical request's headers
    self.problem_.clear();
    self.head_.restart();
    self.started_ = true;
    self.head_complete_ = false;
    return 0;
}

int RequestParser::on_url(llhttp_t* p, const char* at, std::size_t n) {
    auto& self = RequestParser::self(p);
    if (!self.head_.count(n))
        return self.refuse(431, "the request head is larger than the server accepts");
    self.request_.target.append(at, n);
    return 0;
}

int RequestParser::on_header_field(llhttp_t* p, const char* at, std::size_t n) {
    auto& self = RequestParser::self(p);
    if (!self.head_.count_name(self.request_.headers, n))
        return self.refuse(431, "the request head is larger than the server accepts");
    self.head_.name(self.request_.headers, at, n);
    return 0;
}

int RequestParser::on_header_value(llhttp_t* p, const char* at, std::size_t n) {
    auto& self = RequestParser::self(p);
    if (!self.head_.count(n))
        return self.refuse(431, "the request head is larger than the server accepts");
    self.head_.value(self.request_.headers, at, n);
    return 0;
}

int RequestParser::on_headers_complete(llhttp_t* p) {
    auto& self = RequestParser::self(p);
    auto& request = self.request_;
    request.method = llhttp_method_name(static_cast<llhttp_method_t>(p->method));
    // A server may ignore Upgrade (RFC 9110 7.8) and answer in HTTP/1.1, as
    // this one does; but the client may send its new protocol right after
    // the request, so the connection closes after the answer.
    request.keep_alive = llhttp_should_keep_alive(p) != 0 && !p->upgrade;
    const bool http_1_1 = p->http_major > 1 || (p->http_major == 1 && p->http_minor >= 1);
    if ((p->flags & F_CONTENT_LENGTH) && p->content_length > self.limits_.max_body_bytes) {
        self.refuse(413, "the request body is larger than the server accepts");
        return -1;  // llhttp turns this into HPE_CB_HEADERS_COMPLETE
    }
    self.problem_ = read_target(request, http_1_1);
    const bool has_body =
        (p->flags & F_CHUNKED) || ((p->flags & F_CONTENT_LENGTH) && p->content_length > 0);
    // A request that will be refused anyway gets its 400 after the body
    // rather than an invitation to send it.
    self.continue_due_ = http_1_1 && has_body && self.problem_.empty() &&
                         equal_nocase(request.header("Expect"), "100-continue");
    self.head_complete_ = true;
    return 0;
}

int RequestParser::on_body(llhttp_t* p, const char* at, std::size_t n) {
    auto& self = RequestParser::self(p);
    if (self.request_.body.size() + n > self.limits_.max_body_bytes) {
        // a chunked body that grows past the limit
        return self.refuse(413, "the request body is larger than the server accepts");
    }
    self.request_.body.append(at, n);
    return 0;
}

int RequestParser::on_message_complete(llhttp_t*) {
    // Stop here so the request is answered before the next is parsed.
    return HPE_PAUSED;
}

// --------------------------------------------------------------- responses

ResponseParser::ResponseParser(std::size_t max_body, std::size_t max_head) : max_body_(max_body) {
    head_.limit = max_head;
    // Room for a typical answer's headers (GitHub sends about fifteen):
    // one allocation instead of a vector grown five times.
    response_.headers.reserve(16);
    llhttp_settings_init(&settings_);
    settings_.on_status = [](llhttp_t* p, const char*, std::size_t n) {
        return self(p).head_.count(n) ? 0 : -1;
    };
    settings_.on_header_field = [](llhttp_t* p, const char* at, std::size_t n) {
        auto& self = ResponseParser::self(p);
        if (!self.head_.count_name(self.response_.headers, n)) return -1;
        self.head_.name(self.response_.headers, at, n);
        return 0;
    };
    settings_.on_header_value = [](llhttp_t* p, const char* at, std::size_t n) {
        auto& self = ResponseParser::self(p);
        if (!self.head_.count(n)) return -1;
        self.head_.value(self.response_.headers, at, n);
        return 0;
    };
    settings_.on_headers_complete = [](llhttp_t* p) {
        auto& self = ResponseParser::self(p);
        self.response_.status = p->status_code;
        // A Content-Length over the cap is refused before any of the body.
        if ((p->flags & F_CONTENT_LENGTH) && p->content_length > self.max_body_) {
            self.too_large_ = true;
            self.declared_length_ = p->content_length;
            return -1;
        }
        return 0;
    };
    settings_.on_body = [](llhttp_t* p, const char* at, std::size_t n) {
        auto& self = ResponseParser::self(p);
        if (self.response_.body.size() + n > self.max_body_) {
            self.too_large_ = true;
            return -1;
        }
        self.response_.body.append(at, n);
        return 0;
    };
    settings_.on_message_complete = [](llhttp_t* p) {
        auto& self = ResponseParser::self(p);
        if (p->status_code >= 100 && p->status_code < 200 && p->status_code != 101) {
            // An interim answer (100 Continue, 103 Early Hints): the response
            // comes after it, and a client must read on even if it asked for
            // none (RFC 9110 15.2).
            self.response_ = {};
            self.head_.restart();
            return 0;
        }
        self.complete_ = true;
        // Asked now: once this returns, llhttp resets for the next message.
        self.keep_alive_ = llhttp_should_keep_alive(p) != 0;
        // Stop here: bytes after the response are not part of it, and a
        // second response in the same read must not change this one.
        return static_cast<int>(HPE_PAUSED);
    };
    llhttp_init(&parser_, HTTP_RESPONSE, &settings_);
    parser_.data = this;
}

std::string ResponseParser::feed(std::string_view data) {
    if (data.empty()) return {};  // llhttp is not to be given a null pointer, even for 0 bytes
    const auto err = llhttp_execute(&parser_, data.data(), data.size());
    if (err == HPE_OK) return {};
    if (err == HPE_PAUSED && complete_) {
        // Bytes after the response answer nothing this client asked: the
        // connection is not to be used again.
        if (llhttp_get_error_pos(&parser_) != data.data() + data.size()) keep_alive_ = false;
        return {};
    }
    if (head_.bytes > head_.limit) {
        return "its status line and headers are over " + std::to_string(head_.limit) + " bytes";
    }
    const char* reason = llhttp_get_error_reason(&parser_);
    return reason && *reason ? reason : llhttp_errno_name(err);
}

}  // namespace workbook::http

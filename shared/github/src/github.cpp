#include "workbook/github.hpp"

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <optional>

#include "workbook/json_fields.hpp"
#include "workbook/paths.hpp"

namespace workbook {

const std::vector<std::string>& repositories() {
    // The libraries this workbook stands on, the async stacks of the talk and
    // their C++ and Rust cousins: projects an attendee will recognise.
    static const std::vector<std::string> repos = {
        "chriskohlhoff/asio",  "yhirose/cpp-httplib", "nlohmann/json",    "doctest/doctest",
        "nodejs/llhttp",       "openssl/openssl",     "libuv/libuv",      "scylladb/seastar",
        "facebook/folly",      "python/cpython",      "aio-libs/aiohttp", "twisted/twisted",
        "gevent/gevent",       "tornadoweb/tornado",  "sanic-org/sanic",  "redis/redis",
        "memcached/memcached", "postgres/postgres",   "tokio-rs/tokio",   "fmtlib/fmt",
    };
    return repos;
}

std::string to_string(const RepoInfo& info) {
    // nlohmann::json escapes the strings, so odd names print unambiguously.
    return "{name: " + nlohmann::json(info.name).dump() +
           ", full_name: " + nlohmann::json(info.full_name).dump() +
           ", stargazers_count: " + std::to_string(info.stargazers_count) + "}";
}

namespace {

nlohmann::json repo_object(const RepoInfo& info) {
    return {{"name", info.name},
            {"full_name", info.full_name},
            {"stargazers_count", info.stargazers_count}};
}

}  // namespace

std::string to_json(const RepoInfo& info) {
    return repo_object(info).dump();
}

std::string to_json(const FetchResult& result) {
    nlohmann::json j{{"full_name", result.full_name}, {"error", result.error}};
    if (result.info) j["info"] = repo_object(*result.info);
    return j.dump();  // dump() escapes newlines: one result, one line
}

FetchResult fetch_result_from_json(std::string_view text) {
    const auto j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) throw ParseError("a result line is not a JSON object");
    try {
        FetchResult result;
        result.full_name = j.at("full_name").get<std::string>();
        result.error = j.at("error").get<std::string>();
        if (j.contains("info")) result.info = parse_repo_info(j["info"].dump());
        return result;
    } catch (const nlohmann::json::exception& e) {
        throw ParseError(std::string("a result line lacks a field: ") + e.what());
    }
}

ApiConfig ApiConfig::at(const Origin& other) const {
    ApiConfig there = *this;
    there.scheme = other.scheme;
    there.host = other.host;
    there.port = other.port;
    there.base_path.clear();
    there.token.clear();
    return there;
}

static bool is_name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
}

std::string ApiConfig::repo_path(std::string_view full_name) const {
    const auto slash = full_name.find('/');
    bool valid = slash != std::string_view::npos && slash > 0 && slash + 1 < full_name.size();
    for (std::size_t i = 0; valid && i < full_name.size(); ++i) {
        valid = i == slash || is_name_char(full_name[i]);
    }
    if (!valid || full_name.find("..") != std::string_view::npos) {
        throw std::invalid_argument("\"" + std::string(full_name) +
                                    "\" is not a repository name: expected owner/name");
    }
    return base_path + "/repos/" + std::string(full_name);
}

bool ApiConfig::is_local() const {
    return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

ApiConfig parse_api_url(std::string_view url) {
    const auto fail = [&](const std::string& why) -> ApiConfig {
        throw std::invalid_argument(
            "WORKBOOK_GITHUB_API=\"" + std::string(url) + "\" " + why +
            " (expected e.g. https://api.github.com or http://127.0.0.1:8700)");
    };
    const auto sep = url.find("://");
    const auto path_at = sep == std::string_view::npos ? url.find('/') : url.find('/', sep + 3);
    ApiConfig api;
    try {
        const Origin origin = parse_origin(url.substr(0, path_at));
        api.scheme = origin.scheme;
        api.host = origin.host;
        api.port = origin.port;
    } catch (const std::invalid_argument& e) {
        return fail(e.what());
    }
    api.base_path = path_at == std::string_view::npos ? "" : std::string(url.substr(path_at));
    while (!api.base_path.empty() && api.base_path.back() == '/') api.base_path.pop_back();
    if (api.base_path.find_first_of("?#") != std::string::npos) return fail("may not have a query");
    return api;
}

ApiConfig api_config_from_env() {
    const char* url = std::getenv("WORKBOOK_GITHUB_API");
    ApiConfig api = parse_api_url(url && *url ? url : default_api_url);
    if (const char* token = std::getenv("GITHUB_TOKEN")) api.token = token;
    if (const char* ca = std::getenv("WORKBOOK_CA_FILE"); ca && *ca) {
        api.ca_file = ca;
    } else if (api.is_local()) {
        // The stand-in's certificate is signed by the workbook's own CA, made
        // at build time; the real GitHub is verified against the system's.
        api.ca_file = stand_in_ca_file();
    }
    return api;
}

RepoInfo parse_repo_info(std::string_view body) {
    // Only the three fields are read; the rest of GitHub's eighty is checked
    // to be JSON and passed over (json_fields.hpp says why not a tree).
    json::Field fields[] = {json::Field("name"), json::Field("full_name"),
                            json::Field("stargazers_count")};
    const json::Kind kind = json::read_fields(body, fields);
    if (kind == json::Kind::absent) {
        const std::string start(body.substr(0, 60));
        throw ParseError(
            "the response is not valid JSON" +
            (body.empty() ? std::string(" (it is empty)") : ": it starts with \"" + start + "\""));
    }
    if (kind != json::Kind::object) {
        throw ParseError("the response is " + std::string(json::kind_name(kind)) +
                         ", expected a JSON object");
    }
    const auto check = [](const json::Field& f, json::Kind want) {
        if (f.kind == json::Kind::absent)
            throw ParseError("the response has no field \"" + std::string(f.name) + "\"");
        if (f.kind != want) {
            throw ParseError("field \"" + std::string(f.name) + "\" is " +
                             std::string(json::kind_name(f.kind)) + ", expected " +
                             (want == json::Kind::integer ? "a whole number" : "a string"));
        }
    };
    check(fields[0], json::Kind::string);
    check(fields[1], json::Kind::string);
    check(fields[2], json::Kind::integer);
    return RepoInfo{std::move(fields[0].text), std::move(fields[1].text), fields[2].integer};
}

static std::string github_message(std::string_view body) {
    const auto json = nlohmann::json::parse(body, nullptr, false);
    if (json.is_object() && json.contains("message") && json["message"].is_string()) {
        return json["message"].get<std::string>();
    }
    return {};
}

std::string_view to_string(Failure failure) {
    switch (failure) {
        case Failure::ca_file:
            return "ca_file";
        case Failure::resolve:
            return "resolve";
        case Failure::connect:
            return "connect";
        case Failure::tls_handshake:
            return "tls_handshake";
        case Failure::certificate:
            return "certificate";
        case Failure::host_name:
            return "host_name";
        case Failure::timeout:
            return "timeout";
        case Failure::send:
            return "send";
        case Failure::broken_off:
            return "broken_off";
        case Failure::no_response:
            return "no_response";
        case Failure::protocol:
            return "protocol";
        case Failure::body_too_large:
            return "body_too_large";
        case Failure::content_encoding:
            return "content_encoding";
        case Failure::redirect:
            return "redirect";
    }
    return "?";
}

// Retry-After is either a number of seconds (what GitHub sends) or an HTTP
// date; a date is shown as it came rather than turned into seconds with a
// clock this machine may not agree on.
static std::string wait_phrase(std::string_view retry_after) {
    if (retry_after.empty()) return {};
    const bool seconds = retry_after.find_first_not_of("0123456789") == std::string_view::npos;
    if (seconds)
        return "wait " + std::string(retry_after) + " s (Retry-After) before the next request";
    return "wait until " + std::string(retry_after) + " (Retry-After) before the next request";
}

// `token_set`: empty when the caller does not know whether a token was sent.
static std::string describe_status_for(std::optional<bool> token_set, std::string_view full_name,
                                       int status, std::string_view body,
                                       std::string_view rate_limit_remaining,
                                       std::string_view retry_after) {
    const std::string says = [&] {
        const auto message = github_message(body);
        return message.empty() ? std::string() : " (the server says \"" + message + "\")";
    }();
    const std::string who = std::string(full_name) + ": ";
    switch (status) {
        case 401:
            if (token_set == false) {
                return who + "401 Unauthorized" + says +
                       ". The API wants a token and none is set: set GITHUB_TOKEN (it travels only "
                       "in the "
                       "Authorization header).";
            }
            if (token_set == true) {
                return who + "401 Unauthorized" + says +
                       ". GITHUB_TOKEN is wrong or expired: set a valid one, or unset it to go "
                       "without.";
            }
            return who + "401 Unauthorized" + says +
                   ". The API wants a valid token: set GITHUB_TOKEN, or if it is set, it is wrong "
                   "or expired.";
        case 403:
            // GitHub's secondary rate limit (too many requests at once or too
            // fast) is a 403 with Retry-After; the primary one (the hourly
            // quota) a 403 with X-RateLimit-Remaining: 0.
            if (!retry_after.empty()) {
                return who + "403 secondary rate limit" + says + ": too many requests too fast; " +
                       wait_phrase(retry_after) +
                       ", and send fewer at once (chapter 08 shows how).";
            }
            if (rate_limit_remaining == "0") {
                return who + "403 rate limit exceeded" + says +
                       ". Without a token GitHub allows 60 requests an hour: set GITHUB_TOKEN, "
                       "or unset WORKBOOK_GITHUB_API to use the offline stand-in.";
            }
            return who + "403 Forbidden" + says + ". The token lacks access to this repository.";
        case 404:
            return who + "404 Not Found" + says +
                   ". No such repository, or a private one the token cannot see: check the name.";
        case 429:
            return who + "429 Too Many Requests" + says + ": " +
                   (retry_after.empty() ? std::string("wait a while before the next request")
                                        : wait_phrase(retry_after)) +
                   ", and send fewer at once (chapter 08 shows how).";
        default:
            if (status >= 500) {
                return who + std::to_string(status) + " server error" + says +
                       ". The server failed, not your code: try again in a moment.";
            }
            return who + "HTTP " + std::to_string(status) + says + ".";
    }
}

RepoInfo repo_info_from_answer(const ApiConfig& api, std::string_view full_name, int status,
                               const std::string& body, std::string_view rate_limit_remaining,
                               std::string_view retry_after) {
    if (status != 200) {
        throw FetchError(
            describe_status(api, full_name, status, body, rate_limit_remaining, retry_after),
            status);
    }
    try {
        return parse_repo_info(body);
    } catch (const ParseError& e) {
        throw FetchError(std::string(full_name) + ": " + e.what(), status);
    }
}

std::string describe_status(const ApiConfig& api, std::string_view full_name, int status,
                            std::string_view body, std::string_view rate_limit_remaining,
                            std::string_view retry_after) {
    return describe_status_for(!api.token.empty(), full_name, status, body, rate_limit_remaining,
                               retry_after);
}

std::string describe_status(std::string_view full_name, int status, std::string_view body,
                            std::string_view rate_limit_remaining) {
    return describe_status_for(std::nullopt, full_name, status, body, rate_limit_remaining, {});
}

std::string describe_transport_failure(const ApiConfig& api, std::string_view full_name,
                                       const TransportError& error) {
    const std::string who = std::string(full_name) + ": ";
    const std::string where = api.origin().to_string();
    const std::string what = error.what();
    // The advice comes from the Failure, never from the words of the message:
    // see transport_error.hpp.
    switch (error.failure()) {
        case Failure::ca_file:
            return who + what + " (to verify " + where + " with). Nothing was sent. " +
                   (api.ca_file.empty()
                        ? std::string("The system's CA store is missing: install the package "
                                      "ca-certificates, "
                                      "or point WORKBOOK_CA_FILE at a PEM file of CA certificates.")
                        : "Point WORKBOOK_CA_FILE at a readable PEM file of CA certificates, or "
                          "unset it "
                          "(then the system's CAs are used, or the workbook's own for the "
                          "stand-in).");
        case Failure::resolve:
            return who + "cannot find " + api.host + " (" + what +
                   "). Check the host in WORKBOOK_GITHUB_API and this machine's network and DNS.";
        case Failure::connect:
            if (api.is_local()) {
                return who + "cannot reach " + where + " (" + what +
                       "). Is the GitHub stand-in running? `./workbook run` starts one for the "
                       "demos; "
                       "`./workbook fake-github` runs one in this terminal.";
            }
            return who + "cannot reach " + where + " (" + what +
                   "). Check the network and WORKBOOK_GITHUB_API.";
        case Failure::tls_handshake:
            return who + "the TLS handshake with " + where + " failed (" + what +
                   "). Is there an HTTPS server on that port? An http:// server cannot answer a "
                   "handshake; "
                   "check the scheme and port in WORKBOOK_GITHUB_API.";
        case Failure::certificate:
            return who + "the certificate of " + where + " did not verify (" + what + "). " +
                   (api.ca_file.empty() ? std::string("It was checked against the system's CAs")
                                        : "It was checked against " + api.ca_file) +
                   "; point WORKBOOK_CA_FILE at the CA that signed it. Verification is never "
                   "switched off.";
        case Failure::host_name:
            return who + "the certificate of " + where +
                   " is valid but made out to another host (" + what +
                   "). Use the host name the certificate names in WORKBOOK_GITHUB_API (the "
                   "stand-in's "
                   "is localhost or 127.0.0.1). Verification is never switched off.";
        case Failure::timeout:
            return who + "no answer from " + where + " in time (" + what +
                   "). The server is slow or hung: try again, or allow a longer timeout.";
        case Failure::no_response:
            return who + "no complete response from " + where + " (" + what +
                   "). Either nothing came within the read timeout (a hung or slow server) or "
                   "the connection ended first; the client cannot tell which. Try again; if it "
                   "keeps happening, the server is failing.";
        case Failure::send:
        case Failure::broken_off:
            return who + "the connection to " + where + " broke off (" + what +
                   "). The server closed it before the response was complete: try again; if it "
                   "keeps "
                   "happening, the server is failing.";
        case Failure::protocol:
            return who + "the answer from " + where + " is not HTTP (" + what +
                   "). Is WORKBOOK_GITHUB_API pointing at the right port and scheme?";
        case Failure::body_too_large:
            return who + what +
                   ". A repository's JSON is a few KiB: is WORKBOOK_GITHUB_API pointing at the "
                   "API?";
        case Failure::content_encoding:
            return who + what +
                   ". The client asks for gzip only (Accept-Encoding); the server sent "
                   "something else: is WORKBOOK_GITHUB_API pointing at the API?";
        case Failure::redirect:
            return who + what + ". Check WORKBOOK_GITHUB_API: the URL may have moved.";
    }
    return who + what;
}

std::string redact(std::string text, std::string_view token) {
    if (token.empty()) return text;
    for (auto at = text.find(token); at != std::string::npos; at = text.find(token, at + 3)) {
        text.replace(at, token.size(), "***");
    }
    return text;
}

}  // namespace workbook

#include "workbook/github.hpp"

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "workbook/paths.hpp"

namespace workbook {

const std::vector<std::string>& repositories() {
    // The libraries this workbook stands on, the async stacks of the talk and
    // their C++ and Rust cousins: projects an attendee will recognise.
    static const std::vector<std::string> repos = {
        "chriskohlhoff/asio",  "yhirose/cpp-httplib", "nlohmann/json",      "doctest/doctest",
        "nodejs/llhttp",       "openssl/openssl",     "libuv/libuv",        "scylladb/seastar",
        "facebook/folly",      "python/cpython",      "aio-libs/aiohttp",   "twisted/twisted",
        "gevent/gevent",       "tornadoweb/tornado",  "sanic-org/sanic",    "redis/redis",
        "memcached/memcached", "postgres/postgres",   "tokio-rs/tokio",     "fmtlib/fmt",
    };
    return repos;
}

std::string to_string(const RepoInfo& info) {
    // nlohmann::json escapes the strings, so odd names print unambiguously.
    return "{name: " + nlohmann::json(info.name).dump() +
           ", full_name: " + nlohmann::json(info.full_name).dump() +
           ", stargazers_count: " + std::to_string(info.stargazers_count) + "}";
}

std::string to_json(const FetchResult& result) {
    nlohmann::json j{{"full_name", result.full_name}, {"error", result.error}};
    if (result.info) {
        j["info"] = {{"name", result.info->name},
                     {"full_name", result.info->full_name},
                     {"stargazers_count", result.info->stargazers_count}};
    }
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

std::string ApiConfig::origin() const {
    const bool default_port = (scheme == "http" && port == 80) || (scheme == "https" && port == 443);
    const std::string shown_host = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    return scheme + "://" + shown_host + (default_port ? "" : ":" + std::to_string(port));
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
        throw std::invalid_argument("WORKBOOK_GITHUB_API=\"" + std::string(url) + "\" " + why +
                                    " (expected e.g. https://api.github.com or http://127.0.0.1:8700)");
    };
    ApiConfig api;
    const auto sep = url.find("://");
    if (sep == std::string_view::npos) return fail("has no scheme");
    api.scheme = std::string(url.substr(0, sep));
    if (api.scheme != "http" && api.scheme != "https") return fail("must start with http:// or https://");
    std::string_view rest = url.substr(sep + 3);
    const auto path_at = rest.find('/');
    std::string_view authority = rest.substr(0, path_at);
    api.base_path = path_at == std::string_view::npos ? "" : std::string(rest.substr(path_at));
    while (!api.base_path.empty() && api.base_path.back() == '/') api.base_path.pop_back();
    if (authority.find('@') != std::string_view::npos) {
        return fail("carries credentials: put the token in GITHUB_TOKEN, never in the URL");
    }
    if (api.base_path.find_first_of("?#") != std::string::npos) return fail("may not have a query");
    std::string_view port_text;
    if (!authority.empty() && authority.front() == '[') {  // [::1]:8700
        const auto close = authority.find(']');
        if (close == std::string_view::npos) return fail("has an unclosed [");
        api.host = std::string(authority.substr(1, close - 1));
        if (close + 1 < authority.size() && authority[close + 1] == ':') port_text = authority.substr(close + 2);
    } else {
        const auto colon = authority.rfind(':');
        api.host = std::string(authority.substr(0, colon));
        if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
    }
    if (api.host.empty()) return fail("has no host");
    api.port = api.scheme == "https" ? 443 : 80;
    if (!port_text.empty()) {
        unsigned long port = 0;
        for (char c : port_text) {
            if (c < '0' || c > '9') return fail("has a port that is not a number");
            port = port * 10 + static_cast<unsigned long>(c - '0');
            if (port > 65535) return fail("has a port above 65535");
        }
        if (port == 0) return fail("has port 0");
        api.port = static_cast<unsigned short>(port);
    }
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

static std::string_view json_kind(const nlohmann::json& value) {
    switch (value.type()) {
        case nlohmann::json::value_t::null: return "null";
        case nlohmann::json::value_t::boolean: return "a boolean";
        case nlohmann::json::value_t::string: return "a string";
        case nlohmann::json::value_t::object: return "an object";
        case nlohmann::json::value_t::array: return "an array";
        case nlohmann::json::value_t::number_float: return "a fractional number";
        default: return "a number";
    }
}

RepoInfo parse_repo_info(std::string_view body) {
    // parse(..., allow_exceptions = false) returns a "discarded" value instead
    // of throwing, so the message below can be ours.
    const auto json = nlohmann::json::parse(body, nullptr, false);
    if (json.is_discarded()) {
        const std::string start(body.substr(0, 60));
        throw ParseError("the response is not valid JSON" +
                         (body.empty() ? std::string(" (it is empty)") : ": it starts with \"" + start + "\""));
    }
    if (!json.is_object()) {
        throw ParseError("the response is " + std::string(json_kind(json)) + ", expected a JSON object");
    }
    const auto field = [&](const char* name, auto want_number) -> const nlohmann::json& {
        const auto it = json.find(name);
        if (it == json.end()) throw ParseError("the response has no field \"" + std::string(name) + "\"");
        const bool ok = want_number ? it->is_number_integer() : it->is_string();
        if (!ok) {
            throw ParseError("field \"" + std::string(name) + "\" is " + std::string(json_kind(*it)) +
                             ", expected " + (want_number ? "a whole number" : "a string"));
        }
        return *it;
    };
    RepoInfo info;
    info.name = field("name", false).get<std::string>();
    info.full_name = field("full_name", false).get<std::string>();
    info.stargazers_count = field("stargazers_count", true).get<long long>();
    return info;
}

static std::string github_message(std::string_view body) {
    const auto json = nlohmann::json::parse(body, nullptr, false);
    if (json.is_object() && json.contains("message") && json["message"].is_string()) {
        return json["message"].get<std::string>();
    }
    return {};
}

std::string describe_status(std::string_view full_name, int status, std::string_view body,
                            std::string_view rate_limit_remaining) {
    const std::string says = [&] {
        const auto message = github_message(body);
        return message.empty() ? std::string() : " (the server says \"" + message + "\")";
    }();
    const std::string who = std::string(full_name) + ": ";
    switch (status) {
        case 401:
            return who + "401 Unauthorized" + says +
                   ". GITHUB_TOKEN is wrong or expired: set a valid one, or unset it to go without.";
        case 403:
            if (rate_limit_remaining == "0") {
                return who + "403 rate limit exceeded" + says +
                       ". Without a token GitHub allows 60 requests an hour: set GITHUB_TOKEN, "
                       "or unset WORKBOOK_GITHUB_API to use the offline stand-in.";
            }
            return who + "403 Forbidden" + says + ". The token lacks access to this repository.";
        case 404:
            return who + "404 Not Found" + says +
                   ". No such repository, or a private one the token cannot see: check the name.";
        default:
            if (status >= 500) {
                return who + std::to_string(status) + " server error" + says +
                       ". The server failed, not your code: try again in a moment.";
            }
            return who + "HTTP " + std::to_string(status) + says + ".";
    }
}

std::string describe_transport_failure(const ApiConfig& api, std::string_view full_name,
                                       std::string_view what) {
    const std::string who = std::string(full_name) + ": ";
    const std::string where = api.origin();
    const auto says = [&](std::string_view word) { return what.find(word) != std::string_view::npos; };
    if (says("TLS") || says("SSL") || says("certificate")) {
        return who + "the secure connection to " + where + " failed (" + std::string(what) + "). " +
               (api.ca_file.empty() ? std::string("The certificate was checked against the system's CAs")
                                    : "The certificate was checked against " + api.ca_file) +
               "; point WORKBOOK_CA_FILE at the right CA. Verification is never switched off.";
    }
    if (says("not valid HTTP")) {
        return who + "the answer from " + where + " is not HTTP (" + std::string(what) +
               "). Is WORKBOOK_GITHUB_API pointing at the right port and scheme?";
    }
    if (says("no complete response")) {
        return who + "no complete response from " + where +
               ": the server closed the connection mid-response, or sent nothing before the "
               "timeout. Try again; if it keeps happening, the server is hung.";
    }
    if (says("timed out") || says("timeout")) {
        return who + "no answer from " + where + " in time (" + std::string(what) +
               "). The server is slow or hung: try again, or allow a longer timeout.";
    }
    if (says("broke off") || says("reset") || says("truncated") || says("end of file")) {
        return who + "the connection to " + where + " broke off (" + std::string(what) +
               "). The server closed it mid-response: try again.";
    }
    if (api.is_local()) {
        return who + "cannot reach " + where + " (" + std::string(what) +
               "). Is the GitHub stand-in running? `./workbook run` starts one for the demos; "
               "`./workbook fake-github` runs one in this terminal.";
    }
    return who + "cannot reach " + where + " (" + std::string(what) +
           "). Check the network and WORKBOOK_GITHUB_API.";
}

std::string redact(std::string text, std::string_view token) {
    if (token.empty()) return text;
    for (auto at = text.find(token); at != std::string::npos; at = text.find(token, at + 3)) {
        text.replace(at, token.size(), "***");
    }
    return text;
}

}  // namespace workbook

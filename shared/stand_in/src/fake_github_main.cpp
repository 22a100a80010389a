// fake-github: the offline stand-in for the GitHub API, as a program of its
// own. `./workbook fake-github` runs it in the foreground; the runner and the
// tests that fork or need thousands of sockets start it with --port 0
// --port-file F and read the port it chose from F.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <string_view>

#include "workbook/limits.hpp"
#include "workbook/stand_in.hpp"
#include "workbook/whole_number.hpp"

namespace {

constexpr const char* usage = R"(usage: fake-github [options]

Serves GET /repos/{owner}/{repo} like api.github.com, offline.

  --address A             listen address (default 127.0.0.1)
  --port P                HTTP port (default 8700; 0 picks a free one)
  --tls-port P            also serve HTTPS on port P (0 picks a free one)
  --no-http               serve only HTTPS
  --port-file F           write the HTTP port to F once listening
  --tls-port-file F       write the HTTPS port to F once listening
  --cert F --key F        HTTPS certificate and key (default: the build's)
  --latency MS            delay before every answer (default 100)
  --latency-for O/N=MS    another delay for one repository (repeatable)
  --fault O/N=KIND        make a repository fail: 401 403 404 500 malformed
                          truncated reset hang (repeatable); or move it:
                          301 (renamed: 301 to /repositories/ID, as GitHub
                          answers), 301-loop (a 301 to itself)
  --token T               require this token (default: any, or none);
                          FAKE_GITHUB_TOKEN in the environment does the same
  --rate-limit L          requests a client may make in an hour: "github"
                          (60 without a token, 5000 with one, as GitHub),
                          N (both), or N/M (N without a token, M with one);
                          default 1000000, more than any benchmark sends
  --max-log N             requests the /_stats log keeps (default 200000);
                          the rest are counted, and "log_dropped" says how many
  --head-timeout MS       time a client has to send a request head (10000)
  --verbose               print each connection problem on stderr
  --quiet                 print nothing once started

Statistics: GET /_stats, POST /_stats/reset (which also restarts every
client's rate limit). Ctrl-C stops it.
)";

[[noreturn]] void bad(const std::string& why) {
    std::cerr << "fake-github: " << why << "\n\n" << usage;
    std::exit(2);
}

long number(std::string_view flag, const std::string& text, long max) {
    const auto value = workbook::whole_number(text, 0, max);
    if (!value) {
        bad(std::string(flag) + " takes a number from 0 to " + std::to_string(max) + ", not \"" +
            text + "\"");
    }
    return *value;
}

std::pair<std::string, std::string> split_pair(std::string_view flag, const std::string& text) {
    const auto eq = text.rfind('=');
    if (eq == std::string::npos || eq == 0)
        bad(std::string(flag) + " takes owner/name=VALUE, not \"" + text + "\"");
    return {text.substr(0, eq), text.substr(eq + 1)};
}

// "github", "N" or "N/M".
workbook::RateLimit rate_limit(std::string_view flag, const std::string& text) {
    if (text == "github") return workbook::github_rate_limit;
    constexpr long most = 1'000'000'000;
    const auto slash = text.find('/');
    const long without = number(flag, text.substr(0, slash), most);
    const long with =
        slash == std::string::npos ? without : number(flag, text.substr(slash + 1), most);
    return {without, with};
}

// Written under another name and renamed, so a reader never sees half a file.
void write_port_file(const std::string& path, unsigned short port) {
    const std::string partial = path + ".partial";
    {
        std::ofstream out(partial);
        out << port << "\n";
        if (!out) bad("cannot write the port file " + path);
    }
    std::filesystem::rename(partial, path);
}

}  // namespace

int main(int argc, char** argv) {
    workbook::StandInOptions options;
    std::string address = "127.0.0.1", port_file, tls_port_file, cert, key;
    long port = 8700, tls_port = -1;
    bool http = true, quiet = false;
    if (const char* token = std::getenv("FAKE_GITHUB_TOKEN")) options.token = token;

    for (int i = 1; i < argc; ++i) {
        const std::string_view flag = argv[i];
        const auto value = [&]() -> std::string {
            if (i + 1 >= argc) bad(std::string(flag) + " needs a value");
            return argv[++i];
        };
        try {
            if (flag == "--help" || flag == "-h") {
                std::cout << usage;
                return 0;
            } else if (flag == "--address") {
                address = value();
            } else if (flag == "--port") {
                port = number(flag, value(), 65535);
            } else if (flag == "--tls-port") {
                tls_port = number(flag, value(), 65535);
            } else if (flag == "--no-http") {
                http = false;
            } else if (flag == "--port-file") {
                port_file = value();
            } else if (flag == "--tls-port-file") {
                tls_port_file = value();
            } else if (flag == "--cert") {
                cert = value();
            } else if (flag == "--key") {
                key = value();
            } else if (flag == "--latency") {
                options.latency = std::chrono::milliseconds(number(flag, value(), 3'600'000));
            } else if (flag == "--latency-for") {
                const auto [repo, ms] = split_pair(flag, value());
                options.latency_for[repo] = std::chrono::milliseconds(number(flag, ms, 3'600'000));
            } else if (flag == "--fault") {
                const auto [repo, kind] = split_pair(flag, value());
                options.faults[repo] = workbook::parse_fault(kind);
            } else if (flag == "--token") {
                options.token = value();
            } else if (flag == "--rate-limit") {
                options.rate_limit = rate_limit(flag, value());
            } else if (flag == "--max-log") {
                options.max_log = static_cast<std::size_t>(number(flag, value(), 100'000'000));
            } else if (flag == "--head-timeout") {
                options.head_timeout = std::chrono::milliseconds(number(flag, value(), 3'600'000));
            } else if (flag == "--verbose") {
                options.verbose = true;
            } else if (flag == "--quiet") {
                quiet = true;
            } else {
                bad("unknown option " + std::string(flag));
            }
        } catch (const std::invalid_argument& e) {
            bad(e.what());
        }
    }
    if (!http && tls_port < 0) bad("--no-http needs --tls-port");

    try {
        const long files = workbook::raise_open_file_limit();
        workbook::StandIn stand_in(options);
        std::string where;
        if (http) {
            const auto p = stand_in.listen_http(address, static_cast<unsigned short>(port));
            where += " http://" + address + ":" + std::to_string(p);
            if (!port_file.empty()) write_port_file(port_file, p);
        }
        if (tls_port >= 0) {
            const auto p =
                stand_in.listen_https(address, static_cast<unsigned short>(tls_port), cert, key);
            where += " https://localhost:" + std::to_string(p);
            if (!tls_port_file.empty()) write_port_file(tls_port_file, p);
        }
        if (!quiet) {
            std::cout << "fake-github: serving" << where << " (latency " << options.latency.count()
                      << " ms, " << options.faults.size() << " fault(s), token "
                      << (options.token.empty() ? "optional" : "required") << ", rate limit "
                      << options.rate_limit.without_token << " an hour without a token, "
                      << options.rate_limit.with_token << " with one)\n"
                      << "fake-github: statistics at /_stats; open files allowed: " << files
                      << "; Ctrl-C stops it" << std::endl;
        }
        stand_in.run();
        if (!quiet) std::cout << "fake-github: stopped" << std::endl;
    } catch (const std::exception& e) {
        std::cerr << "fake-github: " << e.what() << "\n";
        if (std::string_view(e.what()).find("in use") != std::string_view::npos) {
            std::cerr << "fake-github: another program holds that port; pick another with --port, "
                         "or --port 0 for any free one\n";
        }
        return 1;
    }
    return 0;
}

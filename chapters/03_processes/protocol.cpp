// Chapter 03, given code: the lines that travel through the pipes, and the
// loop each worker process runs over them.
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <utility>

#include "exercise.hpp"
#include "workbook/blocking_client.hpp"

namespace chapter03 {

FetchOne default_fetch() {
    return workbook::fetch_repo_blocking;
}

std::string result_line(std::size_t index, int pid, const workbook::FetchResult& result) {
    workbook::FetchResult shown = result;
    // Keep the line under PIPE_BUF (4096 bytes) so its write() stays atomic.
    if (shown.error.size() > 3000) shown.error.resize(3000);
    return std::to_string(index) + " " + std::to_string(pid) + " " + workbook::to_json(shown) +
           "\n";
}

ResultLine parse_result_line(std::string_view line) {
    ResultLine parsed;
    const auto first = line.find(' ');
    const auto second = first == std::string_view::npos ? first : line.find(' ', first + 1);
    if (second == std::string_view::npos)
        throw workbook::ParseError("not a result line: " + std::string(line));
    const auto number = [&](std::string_view text, auto& out) {
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
        if (ec != std::errc() || end != text.data() + text.size()) {
            throw workbook::ParseError("not a result line: " + std::string(line));
        }
    };
    number(line.substr(0, first), parsed.index);
    number(line.substr(first + 1, second - first - 1), parsed.pid);
    parsed.result = workbook::fetch_result_from_json(line.substr(second + 1));
    return parsed;
}

std::optional<std::string> LineReader::next() {
    for (;;) {
        if (const auto end = buffer_.find('\n'); end != std::string::npos) {
            std::string line = buffer_.substr(0, end);
            buffer_.erase(0, end + 1);
            return line;
        }
        if (eof_) {
            if (buffer_.empty()) return std::nullopt;
            return std::exchange(buffer_, {});  // a last line without '\n'
        }
        char chunk[4096];
        const ssize_t n = ::read(fd_, chunk, sizeof chunk);
        if (n > 0) {
            buffer_.append(chunk, static_cast<std::size_t>(n));
        } else if (n == 0 || errno != EINTR) {
            eof_ = true;  // end of file, or an error: either way nothing more comes
        }
    }
}

bool write_all(int fd, std::string_view data) {
    while (!data.empty()) {
        const ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

// [slide:process_worker]
// The worker's loop: chapter 01's, with a pipe at each end.
void run_worker(const workbook::ApiConfig& api, int in_fd, int out_fd, const FetchOne& fetch,
                std::chrono::milliseconds timeout) {
    const auto client = workbook::make_blocking_client(api, timeout);
    LineReader jobs(in_fd);
    while (const auto job = jobs.next()) {
        const auto space = job->find(' ');
        const std::size_t index = std::stoul(job->substr(0, space));
        workbook::FetchResult result{job->substr(space + 1), std::nullopt, {}};
        try {
            result.info = fetch(*client, api, result.full_name);
        } catch (const std::exception& e) {
            result.error = e.what();
        }
        // One write() of less than PIPE_BUF bytes: the kernel never mixes it
        // with another worker's write to the same pipe.
        const std::string line = result_line(index, static_cast<int>(::getpid()), result);
        if (::write(out_fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) return;
    }
}
// [/slide]

}  // namespace chapter03

// Chapter 03 exercise: your file. Make `./workbook check 03` green.
//
// run_worker (TODO 03.1) is what each child process does; its tests call it
// directly, without fork. fetch_all (TODO 03.2) forks the children, feeds
// them and collects their answers. exercise.hpp says what each must do.
//
// Stuck? `./workbook hint 03`.
#include "exercise.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include "workbook/blocking_client.hpp"
#include "workbook/todo.hpp"

namespace chapter03 {

void run_worker(const workbook::ApiConfig& api, int in_fd, int out_fd, const FetchOne& fetch,
                std::chrono::milliseconds timeout) {
    // TODO(03.1): read "<index> <name>" lines from in_fd until read() returns
    // 0; for each, one result_line written to out_fd with one write().
    (void)api, (void)in_fd, (void)out_fd, (void)fetch, (void)timeout;
    workbook::todo("03.1");
}

std::vector<ProcessResult> fetch_all(const workbook::ApiConfig& api,
                                     const std::vector<std::string>& names, int workers,
                                     const FetchOne& fetch, std::chrono::milliseconds timeout) {
    // TODO(03.2): pipe(), fork(), write the jobs, read the results, waitpid().
    (void)api, (void)names, (void)workers, (void)fetch, (void)timeout;
    workbook::todo("03.2");
}

}  // namespace chapter03

// Chapter 04, given code: one client per pool thread.
#include "exercise.hpp"
#include "workbook/blocking_client.hpp"

namespace chapter04 {

FetchByName fetch_with_client_per_thread(const workbook::ApiConfig& api,
                                         std::chrono::milliseconds timeout) {
    return [api, timeout](const std::string& full_name) {
        // thread_local: each thread that runs this lambda has its own copy,
        // made on its first call and destroyed when the thread ends. The
        // origin check makes a new client if this thread later serves another API.
        thread_local std::unique_ptr<httplib::Client> client;
        thread_local workbook::Origin origin;
        if (!client || origin != api.origin()) {
            client = workbook::make_blocking_client(api, timeout);
            origin = api.origin();
        }
        return workbook::fetch_repo_blocking(*client, api, full_name);
    };
}

}  // namespace chapter04

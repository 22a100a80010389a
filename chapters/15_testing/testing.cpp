// Chapter 15, given: the test tools (testing.hpp).
#include "testing.hpp"

#include <algorithm>
#include <asio/experimental/as_tuple.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

namespace chapter15 {

using std::chrono::milliseconds;

namespace {

// A timer that never expires by itself: waited on until cancelled.
std::shared_ptr<asio::steady_timer> forever(const asio::any_io_executor& executor) {
    return std::make_shared<asio::steady_timer>(executor, asio::steady_timer::time_point::max());
}

// Everything ready on this loop runs before this returns: enough rounds for
// a batch to start its fetches and reach its sleeps. (A loop runs the
// handlers that are ready in turn; each post lets one more round go.)
asio::awaitable<void> let_ready_work_run() {
    for (int round = 0; round < 64; ++round) co_await asio::post(asio::use_awaitable);
}

}  // namespace

struct FakeTime::State {
    milliseconds now{0};
    struct Sleeper {
        milliseconds ends;
        std::weak_ptr<asio::steady_timer> timer;
    };
    std::vector<Sleeper> sleepers;
};

FakeTime::FakeTime() : state_(std::make_shared<State>()) {}
FakeTime::~FakeTime() = default;

Sleep FakeTime::sleeper() {
    return [state = state_](milliseconds duration) -> asio::awaitable<void> {
        auto timer = forever(co_await asio::this_coro::executor);
        state->sleepers.push_back({state->now + duration, timer});
        // Ends when advance() cancels it, or when the code under test
        // cancels it (the fetch won the race): either way, the sleep is over.
        co_await timer->async_wait(asio::experimental::as_tuple(asio::use_awaitable));
    };
}

asio::awaitable<void> FakeTime::advance(milliseconds by) {
    co_await let_ready_work_run();
    state_->now += by;
    auto& sleepers = state_->sleepers;
    for (auto& s : sleepers) {
        if (s.ends <= state_->now)
            if (auto timer = s.timer.lock()) timer->cancel();
    }
    std::erase_if(sleepers, [&](const State::Sleeper& s) {
        return s.ends <= state_->now || s.timer.expired();
    });
    co_await let_ready_work_run();
}

milliseconds FakeTime::now() const {
    return state_->now;
}

struct FakeFetch::State {
    struct Plan {
        int stars = 0;
        std::string error;  // non-empty: fails with it
        bool hangs = false;
        milliseconds delay{0};
    };
    std::map<std::string, Plan> plans;
    std::size_t in_flight = 0;
    std::size_t max_in_flight = 0;
    std::vector<std::string> started;
};

FakeFetch::FakeFetch() : state_(std::make_shared<State>()) {}
FakeFetch::~FakeFetch() = default;

void FakeFetch::answer(const std::string& name, int stars, milliseconds delay) {
    state_->plans[name] = {stars, "", false, delay};
}

void FakeFetch::fail(const std::string& name, const std::string& message, milliseconds delay) {
    state_->plans[name] = {0, message, false, delay};
}

void FakeFetch::hang(const std::string& name) {
    state_->plans[name] = {0, "", true, milliseconds(0)};
}

Fetch FakeFetch::fetcher() {
    return [state = state_](std::string name) -> asio::awaitable<Repo> {
        state->started.push_back(name);
        state->max_in_flight = std::max(state->max_in_flight, ++state->in_flight);
        // Out of flight however the fetch ends: answered, failed, cancelled.
        struct Landed {
            State* state;
            ~Landed() { --state->in_flight; }
        } landed{state.get()};
        const auto plan = state->plans.find(name);
        if (plan == state->plans.end()) throw std::runtime_error("404 Not Found: " + name);
        const State::Plan p = plan->second;
        auto timer = forever(co_await asio::this_coro::executor);
        if (!p.hangs) timer->expires_after(p.delay);
        co_await timer->async_wait(asio::use_awaitable);  // throws when cancelled
        if (!p.error.empty()) throw std::runtime_error(p.error);
        co_return Repo{name, p.stars};
    };
}

std::size_t FakeFetch::requests() const {
    return state_->started.size();
}

std::size_t FakeFetch::max_in_flight() const {
    return state_->max_in_flight;
}

std::vector<std::string> FakeFetch::started() const {
    return state_->started;
}

}  // namespace chapter15

// The library's AsyncSemaphore: the design chapter 08 teaches (see
// solutions/08_bounded/exercise.cpp, where each line is explained), kept
// here, out of the public headers, so that the answer to 08.1 stays one to
// write.
#include "workbook/async_semaphore.hpp"

#include <algorithm>
#include <asio/error.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/system_error.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

namespace workbook {

asio::awaitable<AsyncSemaphore::Slot> AsyncSemaphore::acquire() {
    if (available_ > 0) {  // release() hands slots to waiters first, so nobody is queued
        --available_;
        co_return Slot(*this);
    }
    asio::steady_timer wake(co_await asio::this_coro::executor,
                            asio::steady_timer::time_point::max());
    Waiter me{&wake};
    waiters_.push_back(&me);
    try {
        // Ends "cancelled" by release() or by a cancellation of this
        // coroutine; as_tuple, because being woken is the normal way out.
        co_await wake.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
    } catch (const asio::system_error&) {
        // Cancelled before it waited: Asio throws at the co_await itself.
    }
    if (me.granted) co_return Slot(*this);
    leave_line(me);
    throw asio::system_error(asio::error::operation_aborted);
}

void AsyncSemaphore::release() {
    if (waiters_.empty()) {
        ++available_;
        return;
    }
    Waiter* next = waiters_.front();
    waiters_.pop_front();
    next->granted = true;
    next->wake->cancel();
}

void AsyncSemaphore::leave_line(Waiter& me) {
    waiters_.erase(std::find(waiters_.begin(), waiters_.end(), &me));
}

}  // namespace workbook

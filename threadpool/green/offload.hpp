// run_in_thread: gevent's threadpool.apply — runs a call that would block the hub
// (a blocking syscall, a CPU-heavy function, a library without a green form) on one
// of the hub's pool threads (0 to 8, made on demand) while the calling greenlet waits
// cooperatively (an eventfd the pool thread signals).
//
//   std::string text = mp::threadpool::green::run_in_thread(slurp, path);
//
// Returns f(args...)'s result or re-throws its exception. `f` runs on another thread:
// it must not touch the greenlets' unsynchronised state. If the waiting greenlet is
// killed or times out, the call still runs to its end; its result is dropped.
#pragma once

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <functional>
#include <future>
#include <memory>
#include <system_error>
#include <tuple>
#include <type_traits>
#include <utility>

#include "threadpool/green/hub.hpp"
#include "threadpool/thread_pool.hpp"

namespace mp::threadpool::green {

namespace internal {

// An eventfd shared by the waiting greenlet and the pool thread: closed by whichever
// lets go last.
class Doorbell {
public:
    Doorbell() : fd_(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
        if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "eventfd");
    }
    ~Doorbell() { close(fd_); }
    Doorbell(const Doorbell&) = delete;
    Doorbell& operator=(const Doorbell&) = delete;
    void ring() const {
        const std::uint64_t one = 1;
        while (::write(fd_, &one, sizeof one) < 0 && errno == EINTR) {
        }
    }
    int fd() const { return fd_; }

private:
    int fd_;
};

}  // namespace internal

template <class F, class... Args>
auto run_in_thread(F&& f, Args&&... args) {
    using R = std::invoke_result_t<std::decay_t<F>, std::decay_t<Args>...>;
    Hub& hub = Hub::current();
    auto bell = std::make_shared<internal::Doorbell>();
    std::promise<R> promise;
    std::future<R> result = promise.get_future();
    hub.thread_pool().detach([bell, promise = std::move(promise),
                              call = std::make_tuple(std::decay_t<F>(std::forward<F>(f)),
                                                     std::decay_t<Args>(std::forward<Args>(args))...)]() mutable {
        try {
            if constexpr (std::is_void_v<R>) {
                std::apply([](auto& fn, auto&... a) { std::invoke(std::move(fn), std::move(a)...); }, call);
                promise.set_value();
            } else {
                promise.set_value(
                    std::apply([](auto& fn, auto&... a) { return std::invoke(std::move(fn), std::move(a)...); }, call));
            }
        } catch (...) {
            promise.set_exception(std::current_exception());
        }
        // After the result is set: the greenlet reads it as soon as it wakes.
        bell->ring();
    });
    while (result.wait_for(std::chrono::seconds(0)) != std::future_status::ready) hub.wait_fd(bell->fd(), POLLIN);
    return result.get();
}

}  // namespace mp::threadpool::green

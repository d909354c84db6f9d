// Timer: Python's threading.Timer — a Thread that calls function(args...) once
// `interval` has passed after start(), unless cancel() came first.
//
//   using namespace mp::threadpool;
//   Timer t(std::chrono::seconds(30), warn, "still running");   // threading.Timer(30, warn, args=(...))
//   t.start();
//   /* ... */
//   t.cancel();                                                  // finished in time: warn never runs
//
// A Timer is a Thread (name, daemon, join, is_alive, ...) of the target form, so it
// may be moved while it waits. The interval is any std::chrono duration; a huge one
// waits until cancel(). Destroying a started, non-daemon Timer that has not fired
// joins it, which means waiting out the interval: cancel() first when it should not
// fire.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <utility>

#include "threadpool/thread.hpp"

namespace mp::threadpool {

namespace internal {

// What cancel() and the waiting thread share.
class TimerGate {
public:
    // Waits `interval` from now; true when it passed without cancel().
    bool wait(std::chrono::duration<double> interval);
    void cancel();

private:
    std::mutex mutex_;
    std::condition_variable cancelled_cv_;
    bool cancelled_ = false;
};

}  // namespace internal

class Timer : public Thread {
public:
    template <class Rep, class Period, class F, class... Args>
        requires std::invocable<std::decay_t<F>, std::decay_t<Args>...>
    Timer(std::chrono::duration<Rep, Period> interval, F&& function, Args&&... args)
        : Timer(ThreadOptions{}, interval, std::forward<F>(function), std::forward<Args>(args)...) {}

    template <class Rep, class Period, class F, class... Args>
        requires std::invocable<std::decay_t<F>, std::decay_t<Args>...>
    Timer(ThreadOptions options, std::chrono::duration<Rep, Period> interval, F&& function, Args&&... args)
        : Timer(std::make_shared<internal::TimerGate>(), std::move(options), interval, std::forward<F>(function),
                std::forward<Args>(args)...) {}

    // Stops the timer if it is still waiting: the function will never run, and the
    // thread ends at once (no sleeping out the interval). After the function
    // started, or before start(), it only makes a later wait end at once. Never blocks
    // on the function.
    void cancel();

private:
    template <class F>
    struct Fire {
        std::shared_ptr<internal::TimerGate> gate;
        std::chrono::duration<double> interval;
        F function;
        template <class... Args>
        void operator()(Args&&... args) {
            if (gate->wait(interval)) std::invoke(std::move(function), std::forward<Args>(args)...);
        }
    };

    template <class Rep, class Period, class F, class... Args>
    Timer(std::shared_ptr<internal::TimerGate> gate, ThreadOptions options, std::chrono::duration<Rep, Period> interval,
          F&& function, Args&&... args)
        : Thread(std::move(options), Fire<std::decay_t<F>>{gate, interval, std::forward<F>(function)},
                 std::forward<Args>(args)...),
          gate_(std::move(gate)) {}

    std::shared_ptr<internal::TimerGate> gate_;
};

}  // namespace mp::threadpool

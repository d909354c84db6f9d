// ThreadPool: a pool of worker threads running tasks — Python's hand-made pools and
// concurrent.futures.ThreadPoolExecutor in one type.
//
//   submit(f, args...)      -> std::future<R>; an exception of f reaches future.get()
//   detach(f)               fire-and-forget; an exception goes to the error handler
//   run(f, callback)        fire-and-forget; callback(Status, Result<R>) afterwards
//   map(f, range)           results in input order
//   parallel_for(b, e, f)   f(i) for i in [b, e), split into contiguous blocks
//   wait(future)            waits for a future; on a worker it runs queued tasks meanwhile
//   wait_idle / wait_for    until nothing is queued or running
//   pause / resume          hold back queued tasks (running ones go on)
//   close + join            drain, then stop; terminate: drop what is queued, then stop
//   shutdown(wait, cancel)  ThreadPoolExecutor.shutdown in terms of the above
//
// Tasks are queued at one of three priorities (FIFO within a priority); a priority
// only picks the next task to start, it never preempts a running one. Small tasks
// are stored inline (no allocation besides the future's shared state).
//
// An idle worker polls for new tasks for some 20 microseconds (one at a time; the
// others sleep at once), then sleeps on its own condition variable: a pool with
// nothing to do uses no CPU.
//
// fork(): the child's copy of a pool has no threads and is inert — submitting throws
// PoolClosed, the monitors read 0, waits return at once, and destroying it leaves its
// memory to the process's exit (a mutex in it may be held by a thread that does not
// exist in the child); the tasks queued at the time of fork never run in the child.
//
// Thread safety: every member may be called from any thread, including from the
// pool's own tasks, except the ones that would wait for themselves (wait_idle,
// wait_for, join, terminate), which throw std::logic_error from a worker of the
// pool; destroying a pool from one of its own tasks terminates the program.
#pragma once

#include <chrono>
#include <cstddef>
#include <exception>
#include <future>
#include <iterator>
#include <memory>
#include <optional>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "threadpool/errors.hpp"
#include "threadpool/idle_timeout.hpp"
#include "threadpool/internal/deadline.hpp"
#include "threadpool/internal/erased_call.hpp"
#include "threadpool/internal/task.hpp"
#include "threadpool/result.hpp"

namespace mp::threadpool {

namespace internal {
class PoolState;
}

// Priority: which queued task starts next. FIFO within a level.
enum class Priority { high, normal, low };

// Callable: f(args...) is a valid call (the pool calls tasks exactly so).
template <class F, class... A>
concept Callable = requires(F&& f, A&&... args) {
    std::forward<F>(f)(std::forward<A>(args)...);
};

// ErrorHandler: receives every exception that no caller could receive — thrown by a
// detach()ed task or by a run() callback. Called on the worker that caught it, so it
// must be thread-safe. Holds any callable taking a std::exception_ptr; empty when
// default-constructed.
using ErrorHandler = internal::ErasedCall<void(std::exception_ptr), std::shared_ptr>;

class ThreadPool {
public:
    // Options of a dynamic pool (the seed's second pool): threads start only when a
    // task arrives and no thread is idle, up to max_threads; a thread idle for
    // idle_timeout retires while more than min_threads are left (any duration;
    // seconds::max() and other huge ones mean never: see IdleTimeout).
    struct Options {
        std::size_t min_threads = 0;
        std::size_t max_threads = default_size();
        IdleTimeout idle_timeout = std::chrono::seconds(10);
    };

    // A fixed pool of `threads` workers (at least 1), all started now.
    explicit ThreadPool(std::size_t threads = default_size());
    // A dynamic pool; min_threads are started now. Throws std::invalid_argument when
    // max_threads is 0 or below min_threads.
    explicit ThreadPool(const Options& options);
    // close() then join(): every queued task runs first.
    ~ThreadPool();
    ThreadPool(const ThreadPool&) = delete;
    ThreadPool& operator=(const ThreadPool&) = delete;

    // default_size: the hardware threads, at least 1.
    static std::size_t default_size() noexcept;

    // submit: queues f(args...) (f and args decay-copied into the task, then moved
    // into the call) and returns its future.
    // The future holds f's result, f's exception, or CancelledError when terminate()
    // dropped the task. Throws PoolClosed after close()/terminate().
    template <class F, class... A>
    requires Callable<std::decay_t<F>, std::decay_t<A>...>
    [[nodiscard]] auto submit(F&& f, A&&... args) {
        return submit(Priority::normal, std::forward<F>(f), std::forward<A>(args)...);
    }
    template <class F, class... A>
    requires Callable<std::decay_t<F>, std::decay_t<A>...>
    [[nodiscard]] auto submit(Priority priority, F&& f, A&&... args) {
        auto call = bind(std::forward<F>(f), std::forward<A>(args)...);
        using R = std::invoke_result_t<decltype(call)>;
        FutureJob<R, decltype(call)> job{std::promise<R>(), std::move(call)};
        std::future<R> future = job.promise.get_future();
        enqueue(internal::Task(std::move(job)), priority);
        return future;
    }

    // detach: queues f() and returns nothing; an exception thrown by f goes to the
    // error handler (never swallowed, never kills the worker). Throws PoolClosed.
    template <class F>
    requires Callable<std::decay_t<F>>
    void detach(F&& f, Priority priority = Priority::normal) {
        enqueue(internal::Task(DetachedJob<std::decay_t<F>>{std::forward<F>(f), this}), priority);
    }

    // run: queues f() and calls callback(Status, Result<R>) on the worker once f
    // returned or threw — or on the thread calling terminate() with
    // Status::cancelled if the task was dropped. An exception thrown by the callback
    // goes to the error handler. Throws PoolClosed.
    template <class F, class Callback>
    requires Callable<std::decay_t<F>>
    void run(F&& f, Callback&& callback, Priority priority = Priority::normal) {
        using R = std::invoke_result_t<std::decay_t<F>&&>;
        enqueue(internal::Task(CallbackJob<R, std::decay_t<F>, std::decay_t<Callback>>{
                    std::forward<F>(f), std::forward<Callback>(callback), this}),
                priority);
    }

    // map: f(x) for every x of `range` on the pool; returns the results in input
    // order once all are done. The first exception (in input order) is rethrown
    // after every task has finished. f is copied into each task.
    template <class F, class Range>
    auto map(const F& f, const Range& range) {
        using R = std::invoke_result_t<const F&, decltype(*std::begin(range))>;
        std::vector<std::future<R>> futures;
        for (auto&& x : range) futures.push_back(submit(Priority::normal, f, x));
        return collect(futures);
    }

    // parallel_for_blocks: f(lo, hi) over contiguous blocks that cover [begin, end),
    // about four per thread; returns when all blocks are done (rethrowing the first
    // exception). f is shared by reference by the blocks.
    template <class Index, class F>
    void parallel_for_blocks(Index begin, Index end, const F& f) {
        if (!(begin < end)) return;
        const auto count = static_cast<std::size_t>(end - begin);
        const std::size_t blocks = count < 4 * max_threads() ? count : 4 * max_threads();
        std::vector<std::future<void>> futures;
        futures.reserve(blocks);
        for (std::size_t b = 0; b < blocks; ++b) {
            const Index lo = begin + static_cast<Index>(count * b / blocks);
            const Index hi = begin + static_cast<Index>(count * (b + 1) / blocks);
            futures.push_back(submit([&f, lo, hi] { f(lo, hi); }));
        }
        collect(futures);
    }

    // parallel_for: f(i) for every i in [begin, end), in blocks as above.
    template <class Index, class F>
    void parallel_for(Index begin, Index end, const F& f) {
        parallel_for_blocks(begin, end, [&f](Index lo, Index hi) {
            for (Index i = lo; i < hi; ++i) f(i);
        });
    }

    // wait: waits for `future` and returns future.get(). Called from a worker of this
    // pool, it runs queued tasks (the newest first) while the future is not ready, so
    // a task waiting for tasks it submitted cannot starve the pool; a plain
    // future.get() inside a task blocks its worker and can deadlock a small pool.
    // Its own subtasks it always may run; tasks of others only a few levels deep,
    // which keeps the worker's stack bounded.
    template <class R>
    decltype(auto) wait(std::future<R>& future) {
        if (on_worker_thread()) {
            int fruitless = 0;
            while (future.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
                if (help_once())
                    fruitless = 0;
                else if (++fruitless < 64)
                    std::this_thread::yield();
                else
                    future.wait_for(std::chrono::microseconds(200));
            }
        }
        return future.get();
    }
    template <class R>
    decltype(auto) wait(std::future<R>&& future) {
        return wait(future);
    }

    // wait_idle: blocks until no task is queued or running. While paused with tasks
    // queued it blocks until resume(). Throws std::logic_error from a worker.
    void wait_idle();
    // wait_for: wait_idle for at most `timeout`; true if the pool went idle in time.
    // Any std::chrono duration: zero or less polls once, one too long for the clock
    // (seconds::max()) waits as long as it takes.
    template <class Rep, class Period>
    [[nodiscard]] bool wait_for(const std::chrono::duration<Rep, Period>& timeout) {
        return wait_until(internal::deadline_after(timeout));
    }

    // pause: queued tasks stay queued (and new ones queue up) until resume();
    // running tasks go on.
    void pause();
    void resume();
    bool paused() const;

    // close: no new tasks (submit throws PoolClosed); queued tasks still run, and
    // workers stop once the queue is empty. Also resumes a paused pool.
    void close();
    // join: close(), then wait until every worker has stopped. Throws
    // std::logic_error from a worker.
    void join();
    // terminate: close(), drop every queued task (their futures get CancelledError, run()
    // callbacks get Status::cancelled), let running tasks finish, then join.
    void terminate();
    // shutdown: ThreadPoolExecutor.shutdown — close(); with cancel_futures, drop the
    // queued tasks as terminate() does; with wait, join() (else return at once and
    // leave the draining to the workers and the final join to the destructor).
    void shutdown(bool wait = true, bool cancel_futures = false);

    // Monitoring (values of a moment, for humans and tests):
    // size: live worker threads; idle: those not running a task; queued: tasks
    // waiting to start.
    std::size_t size() const;
    std::size_t idle() const;
    std::size_t queued() const;
    std::size_t max_threads() const;

    // set_error_handler: replaces the handler of exceptions no caller can receive
    // (see ErrorHandler); an empty function restores the default, which prints
    // "threadpool: ..." on stderr. error_count counts every such exception either way.
    void set_error_handler(ErrorHandler handler);
    std::size_t error_count() const;

    // on_worker_thread: whether the calling thread is one of this pool's workers.
    bool on_worker_thread() const noexcept;

private:
    bool wait_until(internal::SteadyTime deadline);
    template <class R, class Call>
    struct FutureJob {
        std::promise<R> promise;
        Call call;
        void operator()() {
            try {
                if constexpr (std::is_void_v<R>) {
                    std::move(call)();
                    promise.set_value();
                } else {
                    promise.set_value(std::move(call)());
                }
            } catch (...) {
                promise.set_exception(std::current_exception());
            }
        }
        void cancel() noexcept { promise.set_exception(std::make_exception_ptr(CancelledError())); }
    };

    template <class F>
    struct DetachedJob {
        F f;
        ThreadPool* pool;
        void operator()() {
            try {
                std::move(f)();
            } catch (...) {
                pool->report_error(std::current_exception());
            }
        }
        void cancel() noexcept {}
    };

    template <class R, class F, class Callback>
    struct CallbackJob {
        F f;
        Callback callback;
        ThreadPool* pool;
        void operator()() {
            std::optional<Result<R>> result;
            try {
                if constexpr (std::is_void_v<R>) {
                    std::move(f)();
                    result.emplace(std::in_place);
                } else {
                    result.emplace(std::in_place, std::move(f)());
                }
            } catch (...) {
                result.emplace(std::current_exception());
            }
            deliver(result->ok() ? Status::ok : Status::failed, std::move(*result));
        }
        void cancel() noexcept {
            deliver(Status::cancelled, Result<R>(std::make_exception_ptr(CancelledError())));
        }
        void deliver(Status status, Result<R>&& result) noexcept {
            try {
                callback(status, std::move(result));
            } catch (...) {
                pool->report_error(std::current_exception());
            }
        }
    };

    template <class F, class... A>
    static auto bind(F&& f, A&&... args) {
        if constexpr (sizeof...(A) == 0)
            return std::decay_t<F>(std::forward<F>(f));
        else
            return [f = std::forward<F>(f), ... args = std::forward<A>(args)]() mutable {
                return std::move(f)(std::move(args)...);
            };
    }

    // Waits for every future (helping on a worker), then returns their values or
    // rethrows the first exception.
    // (The return type is spelled out: clang 14 refuses a deduced one used by the
    // member templates above, before this definition.)
    template <class R>
    std::conditional_t<std::is_void_v<R>, void, std::vector<R>> collect(std::vector<std::future<R>>& futures) {
        std::exception_ptr first_error;
        auto take = [&](std::future<R>& future) -> decltype(auto) {
            try {
                return wait(future);
            } catch (...) {
                if (!first_error) first_error = std::current_exception();
                throw;
            }
        };
        if constexpr (std::is_void_v<R>) {
            for (auto& future : futures) {
                try {
                    take(future);
                } catch (...) {
                }
            }
            if (first_error) std::rethrow_exception(first_error);
        } else {
            std::vector<R> results;
            results.reserve(futures.size());
            for (auto& future : futures) {
                try {
                    results.push_back(take(future));
                } catch (...) {
                }
            }
            if (first_error) std::rethrow_exception(first_error);
            return results;
        }
    }

    void enqueue(internal::Task&& task, Priority priority);
    bool help_once();
    void report_error(std::exception_ptr error) noexcept;

    std::unique_ptr<internal::PoolState> state_;
};

}  // namespace mp::threadpool

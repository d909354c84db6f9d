// ThreadPoolExecutor: Python's concurrent.futures.ThreadPoolExecutor.
//
//   mp::threadpool::ThreadPoolExecutor executor(4);           // max_workers
//   mp::threadpool::Future<int> f = executor.submit(square, 7);
//   for (int r : executor.map(square, numbers)) use(r);       // in input order, as they come
//   executor.shutdown();                                      // waits; the destructor does too
//
//   mp::threadpool::ThreadPoolExecutor named({.max_workers = 2, .thread_name_prefix = "db"}, open_db, "db.sqlite");
//
// submit returns a Future (future.hpp; as_completed and wait in futures.hpp). Workers
// start as tasks arrive, up to max_workers (0: Python's default, min(32, cores + 4)),
// and are named "<prefix>_<N>" in current_thread() and in the OS ("ThreadPoolExecutor-K_N"
// without a prefix). The initializer runs once on each worker before its first task;
// if it throws, the exception is printed ("Exception in initializer:") and the executor
// is broken: every task not yet started fails with BrokenThreadPool, and submit
// throws it.
//
// map(f, ranges...) submits f(x, y, ...) for the elements of the ranges taken in step
// (up to the shortest) at once, and returns a one-pass range of the results in input
// order, each waited for as the iteration reaches it; it rethrows a task's exception
// at its place. map(timeout, f, ranges...) bounds the whole iteration, counted from
// the call: reaching a result that is not done by then throws TimeoutError (the
// timeout goes first because the ranges are variadic). Destroying the results
// before the end cancels the tasks not yet started, as Python's generator does.
// A function returning void gives std::monostate per element.
//
// shutdown(wait, cancel_futures): no more submissions (submit throws PoolClosed);
// with cancel_futures, tasks not yet started are cancelled; with wait, returns once
// every running task finished.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "threadpool/errors.hpp"
#include "threadpool/future.hpp"
#include "threadpool/internal/executor_shared.hpp"
#include "threadpool/thread_pool.hpp"

namespace mp::threadpool {

template <class R>
class MapResults;

class ThreadPoolExecutor {
public:
    struct Options {
        std::size_t max_workers = 0;     // 0: min(32, hardware threads + 4)
        std::string thread_name_prefix;  // empty: "ThreadPoolExecutor-K"
    };

    explicit ThreadPoolExecutor(std::size_t max_workers = 0) : ThreadPoolExecutor(Options{.max_workers = max_workers, .thread_name_prefix = {}}) {}
    explicit ThreadPoolExecutor(Options options) : ThreadPoolExecutor(std::move(options), internal::Initializer()) {}
    // initializer(initargs...) on each worker before its first task (decayed copies).
    template <class F, class... A>
    ThreadPoolExecutor(Options options, F initializer, A... initargs)
        : ThreadPoolExecutor(std::move(options),
                             internal::Initializer([f = std::move(initializer), ... args = std::move(initargs)] { f(args...); })) {}
    // shutdown(wait = true), as leaving Python's `with` block.
    ~ThreadPoolExecutor() { shutdown(true); }
    ThreadPoolExecutor(const ThreadPoolExecutor&) = delete;
    ThreadPoolExecutor& operator=(const ThreadPoolExecutor&) = delete;

    template <class F, class... A>
    requires Callable<std::decay_t<F>, std::decay_t<A>...>
    [[nodiscard]] auto submit(F&& f, A&&... args) {
        using R = std::invoke_result_t<std::decay_t<F>, std::decay_t<A>...>;
        shared_->throw_if_broken();
        Promise<R> promise;
        Future<R> future = promise.get_future();
        pool_.detach(Job<R, std::decay_t<F>, std::decay_t<A>...>{std::move(promise), shared_, std::forward<F>(f),
                                                                 {std::forward<A>(args)...}});
        return future;
    }

    template <class F, class... Ranges>
    requires(sizeof...(Ranges) > 0 && !internal::is_duration<std::decay_t<F>>)
    auto map(const F& f, const Ranges&... ranges) {
        return map_until(internal::kNoDeadline, f, ranges...);
    }
    template <class Rep, class Period, class F, class... Ranges>
    requires(sizeof...(Ranges) > 0)
    auto map(const std::chrono::duration<Rep, Period>& timeout, const F& f, const Ranges&... ranges) {
        return map_until(internal::deadline_after(timeout), f, ranges...);
    }

    void shutdown(bool wait = true, bool cancel_futures = false) { pool_.shutdown(wait, cancel_futures); }

    std::size_t max_workers() const { return pool_.max_threads(); }

private:
    ThreadPoolExecutor(Options options, internal::Initializer initializer);

    template <class R, class F, class... A>
    struct Job {
        Promise<R> promise;
        std::shared_ptr<internal::ExecutorShared> shared;
        F f;
        std::tuple<A...> args;
        void operator()() {
            if (!shared->prepare_this_thread()) return promise.set_exception(shared->broken_error());
            if (!promise.set_running_or_notify_cancel()) return;
            try {
                if constexpr (std::is_void_v<R>) {
                    std::apply(std::move(f), std::move(args));
                    promise.set_result();
                } else {
                    promise.set_result(std::apply(std::move(f), std::move(args)));
                }
            } catch (...) {
                promise.set_exception(std::current_exception());
            }
        }
    };

    template <class F, class... Ranges>
    auto map_until(internal::SteadyTime deadline, const F& f, const Ranges&... ranges) {
        using R = std::invoke_result_t<const F&, decltype(*std::begin(ranges))...>;
        std::vector<Future<R>> futures;
        auto its = std::make_tuple(std::begin(ranges)...);
        const auto ends = std::make_tuple(std::end(ranges)...);
        const auto any_at_end = [&]<std::size_t... I>(std::index_sequence<I...>) {
            return ((std::get<I>(its) == std::get<I>(ends)) || ...);
        };
        const auto submit_next = [&]<std::size_t... I>(std::index_sequence<I...>) {
            futures.push_back(submit(f, *std::get<I>(its)...));
            (++std::get<I>(its), ...);
        };
        constexpr auto indices = std::index_sequence_for<Ranges...>();
        while (!any_at_end(indices)) submit_next(indices);
        return MapResults<R>(std::move(futures), deadline);
    }

    std::shared_ptr<internal::ExecutorShared> shared_;
    ThreadPool pool_;
};

// The results of ThreadPoolExecutor::map: a one-pass range (see above).
template <class R>
class MapResults {
public:
    using value_type = std::conditional_t<std::is_void_v<R>, std::monostate, R>;
    struct Sentinel {};
    class Iterator {
    public:
        using value_type = MapResults::value_type;
        using difference_type = std::ptrdiff_t;
        value_type operator*() const { return owner_->take(); }
        Iterator& operator++() {
            ++owner_->next_;
            return *this;
        }
        void operator++(int) { ++owner_->next_; }
        friend bool operator==(const Iterator& it, Sentinel) { return it.at_end(); }

    private:
        friend class MapResults;
        explicit Iterator(MapResults* owner) : owner_(owner) {}
        bool at_end() const { return owner_->next_ == owner_->futures_.size(); }
        MapResults* owner_;
    };

    MapResults(std::vector<Future<R>> futures, internal::SteadyTime deadline)
        : futures_(std::move(futures)), deadline_(deadline) {}
    MapResults(MapResults&&) noexcept = default;
    MapResults& operator=(MapResults&&) = delete;
    ~MapResults() {
        for (std::size_t i = next_; i < futures_.size(); ++i) futures_[i].cancel();
    }

    Iterator begin() { return Iterator(this); }
    Sentinel end() const { return {}; }

private:
    value_type take() {
        Future<R>& future = futures_[next_];
        if (!core_of(future).wait_until(deadline_))
            throw TimeoutError("threadpool: ThreadPoolExecutor::map: the result of item " + std::to_string(next_) +
                               " is not done");
        if constexpr (std::is_void_v<R>) {
            take_result(future);
            return {};
        } else {
            return take_result(future);
        }
    }

    std::vector<Future<R>> futures_;
    internal::SteadyTime deadline_;
    std::size_t next_ = 0;
};

}  // namespace mp::threadpool

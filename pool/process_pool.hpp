// Pool: Python's multiprocessing.Pool. A fixed set of worker processes reused for
// every task, that never hangs when a worker dies.
//
//   mp::pool::Pool pool(4);
//   int nine = pool.apply(square, 3);                        // blocks
//   auto r = pool.apply_async(square, 4);                    // r.get() == 16
//   std::vector<int> squares = pool.map(square, numbers);    // in input order
//   for (int s : pool.imap_unordered(square, numbers)) { /* ... */ }  // as they finish
//   pool.close();
//   pool.join();
//
// What travels to a worker: the callable, which must be stateless — a function, a
// captureless lambda or an empty function object. Any capture (by reference or by
// value) is a compile-time error: workers are copies of this process made when the
// Pool was constructed, so a captured reference would read memory as it was then,
// and C++ cannot tell a captured reference from a captured value. Values go as
// arguments, through the ipc codec (numbers, strings, vectors, maps, tuples,
// optionals, ... and user types with the codec hook); a string literal argument
// arrives as std::string. Pointers cannot be arguments (the codec refuses them).
// An ipc::Fd argument of apply/apply_async (and Executor::submit) arrives in the
// worker as a descriptor of the same file or socket, owned by the callable's
// parameter; the task keeps a copy until it is sent (see pool/internal/wire.hpp).
// map items cannot carry one (std::invalid_argument).
//
// Workers: the constructor forks the first workers, then a single-threaded fork
// server that forks every replacement, all before the pool starts its own thread;
// so workers are copies of this process as it was when the Pool was constructed (not
// as it is when a replacement worker starts). Threads the process runs at that
// moment do not exist in the workers; a lock one of them held then stays held in the
// workers (glibc resets its own malloc and stdio locks). Workers inherit stdin,
// stdout, stderr and PoolOptions::pass_fds only.
//
// Never hangs: a worker that dies mid-task (SIGKILL, abort, segfault, exit) fails
// exactly that task with WorkerDied and is replaced; terminate() is bounded (TERM,
// grace, KILL); tasks that never ran fail with CancelledError; results are read
// while waiting for workers to exit, so large results never block a join.
//
// Threads: any thread may submit. Results, callbacks and error callbacks are
// delivered on the pool's single result thread, in completion order; a callback
// must not wait for another result of the same pool (that throws std::logic_error).
#pragma once

#include <sys/types.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <ranges>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "ipc/codec.hpp"
#include "pool/async_result.hpp"
#include "pool/errors.hpp"
#include "pool/imap_iterator.hpp"
#include "pool/internal/core.hpp"
#include "pool/internal/imap_feed.hpp"
#include "pool/internal/task.hpp"
#include "pool/internal/typed_calls.hpp"
#include "pool/internal/unique_function.hpp"
#include "sync/internal/deadline.hpp"

namespace mp::pool {

// The number of processors online (Python's os.cpu_count()), at least 1.
int cpu_count();

struct PoolOptions {
    int processes = 0;                  // 0: cpu_count()
    internal::UniqueFunction<void> initializer{};  // runs once in each worker before its first task (may hold move-only objects)
    int maxtasksperchild = 0;             // a worker is replaced after this many tasks; 0: never
    std::vector<int> pass_fds{};          // fds workers inherit besides 0, 1, 2 (e.g. a listening socket)
};

// What a completed task calls on the result thread (both optional). A callback that
// throws is reported on stderr ("pool: callback threw ..."), never lost silently.
// `callback` takes the result (const R&), or nothing when R is void.
template <class R>
struct Callbacks {
    typename internal::CallbackType<R>::type callback{};
    std::function<void(const std::exception&)> error_callback{};
};

class Pool {
public:
    // Starts cpu_count() workers.
    Pool();
    // Starts `processes` workers (>= 1, else std::invalid_argument). Throws
    // std::system_error naming the call when a worker or the fork server cannot be
    // started (fork: EAGAIN, pipe2: EMFILE, ...); nothing is left behind then.
    explicit Pool(int processes);
    // With an initializer, waits until every first worker ran it; when one fails,
    // throws BrokenPool carrying the worker's error text. A worker replaced later
    // whose initializer fails breaks the pool (BrokenPool for queued and later
    // tasks) instead of respawning forever.
    explicit Pool(PoolOptions options);
    // Python's initializer=f, initargs=(...): the initializer is called with copies
    // of `initargs` (any types: it runs in forked copies, nothing is encoded).
    template <class F, class... InitArgs>
    Pool(PoolOptions options, F initializer, InitArgs... initargs)
        : Pool(with_initializer(std::move(options), std::move(initializer), std::move(initargs)...)) {}
    // terminate(), as Python's `with Pool() as p:` block does on exit.
    ~Pool() = default;
    Pool(const Pool&) = delete;
    Pool& operator=(const Pool&) = delete;

    // apply: f(args...) in a worker; blocks for the result. Throws what get() throws.
    template <class F, class... Args>
        requires(!internal::kIsCallbacks<F>)
    internal::CallResult<F, Args...> apply(F f, Args&&... args) {
        using R = internal::CallResult<F, Args...>;
        auto state = std::make_shared<internal::ResultState<R>>(core_.get());
        submit_call<true>(f, internal::decode_then<R>([state](auto* value, std::exception_ptr error) {
                              if (value == nullptr) {
                                  state->set_error(error);
                              } else {
                                  state->set_value(std::move(*value));
                              }
                          }),
                          {}, std::forward<Args>(args)...);
        return AsyncResult<R>(std::move(state)).finish_blocking();
    }

    // apply_async: queues f(args...) and returns at once.
    template <class F, class... Args>
        requires(!internal::kIsCallbacks<F>)
    AsyncResult<internal::CallResult<F, Args...>> apply_async(F f, Args&&... args) {
        return apply_async(Callbacks<internal::CallResult<F, Args...>>{}, f, std::forward<Args>(args)...);
    }
    // apply_async with a callback and/or error_callback, called on the result thread
    // before the result becomes ready: pool.apply_async({.callback = ...}, f, 3).
    template <class F, class... Args>
    AsyncResult<internal::CallResult<F, Args...>> apply_async(Callbacks<internal::CallResult<F, Args...>> callbacks,
                                                              F f, Args&&... args) {
        using R = internal::CallResult<F, Args...>;
        auto state = std::make_shared<internal::ResultState<R>>(core_.get());
        submit_call(f, internal::decode_then<R>([state, callbacks = std::move(callbacks)](auto* value, std::exception_ptr error) {
                        if (value == nullptr) {
                            internal::run_error_callback(callbacks, error);
                            state->set_error(error);
                            return;
                        }
                        if (callbacks.callback) {
                            if constexpr (std::is_void_v<R>) {
                                internal::run_callback([&] { callbacks.callback(); });
                            } else {
                                internal::run_callback([&] { callbacks.callback(*value); });
                            }
                        }
                        state->set_value(std::move(*value));
                    }),
                    {}, std::forward<Args>(args)...);
        return AsyncResult<R>(std::move(state));
    }

    // map: f(item) for every item, in chunks of `chunksize` items per task (0:
    // CPython's default, about four chunks per worker, but at most 16,384 items);
    // blocks; results in input order. The first chunk to fail gives the
    // error thrown. Chunks are encoded as workers need them (two per worker out at
    // once), so the input is not copied whole; map_async encodes them all at once
    // (its input need not outlive the call). With nothing queued, the calling thread
    // deals the chunks to the idle workers itself (README: Latency).
    template <class F, std::ranges::input_range Items>
    auto map(F f, const Items& items, std::size_t chunksize = 0) {
        return map_lazily<false>(f, items, chunksize);
    }
    template <class F, std::ranges::input_range Items>
    auto map_async(F f, const Items& items, std::size_t chunksize = 0,
                   Callbacks<std::vector<internal::ItemResult<F, Items, false>>> callbacks = {}) {
        return map_chunks<false>(f, items, chunksize, std::move(callbacks));
    }
    // starmap: std::apply(f, item) for items that are tuples or pairs.
    template <class F, std::ranges::input_range Items>
    auto starmap(F f, const Items& items, std::size_t chunksize = 0) {
        return map_lazily<true>(f, items, chunksize);
    }
    template <class F, std::ranges::input_range Items>
    auto starmap_async(F f, const Items& items, std::size_t chunksize = 0,
                       Callbacks<std::vector<internal::ItemResult<F, Items, true>>> callbacks = {}) {
        return map_chunks<true>(f, items, chunksize, std::move(callbacks));
    }

    // imap / imap_unordered: results one at a time as chunks finish, in input order
    // or in completion order, in constant memory. The items are read lazily,
    // `chunksize` at a time (1 by default), by imap and then by the thread calling
    // next(): at most `window` chunks (0: four per worker) are out at once, sent or
    // finished and not yet taken, so an imap over any number of items (a view such
    // as std::views::iota(0, 100'000'000), an input stream) holds at most `window`
    // chunks of items and of results. Workers wait when the reader does not keep up.
    // Lifetime: an lvalue range is read in place and must outlive the iteration,
    // unchanged; an rvalue (a view, std::move(items)) is owned by the iterator.
    // Errors: an error reading the input, or sending a chunk after close() or
    // terminate() (PoolClosed), after the pool broke (BrokenPool) or was destroyed
    // (CancelledError), ends the input. It comes out of imap when no chunk could be
    // sent (PoolClosed on a closed pool, as before), else out of next() once the
    // chunks sent before it are taken; the next call then ends the iteration.
    template <class F, std::ranges::input_range Items>
        requires std::ranges::viewable_range<Items>
    IMapIterator<internal::ItemResult<F, Items, false>> imap(F f, Items&& items, std::size_t chunksize = 1,
                                                             std::size_t window = 0) {
        return imap_chunks(f, std::forward<Items>(items), chunksize, window, true);
    }
    template <class F, std::ranges::input_range Items>
        requires std::ranges::viewable_range<Items>
    IMapIterator<internal::ItemResult<F, Items, false>> imap_unordered(F f, Items&& items, std::size_t chunksize = 1,
                                                                       std::size_t window = 0) {
        return imap_chunks(f, std::forward<Items>(items), chunksize, window, false);
    }

    // close: no more tasks (submitting throws PoolClosed);
    // workers finish the queued ones, then exit.
    void close() { core_->close(); }
    // terminate: stops now. Queued tasks and the ones running fail with
    // CancelledError; workers get SIGTERM, then SIGKILL after a grace period; all
    // are reaped before it returns. Never hangs on a worker.
    void terminate() { core_->terminate(); }
    // join: waits until every worker exited; requires close() or terminate() first
    // (std::logic_error otherwise). join_for(timeout) returns false if they had not
    // after `timeout` (never throws on expiry).
    void join() { core_->join(); }
    template <class Rep, class Period>
    [[nodiscard]] bool join_for(const std::chrono::duration<Rep, Period>& timeout) {
        return core_->join_until(sync::internal::deadline_after(timeout));
    }

    // The pids of the live workers (Python's pool._pool).
    std::vector<pid_t> worker_pids() const { return core_->worker_pids(); }
    int processes() const { return core_->processes(); }

private:
    friend class Executor;

    template <class F, class... InitArgs>
    static PoolOptions with_initializer(PoolOptions options, F initializer, InitArgs... initargs) {
        options.initializer = [initializer = std::move(initializer), ... initargs = std::move(initargs)]() mutable {
            initializer(initargs...);
        };
        return options;
    }

    // Queues one call of f with `args`, finishing through `done`; kBlocking: for a
    // caller that waits for it at once (see Core::call).
    // `starting`: see TaskSpec (empty: always start).
    template <bool kBlocking = false, class F, class... Args>
    void submit_call(F f, internal::Completion done, std::function<bool()> starting, Args&&... args) {
        internal::require_travelling_callable<F>();
        using R = internal::CallResult<F, Args...>;
        internal::Bytes message = internal::start_message(f);
        std::vector<int> fds;  // of the ipc::Fd arguments, as the encoder finds them
        ipc::Encoder encoder(message, &fds);
        // One expression: the task's copies of the descriptors are made before the
        // temporaries holding the arguments (moved-in Fds among them) close theirs.
        std::vector<ipc::Fd> copies =
            ((encoder.write(static_cast<const internal::Travelling<Args>&>(internal::Travelling<Args>(std::forward<Args>(args)))),
              ...),
             internal::copy_fds(fds));
        internal::TaskSpec task{&internal::run_call<F, R, internal::Travelling<Args>...>, std::move(message), std::move(done),
                                std::move(starting), std::move(copies)};
        if constexpr (kBlocking) {
            core_->call(std::move(task));
        } else {
            std::vector<internal::TaskSpec> tasks;
            tasks.push_back(std::move(task));
            core_->submit(std::move(tasks));
        }
    }

    // Splits `items` into tasks of `chunksize` items; `completion(chunk index, first
    // item index, item count)` makes the completion of each (it receives the
    // encoding of the chunk's std::vector of results).
    template <bool kStar, class F, class Items, class MakeCompletion>
    void submit_chunks(F f, const Items& items, internal::ChunkPlan plan, MakeCompletion completion) {
        internal::require_travelling_callable<F>();
        using T = std::ranges::range_value_t<Items>;
        using R = internal::ItemResult<F, Items, kStar>;
        std::vector<internal::TaskSpec> tasks;
        auto next = std::ranges::begin(items);
        for (std::size_t first = 0, chunk = 0; chunk < plan.chunks; first += plan.chunksize, ++chunk) {
            const std::size_t size = std::min(plan.chunksize, plan.count - first);
            internal::Bytes message = internal::start_message(f);
            internal::encode_items<T>(message, next, size);
            std::ranges::advance(next, static_cast<std::ranges::range_difference_t<Items>>(size));
            tasks.push_back({&internal::run_chunk<F, R, T, kStar>, std::move(message), completion(chunk, first, size)});
        }
        core_->submit(std::move(tasks));
    }

    template <bool kStar, class F, class Items>
    AsyncResult<std::vector<internal::ItemResult<F, Items, kStar>>> map_chunks(
        F f, const Items& items, std::size_t chunksize, Callbacks<std::vector<internal::ItemResult<F, Items, kStar>>> callbacks) {
        using R = internal::ItemResult<F, Items, kStar>;
        auto state = std::make_shared<internal::ResultState<std::vector<R>>>(core_.get());
        const internal::ChunkPlan plan = internal::plan_chunks(items, chunksize, static_cast<std::size_t>(processes()));
        if (plan.chunks == 0) {
            state->set_value({});
        } else {
            submit_chunks<kStar>(f, items, plan, internal::gather_chunks<R>(state, plan, std::move(callbacks)));
        }
        return AsyncResult<std::vector<R>>(std::move(state));
    }

    // Blocking map: the chunks go to the idle workers this thread borrows (see
    // Core::map_on_lent_workers); the rest, if any (no worker was idle, or the lent
    // ones ended), is fed as an unordered imap with a window of two per worker. Each
    // chunk lands at its place in the results as it arrives.
    template <bool kStar, class F, class Items>
    std::vector<internal::ItemResult<F, Items, kStar>> map_lazily(F f, const Items& items, std::size_t chunksize) {
        internal::require_travelling_callable<F>();
        using R = internal::ItemResult<F, Items, kStar>;
        if (core_->on_result_thread())
            throw std::logic_error("pool: map: waiting for results on the pool's own result thread (in a callback) would deadlock");
        const internal::ChunkPlan plan = internal::plan_chunks(items, chunksize, static_cast<std::size_t>(processes()));
        std::vector<R> results(plan.count);
        if (plan.chunks == 0) return results;
        core_->begin_feeding();
        struct EndFeeding {
            internal::Core& core;
            ~EndFeeding() { core.end_feeding(); }
        } feeding{*core_};
        auto chunks = internal::chunk_maker<kStar, R>(f, std::views::all(items), plan.chunksize);
        std::size_t dealt = 0;  // chunks made so far
        const auto place_of = [&](std::size_t chunk) {  // its first item and its size
            return std::pair(chunk * plan.chunksize, std::min(plan.chunksize, plan.count - chunk * plan.chunksize));
        };

        // The completions may run on the result thread: the first error is kept under
        // a lock, and map_on_lent_workers returns only after all ran.
        std::mutex mutex;
        std::exception_ptr error;
        const auto first_error = [&] {
            std::lock_guard lock(mutex);
            return error;
        };
        try {
            core_->map_on_lent_workers([&]() -> std::optional<internal::TaskSpec> {
                if (first_error() || chunks.exhausted()) return std::nullopt;
                const auto [first, size] = place_of(dealt++);
                return chunks.make([&, first, size](internal::Outcome&& outcome) {
                    std::exception_ptr failed = outcome.error;
                    if (!failed) {
                        try {
                            internal::decode_chunk_into<R>(
                                outcome.result(), results.begin() + static_cast<std::ptrdiff_t>(first), size);
                        } catch (...) {
                            failed = std::current_exception();
                        }
                    }
                    std::lock_guard lock(mutex);
                    if (failed && !error) error = failed;
                });
            });
        } catch (...) {
            // A chunk's error came before this one (the input's, PoolClosed...).
            if (const std::exception_ptr chunk_error = first_error()) std::rethrow_exception(chunk_error);
            throw;
        }
        if (const std::exception_ptr chunk_error = first_error()) std::rethrow_exception(chunk_error);
        if (chunks.exhausted()) return results;

        const std::size_t lent = dealt;
        auto state = std::make_shared<internal::IMapState<R>>(
            core_.get(), internal::chunk_feeder(std::move(chunks), std::weak_ptr<internal::Core>(core_), true),
            2 * static_cast<std::size_t>(processes()), false);
        state->start();
        while (auto chunk = state->next_chunk(sync::internal::kNoDeadline)) {
            const auto [first, size] = place_of(lent + chunk->index);
            if (chunk->values.size() != size)
                throw std::logic_error("pool: map: a chunk came back with another number of results than items");
            std::move(chunk->values.begin(), chunk->values.end(), results.begin() + static_cast<std::ptrdiff_t>(first));
        }
        return results;
    }

    template <class F, class Items>
    IMapIterator<internal::ItemResult<F, Items, false>> imap_chunks(F f, Items&& items, std::size_t chunksize,
                                                                    std::size_t window, bool ordered) {
        internal::require_travelling_callable<F>();
        using R = internal::ItemResult<F, Items, false>;
        if (window == 0) window = 4 * static_cast<std::size_t>(processes());
        auto state = std::make_shared<internal::IMapState<R>>(
            core_.get(),
            internal::chunk_feeder(
                internal::chunk_maker<false, R>(f, std::views::all(std::forward<Items>(items)),
                                                std::max<std::size_t>(chunksize, 1)),
                std::weak_ptr<internal::Core>(core_)),
            window, ordered);
        state->start();
        return IMapIterator<R>(std::move(state));
    }

    // Shared so that an IMapIterator can tell when the pool is gone (imap_feed.hpp).
    std::shared_ptr<internal::Core> core_;
};

}  // namespace mp::pool

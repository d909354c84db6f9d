// Executor: concurrent.futures.ProcessPoolExecutor on top of Pool.
//
//   mp::pool::Executor executor(4);
//   mp::threadpool::Future<int> f = executor.submit(square, 7);
//   std::vector<int> all = executor.map(square, numbers);
//   executor.shutdown();     // waits; the destructor does too
//
// submit gives threadpool's Future, the one concurrent.futures.Future of mp:
// result(timeout), cancel(), add_done_callback, and as_completed / wait
// (threadpool/futures.hpp) over futures of this and of the thread executor alike.
// A future fails with what AsyncResult::get throws (the task's own exception type,
// WorkerDied, ...). A dead worker fails only its own future; the executor does not
// break. cancel() succeeds while the call waits for a worker, and the call then never
// runs; once a worker took it, cancel() is false. shutdown(cancel_futures) cancels
// the futures of every call still waiting.
#pragma once

#include <memory>
#include <stdexcept>
#include <utility>
#include <vector>

#include "pool/process_pool.hpp"
#include "threadpool/future.hpp"

namespace mp::pool {

class Executor {
public:
    // max_workers 0: cpu_count().
    explicit Executor(int max_workers = 0) : pool_(PoolOptions{.processes = max_workers}) {}
    explicit Executor(PoolOptions options) : pool_(std::move(options)) {}
    // shutdown(wait = true), as leaving Python's `with` block.
    ~Executor() { shutdown(true); }
    Executor(const Executor&) = delete;
    Executor& operator=(const Executor&) = delete;

    // submit: queues f(args...) and returns its future. Throws PoolClosed after
    // shutdown().
    template <class F, class... Args>
    [[nodiscard]] threadpool::Future<internal::CallResult<F, Args...>> submit(F f, Args&&... args) {
        using R = internal::CallResult<F, Args...>;
        auto promise = std::make_shared<threadpool::Promise<R>>();
        threadpool::Future<R> future = promise->get_future();
        pool_.submit_call(f,
                          internal::decode_then<R>([promise](auto* value, std::exception_ptr error) {
                              if (value == nullptr) {
                                  // cancel_queued's CancelledError: the call never ran, so its future is cancelled.
                                  if (internal::is_cancellation(error) && promise->get_future().cancel()) return;
                                  promise->set_exception(error);
                              } else if constexpr (std::is_void_v<R>) {
                                  promise->set_result();
                              } else {
                                  promise->set_result(std::move(*value));
                              }
                          }),
                          [promise] { return promise->set_running_or_notify_cancel(); }, std::forward<Args>(args)...);
        return future;
    }

    // map: f(item) for every item, `chunksize` items per task; blocks; results in
    // input order; throws the first failure. A chunksize of 0 is
    // std::invalid_argument, as ProcessPoolExecutor.map's ValueError (Pool::map reads
    // 0 as "choose one": not here).
    template <class F, std::ranges::input_range Items>
    auto map(F f, const Items& items, std::size_t chunksize = 1) {
        if (chunksize == 0) throw std::invalid_argument("pool: Executor::map: chunksize must be 1 or more");
        return pool_.map(f, items, chunksize);
    }

    // shutdown: no more submissions. With cancel_futures, queued calls that have
    // not started fail with CancelledError; running ones finish. With wait, blocks
    // until every worker exited. Idempotent.
    void shutdown(bool wait = true, bool cancel_futures = false) {
        if (cancel_futures) pool_.core_->cancel_queued();
        pool_.close();
        if (wait) pool_.join();
    }

    const Pool& pool() const { return pool_; }

private:
    Pool pool_;
};

}  // namespace mp::pool

// as_completed and wait: concurrent.futures' module functions, over Futures of any
// executor (this library's ThreadPoolExecutor and mp::pool::Executor).
//
//   for (const auto& f : mp::threadpool::as_completed(futures)) use(f.result());   // as they finish
//   for (const auto& f : mp::threadpool::as_completed(futures, std::chrono::seconds(5))) use(f.result());
//   auto [done, not_done] = mp::threadpool::wait(futures, mp::threadpool::ReturnWhen::first_completed);
//
// as_completed yields each distinct future once, in the order they complete (the
// ones done already first); with a timeout, the iteration throws TimeoutError
// ("N (of M) futures unfinished") once the time, counted from the call, ran out
// with futures still pending. wait returns when the condition holds or the timeout
// passed, whichever comes first, and never throws on expiry (Python's shape): the
// futures then done, and the others, each list in input order.
//
// Cost: one registration per future and one wake-up per completion, so both are
// linear in the number of futures.
#pragma once

#include <chrono>
#include <cstddef>
#include <iterator>
#include <memory>
#include <ranges>
#include <string>
#include <vector>

#include "threadpool/errors.hpp"
#include "threadpool/future.hpp"
#include "threadpool/internal/deadline.hpp"
#include "threadpool/internal/future_core.hpp"
#include "threadpool/internal/pointer_set.hpp"

namespace mp::threadpool {

namespace internal {

// The distinct futures of `futures`, in input order.
template <class T, class Range>
std::vector<Future<T>> distinct(Range&& futures) {
    std::vector<Future<T>> unique;
    if constexpr (std::ranges::sized_range<Range>) unique.reserve(static_cast<std::size_t>(std::ranges::size(futures)));
    PointerSet seen(unique.capacity());
    for (const Future<T>& f : futures)
        if (seen.insert(&core_of(f))) unique.push_back(f);
    return unique;
}

// Registers a waiter with every future, under the waiter's lock: the positions of
// the futures done already are in its `completed` at once.
template <class T>
std::shared_ptr<CompletionWaiter> watch(const std::vector<Future<T>>& futures) {
    auto waiter = std::make_shared<CompletionWaiter>();
    std::lock_guard lock(waiter->mutex);
    for (std::size_t i = 0; i < futures.size(); ++i)
        if (core_of(futures[i]).add_waiter_locked(waiter, i)) waiter->completed.push_back(i);
    return waiter;
}

}  // namespace internal

// The T of a range of Future<T>.
template <class Range>
using FutureValue = typename std::ranges::range_value_t<std::remove_cvref_t<Range>>::value_type;

template <class T>
class AsCompleted {
public:
    struct Sentinel {};
    class Iterator {
    public:
        using value_type = Future<T>;
        using difference_type = std::ptrdiff_t;
        const Future<T>& operator*() const { return owner_->current(); }
        Iterator& operator++() {
            owner_->advance();
            return *this;
        }
        void operator++(int) { owner_->advance(); }
        friend bool operator==(const Iterator& it, Sentinel) { return it.at_end(); }

    private:
        friend class AsCompleted;
        explicit Iterator(AsCompleted* owner) : owner_(owner) {}
        bool at_end() const { return owner_->finished(); }
        AsCompleted* owner_;
    };

    AsCompleted(std::vector<Future<T>> futures, internal::SteadyTime deadline)
        : futures_(std::move(futures)), waiter_(internal::watch(futures_)), deadline_(deadline) {}
    AsCompleted(const AsCompleted&) = delete;
    AsCompleted& operator=(const AsCompleted&) = delete;

    // One pass: begin() waits for the first completion.
    Iterator begin() {
        if (yielded_ == 0 && !finished()) advance();
        return Iterator(this);
    }
    Sentinel end() const { return {}; }

private:
    bool finished() const { return yielded_ > futures_.size() || futures_.empty(); }
    const Future<T>& current() const { return futures_[current_]; }

    // Moves to the next future to complete; past the last one, finished(). The
    // completions come in batches: one lock hands over all that happened meanwhile.
    void advance() {
        if (yielded_ == futures_.size()) {
            ++yielded_;
            return;
        }
        if (next_in_batch_ == batch_.size()) take_batch();
        current_ = batch_[next_in_batch_++];
        ++yielded_;
    }
    void take_batch() {
        batch_.clear();
        next_in_batch_ = 0;
        std::unique_lock lock(waiter_->mutex);
        const bool in_time =
            internal::wait_until(waiter_->changed, lock, deadline_, [&] { return !waiter_->completed.empty(); });
        if (!in_time)
            throw TimeoutError("threadpool: as_completed: " + std::to_string(futures_.size() - yielded_) + " (of " +
                               std::to_string(futures_.size()) + ") futures unfinished");
        batch_.swap(waiter_->completed);
    }

    std::vector<Future<T>> futures_;
    std::shared_ptr<internal::CompletionWaiter> waiter_;
    internal::SteadyTime deadline_;
    std::vector<std::size_t> batch_;  // positions taken from the waiter, handed out in order
    std::size_t next_in_batch_ = 0;
    std::size_t yielded_ = 0;  // futures handed out so far; size() + 1 once past the end
    std::size_t current_ = 0;
};

template <class Range, class T = FutureValue<Range>>
AsCompleted<T> as_completed(Range&& futures) {
    return AsCompleted<T>(internal::distinct<T>(futures), internal::kNoDeadline);
}
template <class Range, class Rep, class Period, class T = FutureValue<Range>>
AsCompleted<T> as_completed(Range&& futures, const std::chrono::duration<Rep, Period>& timeout) {
    return AsCompleted<T>(internal::distinct<T>(futures), internal::deadline_after(timeout));
}

// ReturnWhen: Python's FIRST_COMPLETED, FIRST_EXCEPTION (or all completed, if none
// fails), ALL_COMPLETED. A cancelled future counts as completed, not as failed.
enum class ReturnWhen { first_completed, first_exception, all_completed };

template <class T>
struct DoneAndNotDone {
    std::vector<Future<T>> done;
    std::vector<Future<T>> not_done;
};

namespace internal {

template <class T>
DoneAndNotDone<T> wait_for_futures(std::vector<Future<T>> futures, SteadyTime deadline, ReturnWhen when) {
    auto waiter = watch(futures);
    std::size_t examined = 0;  // completions already checked for an exception
    bool failed = false;
    const auto satisfied = [&] {
        const auto& completed = waiter->completed;
        if (completed.size() == futures.size()) return true;
        if (when == ReturnWhen::first_completed) return !completed.empty();
        if (when == ReturnWhen::first_exception)
            for (; examined < completed.size() && !failed; ++examined) {
                const Future<T>& f = futures[completed[examined]];
                failed = !f.cancelled() && f.exception() != nullptr;
            }
        return failed;
    };
    {
        std::unique_lock lock(waiter->mutex);
        (void)internal::wait_until(waiter->changed, lock, deadline, satisfied);
    }
    DoneAndNotDone<T> result;
    for (auto& f : futures) (f.done() ? result.done : result.not_done).push_back(std::move(f));
    return result;
}

}  // namespace internal

template <class Range, class T = FutureValue<Range>>
DoneAndNotDone<T> wait(Range&& futures, ReturnWhen when = ReturnWhen::all_completed) {
    return internal::wait_for_futures(internal::distinct<T>(futures), internal::kNoDeadline, when);
}
template <class Range, class Rep, class Period, class T = FutureValue<Range>>
DoneAndNotDone<T> wait(Range&& futures, const std::chrono::duration<Rep, Period>& timeout,
                       ReturnWhen when = ReturnWhen::all_completed) {
    return internal::wait_for_futures(internal::distinct<T>(futures), internal::deadline_after(timeout), when);
}

}  // namespace mp::threadpool

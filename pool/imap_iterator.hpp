// IMapIterator: what Pool::imap and imap_unordered return, as Python's
// IMapIterator: results one at a time, as soon as each chunk arrives — in input
// order (imap) or in completion order (imap_unordered).
//
//   for (int square : pool.imap(square_of, numbers)) { /* ... */ }
//   auto it = pool.imap_unordered(square_of, numbers);
//   while (auto r = it.next(1s)) { /* ... */ }      // bounded form
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <iterator>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "pool/async_result.hpp"
#include "pool/errors.hpp"
#include "sync/internal/cv_wait.hpp"

namespace mp::pool {

namespace internal {

template <class R>
class IMapState {
public:
    IMapState(const void* pool, std::size_t chunks, bool ordered) : pool_(pool), slots_(chunks), ordered_(ordered) {}

    // On the result thread: chunk `index` finished with `values` or `error`.
    void deliver(std::size_t index, std::vector<R> values, std::exception_ptr error) {
        std::lock_guard lock(mutex_);
        slots_[index] = Chunk{std::move(values), std::move(error)};
        arrivals_.push_back(index);
        changed_.notify_all();
    }

    std::optional<R> next(sync::internal::SteadyTime deadline) {
        std::unique_lock lock(mutex_);
        for (;;) {
            if (current_ && offset_ < current_->values.size()) return std::move(current_->values[offset_++]);
            if (consumed_ == slots_.size()) return std::nullopt;
            if (!available()) {
                if (current_result_thread() == pool_)
                    throw std::logic_error("pool: IMapIterator::next: iterating imap on the pool's own result thread would deadlock");
                if (!sync::internal::wait_until(changed_, lock, deadline, [&] { return available(); }))
                    throw TimeoutError("pool: IMapIterator::next: timed out");
            }
            const std::size_t index = ordered_ ? consumed_ : arrivals_[consumed_];
            ++consumed_;
            current_ = std::move(slots_[index]);
            offset_ = 0;
            if (current_->error) {
                std::exception_ptr error = current_->error;
                current_.reset();
                std::rethrow_exception(error);
            }
        }
    }

private:
    struct Chunk {
        std::vector<R> values;
        std::exception_ptr error;
    };
    bool available() const {
        return ordered_ ? slots_[consumed_].has_value() : arrivals_.size() > consumed_;
    }

    const void* pool_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<std::optional<Chunk>> slots_;
    std::vector<std::size_t> arrivals_;
    std::size_t consumed_ = 0;  // chunks taken by the reader
    std::optional<Chunk> current_;
    std::size_t offset_ = 0;
    const bool ordered_;
};

}  // namespace internal

template <class R>
class IMapIterator {
public:
    explicit IMapIterator(std::shared_ptr<internal::IMapState<R>> state) : state_(std::move(state)) {}

    // The next result, blocking until it is there; empty after the last one. A task
    // that failed re-throws its error here (its own type, WorkerDied, ...); iteration
    // may go on after it with the next chunk.
    std::optional<R> next() { return state_->next(sync::internal::kNoDeadline); }
    // As next(), waiting at most `timeout` (any std::chrono duration; zero or less
    // polls, one too long for the clock waits as long as it takes): throws
    // TimeoutError after it.
    template <class Rep, class Period>
    std::optional<R> next(const std::chrono::duration<Rep, Period>& timeout) {
        return state_->next(sync::internal::deadline_after(timeout));
    }

    // Range-for support: an input iterator over the remaining results.
    class iterator {
    public:
        using value_type = R;
        using difference_type = std::ptrdiff_t;
        iterator() = default;
        explicit iterator(IMapIterator* owner) : owner_(owner) { ++*this; }
        R& operator*() { return *value_; }
        iterator& operator++() {
            value_ = owner_->next();
            if (!value_) owner_ = nullptr;
            return *this;
        }
        void operator++(int) { ++*this; }
        bool operator==(std::default_sentinel_t) const { return owner_ == nullptr; }

    private:
        IMapIterator* owner_ = nullptr;
        std::optional<R> value_;
    };
    iterator begin() { return iterator(this); }
    std::default_sentinel_t end() { return {}; }

private:
    std::shared_ptr<internal::IMapState<R>> state_;
};

}  // namespace mp::pool

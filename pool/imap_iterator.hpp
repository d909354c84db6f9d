// IMapIterator: what Pool::imap and imap_unordered return, as Python's
// IMapIterator: results one at a time, as soon as each chunk arrives — in input
// order (imap) or in completion order (imap_unordered). It reads the rest of the
// input as it goes, a window of chunks ahead (see Pool::imap).
//
//   for (int square : pool.imap(square_of, numbers)) { /* ... */ }
//   auto it = pool.imap_unordered(square_of, numbers);
//   while (auto r = it.next(1s)) { /* ... */ }      // bounded form
#pragma once

#include <chrono>
#include <cstddef>
#include <iterator>
#include <memory>
#include <optional>

#include "pool/errors.hpp"
#include "pool/internal/imap_state.hpp"
#include "sync/internal/deadline.hpp"

namespace mp::pool {

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

// Private: the end orders a LockedQueue hands items out in (locked_queue.hpp says
// what an Order provides; priority_order.hpp has the third). Called with the
// queue's lock held.
#pragma once

#include <cstddef>
#include <deque>
#include <utility>

namespace mp::threadpool::internal {

// Oldest first (queue.SimpleQueue: kOldest) or newest first (queue.LifoQueue:
// kNewest).
enum class Out { kOldest, kNewest };

template <class T, Out kOut>
class EndOrder {
public:
    template <class U>
    void push(U&& value) {
        items_.emplace_back(std::forward<U>(value));
    }
    T pop() {
        if constexpr (kOut == Out::kOldest) {
            T item = std::move(items_.front());
            items_.pop_front();
            return item;
        } else {
            T item = std::move(items_.back());
            items_.pop_back();
            return item;
        }
    }
    std::size_t size() const noexcept { return items_.size(); }
    bool empty() const noexcept { return items_.empty(); }

private:
    std::deque<T> items_;
};

}  // namespace mp::threadpool::internal

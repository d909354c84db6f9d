// Private: the orders a LockedQueue hands items out in (locked_queue.hpp says what
// an Order provides). Called with the queue's lock held.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <utility>
#include <vector>

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

// Smallest by `Compare` first (queue.PriorityQueue, a heap as Python's heapq), and
// items that compare equal in the order they were put: each carries the sequence
// number of its put, which breaks ties. (Python's heap does not promise that order;
// its users add the counter themselves.)
template <class T, class Compare>
class PriorityOrder {
public:
    explicit PriorityOrder(Compare compare = Compare()) : compare_(std::move(compare)) {}

    template <class U>
    void push(U&& value) {
        heap_.push_back(Entry{T(std::forward<U>(value)), next_sequence_++});
        std::push_heap(heap_.begin(), heap_.end(), comes_later());
    }
    T pop() {
        std::pop_heap(heap_.begin(), heap_.end(), comes_later());
        T item = std::move(heap_.back().item);
        heap_.pop_back();
        return item;
    }
    std::size_t size() const noexcept { return heap_.size(); }
    bool empty() const noexcept { return heap_.empty(); }

private:
    struct Entry {
        T item;
        std::uint64_t sequence;
    };

    // The heap's "less": a comes out after b. std's heap keeps on top the entry
    // that comes out after none.
    auto comes_later() {
        return [this](const Entry& a, const Entry& b) {
            if (compare_(b.item, a.item)) return true;
            if (compare_(a.item, b.item)) return false;
            return a.sequence > b.sequence;
        };
    }

    Compare compare_;
    std::vector<Entry> heap_;
    std::uint64_t next_sequence_ = 0;
};

}  // namespace mp::threadpool::internal

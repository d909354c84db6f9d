// Private: the order of PriorityQueue (queue.PriorityQueue): smallest by `Compare`
// first, a heap as Python's heapq, and items that compare equal in the order they
// were put: each carries the sequence number of its put, which breaks ties.
// (Python's heap does not promise that order; its users add the counter.)
//
// `Compare` runs with the queue's lock held and may throw. push and pop make every
// comparison before they move a single item, so an exception leaves the heap as it
// was: push has not queued the item (a T passed as an rvalue is given back to the
// caller's variable), pop has not taken one. std::push_heap/pop_heap move while
// they compare and would leave a moved-from hole in the heap.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>
#include <vector>

namespace mp::threadpool::internal {

template <class T, class Compare>
class PriorityOrder {
    static_assert(std::is_nothrow_move_assignable_v<T>, "a heap moves items along a path it cannot undo");

public:
    explicit PriorityOrder(Compare compare = Compare()) : compare_(std::move(compare)) {}

    template <class U>
    void push(U&& value) {
        heap_.reserve(heap_.size() + 1);  // the only allocation, before anything changes
        heap_.push_back(Entry{T(std::forward<U>(value)), next_sequence_});
        const std::size_t last = heap_.size() - 1;
        std::size_t hole = last;
        try {
            while (hole > 0 && before(heap_[last], heap_[parent(hole)])) hole = parent(hole);
        } catch (...) {
            if constexpr (std::is_same_v<U&&, T&&>) value = std::move(heap_.back().item);
            heap_.pop_back();
            throw;
        }
        ++next_sequence_;
        Entry entry = std::move(heap_[last]);
        for (std::size_t i = last; i != hole; i = parent(i)) heap_[i] = std::move(heap_[parent(i)]);
        heap_[hole] = std::move(entry);
    }

    T pop() {
        // The last entry will fill the root's place: find where it settles first.
        const std::size_t last = heap_.size() - 1;
        std::array<std::size_t, 64> path;  // children taken from the root; a heap is at most 64 deep
        std::size_t depth = 0;
        for (std::size_t hole = 0;;) {
            std::size_t child = 2 * hole + 1;
            if (child >= last) break;
            if (child + 1 < last && before(heap_[child + 1], heap_[child])) ++child;
            if (!before(heap_[child], heap_[last])) break;
            path[depth++] = hole = child;
        }
        T item = std::move(heap_[0].item);
        std::size_t hole = 0;
        for (std::size_t i = 0; i < depth; ++i) {
            heap_[hole] = std::move(heap_[path[i]]);
            hole = path[i];
        }
        if (hole != last) heap_[hole] = std::move(heap_[last]);
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

    static std::size_t parent(std::size_t i) noexcept { return (i - 1) / 2; }

    // Whether `a` comes out before `b`.
    bool before(const Entry& a, const Entry& b) {
        if (compare_(a.item, b.item)) return true;
        if (compare_(b.item, a.item)) return false;
        return a.sequence < b.sequence;
    }

    Compare compare_;
    std::vector<Entry> heap_;
    std::uint64_t next_sequence_ = 0;
};

}  // namespace mp::threadpool::internal

// Ring: a growable circular buffer (a deque without per-block allocations), so a
// queue that keeps a steady size never allocates. Not thread-safe; the owner locks.
#pragma once

#include <cstddef>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>

namespace mp::threadpool::internal {

template <class T>
class Ring {
    static_assert(std::is_nothrow_move_constructible_v<T> && std::is_nothrow_move_assignable_v<T>,
                  "Ring moves its elements when it grows and when one is extracted");

public:
    Ring() = default;
    Ring(const Ring&) = delete;
    Ring& operator=(const Ring&) = delete;
    ~Ring() {
        clear();
        std::allocator<T>().deallocate(slots_, capacity_);
    }

    std::size_t size() const noexcept { return size_; }
    bool empty() const noexcept { return size_ == 0; }

    void push_back(T&& value) {
        if (size_ == capacity_) grow();
        ::new (static_cast<void*>(slots_ + ((head_ + size_) & (capacity_ - 1)))) T(std::move(value));
        ++size_;
    }
    T& front() noexcept { return slots_[head_]; }
    T& back() noexcept { return slots_[(head_ + size_ - 1) & (capacity_ - 1)]; }
    void pop_front() noexcept {
        std::destroy_at(slots_ + head_);
        head_ = (head_ + 1) & (capacity_ - 1);
        --size_;
    }
    void pop_back() noexcept {
        std::destroy_at(&back());
        --size_;
    }
    void swap(Ring& other) noexcept {
        std::swap(slots_, other.slots_);
        std::swap(capacity_, other.capacity_);
        std::swap(head_, other.head_);
        std::swap(size_, other.size_);
    }
    void clear() noexcept {
        while (size_ > 0) pop_front();
    }
    // The i-th element from the front.
    T& operator[](std::size_t i) noexcept { return slots_[(head_ + i) & (capacity_ - 1)]; }
    // Moves the i-th element out and closes the gap (the later elements shift forward).
    T extract(std::size_t i) noexcept {
        T taken(std::move((*this)[i]));
        for (; i + 1 < size_; ++i) (*this)[i] = std::move((*this)[i + 1]);
        pop_back();
        return taken;
    }

private:
    void grow() {
        const std::size_t bigger = capacity_ == 0 ? 16 : capacity_ * 2;
        T* fresh = std::allocator<T>().allocate(bigger);
        for (std::size_t i = 0; i < size_; ++i) {
            T* old = slots_ + ((head_ + i) & (capacity_ - 1));
            ::new (static_cast<void*>(fresh + i)) T(std::move(*old));
            std::destroy_at(old);
        }
        std::allocator<T>().deallocate(slots_, capacity_);
        slots_ = fresh;
        capacity_ = bigger;
        head_ = 0;
    }

    T* slots_ = nullptr;
    std::size_t capacity_ = 0;  // zero or a power of two
    std::size_t head_ = 0;
    std::size_t size_ = 0;
};

}  // namespace mp::threadpool::internal

// Array<T>: a fixed number of T in shared memory, like Python's multiprocessing.Array.
//
//   auto a = mp::shm::Array<int>::anonymous({0, 1, 2, 3});  // or (count), or (range)
//   // in a forked child: for (int& x : a) x = -x;
//   a.fetch_add(2, 10);                                     // element 2, lock-free
//   a.with_lock([](std::span<int> all) { all[0] += all[1]; });
//
//   auto shared = mp::shm::Array<double>::create("samples", 1000);
//   auto peer = mp::shm::Array<double>::attach("samples", 1000);  // checks the length too
//
// Element access comes in the same three kinds as Value (see value.hpp):
// - operator[], at(), iteration, data(), slice(): plain access, no synchronization;
//   use them under get_lock()/with_lock(), or where no one else writes.
// - load/store and, for integer T, fetch_add/fetch_sub/exchange/compare_exchange:
//   one indivisible operation on one element, lock-free where std::atomic_ref is.
// - with_lock(fn): fn(std::span<T>) under the segment's lock.
//
// Errors worth branching on: WrongType / WrongLength / DamagedSegment on attach;
// std::out_of_range for an index past the end (at, slice, the element atomics);
// LockOwnerDied from with_lock. Ownership as SharedMemory; move-only.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstring>
#include <initializer_list>
#include <ranges>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "shm/internal/element_access.hpp"
#include "shm/internal/typed_segment.hpp"
#include "shm/options.hpp"

namespace mp::shm {

template <class T>
class Array {
    static constexpr internal::ElementType kType = internal::element_type_of<T>();

public:
    // Creates segment `name` holding `count` zero-valued elements, the elements of
    // `init`, or those of `range`, with mode access.mode (SharedMemory::create).
    // Owns the name. Throws std::system_error (EEXIST) when the name exists,
    // std::invalid_argument for a bad name or mode.
    [[nodiscard]] static Array create(std::string_view name, std::size_t count, Options options = {},
                                      const Access& access = {}) {
        return published(internal::TypedSegment::create(name, kType, count, options, access), {});
    }
    [[nodiscard]] static Array create(std::string_view name, std::initializer_list<T> init, Options options = {},
                                      const Access& access = {}) {
        return create(name, std::span<const T>(init.begin(), init.size()), options, access);
    }
    template <std::ranges::input_range R>
        requires std::convertible_to<std::ranges::range_reference_t<R>, T>
    [[nodiscard]] static Array create(std::string_view name, R&& range, Options options = {},
                                      const Access& access = {}) {
        const std::vector<T> values = to_vector(std::forward<R>(range));
        return published(internal::TypedSegment::create(name, kType, values.size(), options, access), values);
    }

    // The same, nameless: shared with children forked afterwards.
    [[nodiscard]] static Array anonymous(std::size_t count, Options options = {}) {
        return published(internal::TypedSegment::anonymous(kType, count, options), {});
    }
    [[nodiscard]] static Array anonymous(std::initializer_list<T> init, Options options = {}) {
        return anonymous(std::span<const T>(init.begin(), init.size()), options);
    }
    template <std::ranges::input_range R>
        requires std::convertible_to<std::ranges::range_reference_t<R>, T>
    [[nodiscard]] static Array anonymous(R&& range, Options options = {}) {
        const std::vector<T> values = to_vector(std::forward<R>(range));
        return published(internal::TypedSegment::anonymous(kType, values.size(), options), values);
    }

    // Attaches to the Array created as `name`, of any length or of exactly `count`
    // elements, checked as SharedMemory::attach checks with `access`. Throws
    // std::system_error (ENOENT when there is none, EACCES when refused), WrongType,
    // WrongLength, DamagedSegment.
    [[nodiscard]] static Array attach(std::string_view name, const Access& access = {}) {
        return Array(internal::TypedSegment::attach(name, &kType, std::nullopt, access));
    }
    [[nodiscard]] static Array attach(std::string_view name, std::size_t count, const Access& access = {}) {
        return Array(internal::TypedSegment::attach(name, &kType, count, access));
    }

    std::size_t size() const { return size_; }
    bool empty() const { return size_ == 0; }

    // Plain element access (no synchronization). operator[] is unchecked; at() throws
    // std::out_of_range.
    T& operator[](std::size_t index) const { return data_[index]; }
    T& at(std::size_t index) const { return data_[check(index)]; }
    T* begin() const { return data_; }
    T* end() const { return data_ + size_; }
    std::span<T> data() const { return {data_, size_}; }

    // A copy of elements [first, last). No synchronization: for a consistent snapshot,
    // call it inside with_lock. Throws std::out_of_range unless first <= last <= size().
    std::vector<T> slice(std::size_t first, std::size_t last) const {
        if (first > last || last > size_)
            throw std::out_of_range("shm: Array: slice [" + std::to_string(first) + ", " + std::to_string(last) +
                                    ") of an array of " + std::to_string(size_) + " elements");
        return std::vector<T>(data_ + first, data_ + last);
    }

    // One indivisible read / write of element `index` (see value.hpp for how).
    T load(std::size_t index, std::memory_order order = std::memory_order_seq_cst) const {
        return internal::load_element(segment_, data_[check(index)], order);
    }
    void store(std::size_t index, const T& value, std::memory_order order = std::memory_order_seq_cst) {
        internal::store_element(segment_, data_[check(index)], value, order);
    }

    // Lock-free read-modify-writes of element `index` for integer T; each returns
    // the previous value. Overflow wraps, as std::atomic does.
    T fetch_add(std::size_t index, T delta, std::memory_order order = std::memory_order_seq_cst)
        requires internal::AtomicInteger<T>
    {
        return atomic(index).fetch_add(delta, order);
    }
    T fetch_sub(std::size_t index, T delta, std::memory_order order = std::memory_order_seq_cst)
        requires internal::AtomicInteger<T>
    {
        return atomic(index).fetch_sub(delta, order);
    }
    T exchange(std::size_t index, T desired, std::memory_order order = std::memory_order_seq_cst)
        requires internal::AtomicInteger<T>
    {
        return atomic(index).exchange(desired, order);
    }
    // Stores `desired` if element `index` equals `expected` and returns true;
    // otherwise loads it into `expected` and returns false.
    bool compare_exchange(std::size_t index, T& expected, T desired,
                          std::memory_order order = std::memory_order_seq_cst)
        requires internal::AtomicInteger<T>
    {
        return atomic(index).compare_exchange_strong(expected, desired, order);
    }

    // Calls fn(std::span<T>) holding the segment's lock and returns what fn returns.
    // Blocks until the lock is free. Throws std::logic_error without a lock,
    // LockOwnerDied (fn not called, lock released) when the previous holder died
    // holding it.
    template <class Fn>
    decltype(auto) with_lock(Fn&& fn) {
        return segment_.with_lock([&]() -> decltype(auto) { return std::forward<Fn>(fn)(data()); });
    }

    // The segment's lock; throws std::logic_error when the Array has none.
    Lock& get_lock() const { return segment_.lock(); }
    bool has_lock() const { return segment_.has_lock(); }

    // The name ("" if anonymous), the header, and ownership (see SharedMemory).
    const std::string& name() const { return segment_.memory().name(); }
    const HeaderInfo& info() const { return segment_.info(); }
    bool owns_name() const { return segment_.memory().owns_name(); }
    void release() noexcept { segment_.memory().release(); }
    void unlink() { segment_.memory().unlink(); }

private:
    explicit Array(internal::TypedSegment segment)
        : segment_(std::move(segment)),
          data_(&internal::element<T>(segment_, 0)),
          size_(static_cast<std::size_t>(segment_.info().count)) {}

    static Array published(internal::TypedSegment segment, std::span<const T> initial) {
        Array array(std::move(segment));
        if (!initial.empty()) std::memcpy(static_cast<void*>(array.data_), initial.data(), initial.size_bytes());
        array.segment_.publish();
        return array;
    }

    template <class R>
    static std::vector<T> to_vector(R&& range) {
        std::vector<T> values;
        for (auto&& item : range) values.push_back(static_cast<T>(item));
        return values;
    }

    std::size_t check(std::size_t index) const {
        if (index >= size_)
            throw std::out_of_range("shm: Array: index " + std::to_string(index) + " is out of range for an array of " +
                                    std::to_string(size_) + " elements");
        return index;
    }
    std::atomic_ref<T> atomic(std::size_t index) const { return std::atomic_ref<T>(data_[check(index)]); }

    internal::TypedSegment segment_;
    T* data_;
    std::size_t size_;
};

}  // namespace mp::shm

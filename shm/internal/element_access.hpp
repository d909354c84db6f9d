// Indivisible access to one element of a typed segment, shared by Value and Array.
//
// An element whose std::atomic_ref is always lock-free is accessed through it:
// lock-free, and safe between processes (a lock-free atomic is a plain instruction
// on the shared bytes). Any other element is copied under the segment's lock: a
// non-lock-free atomic_ref would use libatomic's lock table, which is private to each
// process and so protects nothing here.
#pragma once

#include <atomic>
#include <concepts>
#include <cstring>
#include <new>

#include "shm/internal/typed_segment.hpp"

namespace mp::shm::internal {

template <class T>
inline constexpr bool kLockFree = std::atomic_ref<T>::is_always_lock_free;

// Integer element types that get fetch_add and friends ('c' is a character, not a number).
template <class T>
concept AtomicInteger = std::integral<T> && !std::same_as<T, bool> && !std::same_as<T, char> && kLockFree<T>;

template <class T>
T& element(const TypedSegment& segment, std::size_t index) {
    return std::launder(reinterpret_cast<T*>(segment.data()))[index];
}

template <class T>
T load_element(const TypedSegment& segment, T& object, std::memory_order order) {
    if constexpr (kLockFree<T>) return std::atomic_ref<T>(object).load(order);
    else return segment.with_lock([&] { return object; });
}

template <class T>
void store_element(const TypedSegment& segment, T& object, const T& value, std::memory_order order) {
    if constexpr (kLockFree<T>) std::atomic_ref<T>(object).store(value, order);
    else segment.with_lock([&] { std::memcpy(static_cast<void*>(&object), &value, sizeof(T)); });
}

}  // namespace mp::shm::internal

// Value<T>: one T in shared memory, like Python's multiprocessing.Value.
//
//   auto counter = mp::shm::Value<int>::anonymous(0);     // forked children share it
//   counter.fetch_add(1);                                 // lock-free, exact
//   counter.with_lock([](int& n) { n = n * 2 + 1; });     // compound update, exact
//
//   auto pi = mp::shm::Value<double>::create("pi", 0.0);  // named: /dev/shm/mp-pi
//   auto same = mp::shm::Value<double>::attach("pi");     // in another process
//
// T is any trivially copyable type. Its segment records the type code (or, for a
// non-scalar T, its size and a hash of its name), so attaching as another type, to
// an Array of more than one element, or to a damaged segment throws (WrongType,
// WrongLength, DamagedSegment).
//
// There is no `.value` that takes a lock behind your back (`v.value += 1` in Python
// looks atomic and is not). Each operation says what it is:
// - load/store: one indivisible read or write. Lock-free through std::atomic_ref when
//   T allows (every scalar code on x86-64 and aarch64); otherwise under the lock.
// - fetch_add/fetch_sub/exchange/compare_exchange (integer T): lock-free RMW.
// - with_lock(fn): fn(T&) under the segment's lock; for read-modify-write of
//   several steps. Everyone who changes the value must go through the lock (or
//   everyone through the atomics): mixing plain writes under the lock with lock-free
//   RMWs from others is a race.
// - ref(): the plain T&, for use under get_lock(), or when no one else writes.
//
// Ownership is SharedMemory's: create() owns the name (destroying the handle unlinks
// it unless release()d), attach() never unlinks, anonymous() has no name. Move-only.
#pragma once

#include <atomic>
#include <string_view>
#include <utility>

#include "shm/array.hpp"

namespace mp::shm {

template <class T>
class Value {
public:
    // Creates segment `name` holding `initial`, with mode access.mode. Owns the name.
    // Throws std::system_error (EEXIST) when the name exists, std::invalid_argument
    // for a bad name or mode.
    [[nodiscard]] static Value create(std::string_view name, const T& initial = T{}, Options options = {},
                                      const Access& access = {}) {
        return Value(Array<T>::create(name, {initial}, options, access));
    }
    // A nameless Value for this process and the children it forks afterwards.
    [[nodiscard]] static Value anonymous(const T& initial = T{}, Options options = {}) {
        return Value(Array<T>::anonymous({initial}, options));
    }
    // Attaches to the Value created as `name`, checked with `access` as
    // SharedMemory::attach. Throws std::system_error (ENOENT when there is none,
    // EACCES when refused), WrongType / WrongLength / DamagedSegment when it is not
    // a Value<T> (an Array<T> of one element is one).
    [[nodiscard]] static Value attach(std::string_view name, const Access& access = {}) {
        return Value(Array<T>::attach(name, 1, access));
    }

    // One indivisible read / write (see the preamble). Without lock-free atomics for
    // T they take the lock, and may then throw std::logic_error (no lock) or
    // LockOwnerDied.
    T load(std::memory_order order = std::memory_order_seq_cst) const { return array_.load(0, order); }
    void store(const T& value, std::memory_order order = std::memory_order_seq_cst) { array_.store(0, value, order); }

    // Lock-free read-modify-writes for integer T; each returns the previous value.
    // Overflow wraps (two's complement), as std::atomic does.
    T fetch_add(T delta, std::memory_order order = std::memory_order_seq_cst)
        requires internal::AtomicInteger<T>
    {
        return array_.fetch_add(0, delta, order);
    }
    T fetch_sub(T delta, std::memory_order order = std::memory_order_seq_cst)
        requires internal::AtomicInteger<T>
    {
        return array_.fetch_sub(0, delta, order);
    }
    T exchange(T desired, std::memory_order order = std::memory_order_seq_cst)
        requires internal::AtomicInteger<T>
    {
        return array_.exchange(0, desired, order);
    }
    // Stores `desired` if the value equals `expected` and returns true; otherwise
    // loads the current value into `expected` and returns false.
    bool compare_exchange(T& expected, T desired, std::memory_order order = std::memory_order_seq_cst)
        requires internal::AtomicInteger<T>
    {
        return array_.compare_exchange(0, expected, desired, order);
    }

    // Calls fn(T&) holding the segment's lock and returns what fn returns.
    // Blocks until the lock is free. Throws std::logic_error when the Value was made
    // with Options{.lock = false}; LockOwnerDied (fn not called, the lock released
    // again) when the previous holder died holding it.
    template <class Fn>
    decltype(auto) with_lock(Fn&& fn) {
        return array_.with_lock([&](std::span<T> one) -> decltype(auto) { return std::forward<Fn>(fn)(one[0]); });
    }

    // The segment's lock (robust, process-shared; Lockable and TimedLockable).
    // Throws std::logic_error when the Value has none.
    Lock& get_lock() const { return array_.get_lock(); }
    bool has_lock() const { return array_.has_lock(); }

    // The T itself, with no synchronization at all.
    T& ref() const { return array_[0]; }

    // The name ("" if anonymous), the header, and ownership (see SharedMemory).
    const std::string& name() const { return array_.name(); }
    const HeaderInfo& info() const { return array_.info(); }
    bool owns_name() const { return array_.owns_name(); }
    void release() noexcept { array_.release(); }
    void unlink() { array_.unlink(); }

private:
    explicit Value(Array<T> array) : array_(std::move(array)) {}

    Array<T> array_;
};

}  // namespace mp::shm

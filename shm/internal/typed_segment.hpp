// TypedSegment: the machinery under Value, Array and DynamicArray. It owns a
// SharedMemory holding a header, an optional lock and `count` elements, and knows
// how to create, publish and attach-and-check one.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "shm/lock.hpp"
#include "shm/options.hpp"
#include "shm/segment_header.hpp"
#include "shm/shared_memory.hpp"
#include "shm/type_code.hpp"
#include "sync/internal/fnv1a.hpp"

namespace mp::shm::internal {

// What identifies an element type in a header, plus its alignment in memory.
struct ElementType {
    TypeCode code;
    std::uint32_t size;
    std::uint32_t align;
    std::uint64_t tag;  // 0 for a scalar code; a hash of the C++ type's name otherwise
};

// A stable hash of T's name as the compiler spells it (same compiler, same tag).
template <class T>
constexpr std::uint64_t type_name_hash() {
    const std::uint64_t hash = sync::internal::fnv1a(sync::internal::kFnv1aSeed, __PRETTY_FUNCTION__);
    return hash == 0 ? 1 : hash;
}

template <class T>
constexpr ElementType element_type_of() {
    static_assert(std::is_trivially_copyable_v<T>, "shared memory holds trivially copyable types only");
    static_assert(!std::is_const_v<T> && !std::is_volatile_v<T>);
    constexpr TypeCode code = type_code_of<T>();
    constexpr std::size_t align = std::max(alignof(T), std::atomic_ref<T>::required_alignment);
    static_assert(align <= 4096, "element alignment beyond a page is not supported");
    return {code, static_cast<std::uint32_t>(sizeof(T)), static_cast<std::uint32_t>(align),
            code == TypeCode::Opaque ? type_name_hash<T>() : 0};
}

class TypedSegment {
public:
    // Creates segment `name` (or an anonymous one) for `count` elements of `type`:
    // header written, lock constructed, elements zero. The segment is unpublished
    // (attachers see it as not initialized) until publish(), which the caller calls
    // after writing the initial elements. The handle owns the name.
    static TypedSegment create(std::string_view name, const ElementType& type, std::uint64_t count, Options options,
                               const Access& access);
    static TypedSegment anonymous(const ElementType& type, std::uint64_t count, Options options);
    void publish();

    // Attaches to segment `name` and checks its header (DamagedSegment), its type
    // against `expected` unless null (WrongType) and its count against
    // `expected_count` if given (WrongLength); `access` as SharedMemory::attach.
    static TypedSegment attach(std::string_view name, const ElementType* expected,
                               std::optional<std::uint64_t> expected_count, const Access& access);

    TypedSegment(TypedSegment&&) noexcept = default;
    TypedSegment& operator=(TypedSegment&& other) noexcept {
        if (this != &other) {
            keep_mapped_if_held();
            memory_ = std::move(other.memory_);
            info_ = other.info_;
        }
        return *this;
    }
    ~TypedSegment() { keep_mapped_if_held(); }

    const HeaderInfo& info() const { return info_; }
    std::byte* data() const { return memory_.data().data() + info_.data_offset; }
    SharedMemory& memory() { return memory_; }
    const SharedMemory& memory() const { return memory_; }
    bool has_lock() const { return info_.has_lock; }

    // The segment's lock. Throws std::logic_error for a segment made without one.
    Lock& lock() const;

    // Calls fn() holding the lock and returns its result. Throws std::logic_error
    // without a lock, LockOwnerDied (before calling fn) when the previous holder died
    // holding it.
    template <class Fn>
    decltype(auto) with_lock(Fn&& fn) const {
        Lock& mutex = lock();
        std::unique_lock guard(mutex);
        if (mutex.owner_died()) {
            guard.unlock();
            throw_owner_died();
        }
        return std::forward<Fn>(fn)();
    }

private:
    TypedSegment(SharedMemory memory, const HeaderInfo& info) : memory_(std::move(memory)), info_(info) {}
    // A handle dropped while this process holds the segment's lock keeps its view
    // mapped until the process ends: the kernel marks a robust lock's dead holder
    // by writing into it, and an unmapped lock would stay held forever, by no one.
    void keep_mapped_if_held() noexcept {
        if (info_.has_lock && memory_.size() != 0 && lock().owner_pid() == sync::internal::current_pid())
            memory_.keep_mapped_for_process_lifetime();
    }
    static TypedSegment initialize(SharedMemory memory, const HeaderInfo& info);
    [[noreturn]] void throw_owner_died() const;
    std::string display_name() const;

    SharedMemory memory_;
    HeaderInfo info_;
};

}  // namespace mp::shm::internal

// Where a primitive's shared state lives: a shared mapping, either anonymous
// (inherited by children forked after it was made) or a named POSIX shared-memory
// segment "/mp-sync-<name>" that unrelated processes open by name; or, for an
// object used by this process's threads only, a block of this process's heap
// (an mmap per object costs tens of microseconds and one of the process's
// limited memory mappings).
//
// Every mapping starts with a SegmentHeader saying what kind of primitive follows,
// so a name opened as the wrong kind is refused with a clear error, and
// `bin/sync ls` can describe any of our objects.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "sync/access.hpp"

namespace mp::sync::internal {

enum class Kind : std::uint32_t {
    lock = 1,
    rlock,
    semaphore,
    bounded_semaphore,
    event,
    condition,
    barrier,
};

// "Lock", "RLock", "Semaphore", ...; "unknown" for anything else.
const char* kind_name(Kind kind);

struct alignas(64) SegmentHeader {
    // kReady once the state is fully constructed (published with release order).
    std::atomic<std::uint32_t> ready;
    std::uint32_t version;
    Kind kind;
    std::uint32_t state_size;
};

// The state of every primitive starts this far into its mapping.
inline constexpr std::size_t kStateOffset = sizeof(SegmentHeader);

// A shared mapping; unmapped by the destructor. Move-only.
class Segment {
public:
    Segment() = default;
    Segment(Segment&& other) noexcept;
    Segment& operator=(Segment&& other) noexcept;
    Segment(const Segment&) = delete;
    Segment& operator=(const Segment&) = delete;
    ~Segment();

    // A new anonymous MAP_SHARED mapping for a state of `state_size` bytes, built by
    // `construct(state)`. Errors: std::system_error (mmap).
    static Segment anonymous(Kind kind, std::size_t state_size, const std::function<void(void*)>& construct);

    // The same layout in a heap block of this process: not shared with forked
    // children (each gets a private copy as it was at the fork). Errors:
    // std::bad_alloc.
    static Segment private_heap(Kind kind, std::size_t state_size, const std::function<void(void*)>& construct);

    // Create-or-open of "/mp-sync-<name>". Race-free between unrelated processes:
    // everyone takes an exclusive flock on the segment while checking it; the one
    // finding it uninitialized (new, or left half-built by a creator that died:
    // the flock died with it) sizes it and runs `construct`, then publishes it.
    // A new segment gets access.mode; an existing one is checked (access.hpp).
    // Errors: std::invalid_argument (bad name or mode; the name holds another kind
    // or an incompatible version), std::system_error (shm_open, ftruncate, mmap,
    // flock; EACCES for an object refused by the checks).
    static Segment open_or_create(std::string_view name, Kind kind, std::size_t state_size,
                                  const std::function<void(void*)>& construct, const Access& access);

    // Opens an existing initialized segment of ours of any kind and mode (for
    // listing). Errors: std::system_error with ENOENT when there is no such name,
    // EACCES when another user owns it.
    static Segment open_existing(std::string_view name);

    // Whether this handle still has a mapping (not moved from, not kept).
    bool mapped() const { return base_ != nullptr; }
    // Lets go of the mapping without unmapping it: it stays until the process ends.
    // For a state the kernel may still write to (a robust mutex this process holds).
    void keep_for_process_lifetime() { base_ = nullptr; }

    void* state() const { return static_cast<char*>(base_) + kStateOffset; }
    Kind kind() const { return static_cast<const SegmentHeader*>(base_)->kind; }

private:
    enum class Storage : unsigned char { mapping, heap };
    Segment(void* base, std::size_t size, Storage storage = Storage::mapping)
        : base_(base), size_(size), storage_(storage) {}
    void* base_ = nullptr;
    std::size_t size_ = 0;
    Storage storage_ = Storage::mapping;
};

// Throws std::invalid_argument unless `name` is 1 to kMaxNameLength characters of
// [A-Za-z0-9._-] not starting with '.'.
inline constexpr std::size_t kMaxNameLength = 200;
void validate_name(std::string_view name);

// "/mp-sync-<name>", the argument of shm_open; the entry is /dev/shm/mp-sync-<name>.
std::string segment_path(std::string_view name);
inline constexpr std::string_view kSegmentPrefix = "mp-sync-";

}  // namespace mp::sync::internal

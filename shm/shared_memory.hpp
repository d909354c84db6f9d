// SharedMemory: a block of memory shared between processes, like Python's
// multiprocessing.shared_memory.SharedMemory, with ownership explicit in the type.
//
//   auto owner = mp::shm::SharedMemory::create("frames", 1 << 20);   // O_CREAT|O_EXCL: new or error
//   auto peer  = mp::shm::SharedMemory::attach("frames");            // in any process; never unlinks
//   auto anon  = mp::shm::SharedMemory::anonymous(4096);             // for forked children only
//
// Names. A user name maps to the POSIX name "/mp-<name>", which is the file
// /dev/shm/mp-<name> on Linux: "counter" is /mp-counter. Names of ours always carry
// the "mp-" prefix, so `bin/shm ls/gc` and leak checks see only our segments. A name
// is 1..200 bytes with no '/', no NUL and no control characters.
//
// Ownership. The handle returned by create() owns the name: its destructor unlinks
// it, unless release() was called. attach() never owns the name (unlink() may still
// be called explicitly). There is no tracker process and no guessing: the name lives
// exactly as long as its owner says. A forked child's copy of an owner never unlinks
// (only the process that created the name does), so a child that exits through
// normal destructors cannot pull the name from under its parent.
//
// close() unmaps this process's view (as Python's close()); unlink() removes the name
// so no one can attach any more (as Python's unlink()); the memory itself lives until
// the last mapping is gone. Anonymous segments have no name at all and vanish when the
// last process that maps them exits: nothing can leak.
//
// Access (options.hpp, the same as mp::sync's): a segment is created with exactly
// access.mode (0600 by default); attach refuses one another user owns unless
// access.allow_other_owner, and one whose mode is wider than access.mode. The
// name is never followed as a symlink and the checks are made on what was opened.
//
// Thread safety: one handle is not synchronized; distinct handles are independent.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "shm/options.hpp"

namespace mp::shm {

// The prefix of every /dev/shm entry this library creates.
inline constexpr std::string_view kNamePrefix = "mp-";

// The POSIX shm name for user name `name`: "counter" -> "/mp-counter".
// Throws std::invalid_argument for a name that is empty, too long, or holds '/',
// NUL or control characters.
std::string segment_path(std::string_view name);

// Unlinks segment `name` (as SharedMemory::unlink, without attaching); false when
// there is none. Another user's segment is never removed: std::system_error
// (EACCES) naming its owner. Throws std::invalid_argument for a bad name.
bool remove(std::string_view name);

class SharedMemory {
public:
    // Creates segment `name` of `size` bytes (zero-filled, mode access.mode) and maps it.
    // Its pages are reserved now, so a full /dev/shm fails here (ENOSPC) instead of
    // raising SIGBUS at a later access. The returned handle owns the name.
    // Throws std::invalid_argument for a bad name, mode or size 0, std::system_error with
    // EEXIST when the name already exists ("shm_open(\"/mp-x\"): File exists"),
    // ENOSPC when there is no room, and std::system_error for other OS failures.
    [[nodiscard]] static SharedMemory create(std::string_view name, std::size_t size, const Access& access = {});

    // Maps the existing segment `name`, whole (its size is the file's size, which may
    // be 0: then data() is empty). Never owns the name.
    // Throws std::system_error with ENOENT when there is no such segment, ELOOP for
    // a symlink, EACCES when it belongs to another user (unless
    // access.allow_other_owner) or its mode is wider than access.mode;
    // std::invalid_argument for a bad name or mode.
    [[nodiscard]] static SharedMemory attach(std::string_view name, const Access& access = {});

    // A nameless segment of `size` bytes (zero-filled), shared with children forked
    // after this call and gone when the last of them exits.
    // Throws std::invalid_argument for size 0, std::system_error when mmap fails.
    [[nodiscard]] static SharedMemory anonymous(std::size_t size);

    SharedMemory(SharedMemory&& other) noexcept;
    SharedMemory& operator=(SharedMemory&& other) noexcept;
    SharedMemory(const SharedMemory&) = delete;
    SharedMemory& operator=(const SharedMemory&) = delete;
    // Unmaps, and unlinks the name if this handle owns it (errors ignored).
    ~SharedMemory();

    // The user name ("counter"), empty for an anonymous segment.
    const std::string& name() const { return name_; }
    // The mapped size in bytes; 0 after close().
    std::size_t size() const { return size_; }
    // The mapped bytes; empty after close().
    std::span<std::byte> data() const { return {base_, size_}; }
    // True when this handle will unlink the name on destruction.
    bool owns_name() const { return owner_pid_ != 0; }

    // Unmaps this process's view. The name, if owned, is still unlinked by the
    // destructor. Idempotent.
    void close() noexcept;
    // Lets go of this process's view without unmapping it: it stays mapped until
    // the process ends (for a lock inside that the kernel may still write to, see
    // TypedSegment). The handle then behaves as after close().
    void keep_mapped_for_process_lifetime() noexcept {
        base_ = nullptr;
        size_ = 0;
    }
    // Removes the name now; the mapping stays usable. Afterwards the handle owns no
    // name. Throws std::logic_error for an anonymous segment, std::system_error
    // (ENOENT) when the name is already gone.
    void unlink();
    // Gives up ownership of the name: it outlives this handle until someone unlinks
    // it (`bin/shm rm NAME`, or gc once its creator is dead and nobody maps it).
    void release() noexcept { owner_pid_ = 0; }

private:
    SharedMemory(std::string name, std::byte* base, std::size_t size, pid_t owner_pid);
    void reset() noexcept;

    std::string name_;
    std::byte* base_ = nullptr;
    std::size_t size_ = 0;
    pid_t owner_pid_ = 0;  // the creating process while it owns the name, else 0
};

}  // namespace mp::shm

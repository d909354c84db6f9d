#include "shm/shared_memory.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <limits>
#include <stdexcept>
#include <system_error>
#include <utility>

#include "sync/internal/fd.hpp"
#include "sync/internal/os_error.hpp"
#include "sync/internal/shm_object.hpp"

namespace mp::shm {

namespace {

constexpr std::size_t kMaxNameLength = 200;

using sync::internal::Fd;
using sync::internal::open_shm_object;
using sync::internal::throw_errno;

std::byte* map_shared(int fd, std::size_t size, const std::string& object) {
    const int flags = fd < 0 ? MAP_SHARED | MAP_ANONYMOUS : MAP_SHARED;
    void* base = mmap(nullptr, size, PROT_READ | PROT_WRITE, flags, fd, 0);
    if (base == MAP_FAILED) throw_errno("mmap", object, errno);
    return static_cast<std::byte*>(base);
}

// Gives the new segment its size with every page reserved, so that a full /dev/shm
// is an error now (ENOSPC) rather than a SIGBUS at some later access. Where the
// file system cannot reserve, falls back to a plain (sparse) ftruncate.
void reserve(int fd, std::size_t size, const std::string& path) {
    if (size > static_cast<std::size_t>(std::numeric_limits<off_t>::max())) throw_errno("posix_fallocate", path, EFBIG);
    int error;
    do error = posix_fallocate(fd, 0, static_cast<off_t>(size));
    while (error == EINTR);
    if (error == 0) return;
    if (error != EOPNOTSUPP && error != EINVAL) throw_errno("posix_fallocate", path, error);
    int result;
    do result = ftruncate(fd, static_cast<off_t>(size));
    while (result != 0 && errno == EINTR);
    if (result != 0) throw_errno("ftruncate", path, errno);
}

void require_nonzero(std::size_t size) {
    if (size == 0) throw std::invalid_argument("shm: shared memory size must be positive, not 0");
}

}  // namespace

std::string segment_path(std::string_view name) {
    if (name.empty() || name.size() > kMaxNameLength)
        throw std::invalid_argument("shm: shared memory name must be 1.." + std::to_string(kMaxNameLength) +
                                    " bytes long, not " + std::to_string(name.size()));
    for (const char c : name)
        if (c == '/' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
            throw std::invalid_argument("shm: shared memory name \"" + std::string(name) +
                                        "\" must not hold '/' or control characters");
    return "/" + std::string(kNamePrefix) + std::string(name);
}

SharedMemory::SharedMemory(std::string name, std::byte* base, std::size_t size, pid_t owner_pid)
    : name_(std::move(name)), base_(base), size_(size), owner_pid_(owner_pid) {}

bool remove(std::string_view name) { return sync::internal::remove_shm_object(segment_path(name)); }

SharedMemory SharedMemory::create(std::string_view name, std::size_t size, const Access& access) {
    const std::string path = segment_path(name);
    require_nonzero(size);
    sync::internal::validate_mode(access.mode, "shm");
    const Fd fd = open_shm_object(path, O_CREAT | O_EXCL | O_RDWR, access);
    try {
        reserve(fd.get(), size, path);
        return SharedMemory(std::string(name), map_shared(fd.get(), size, path), size, getpid());
    } catch (...) {
        shm_unlink(path.c_str());
        throw;
    }
}

SharedMemory SharedMemory::attach(std::string_view name, const Access& access) {
    const std::string path = segment_path(name);
    sync::internal::validate_mode(access.mode, "shm");
    const Fd fd = open_shm_object(path, O_RDWR, access);
    struct stat status {};
    if (fstat(fd.get(), &status) != 0) throw_errno("fstat", path, errno);
    const auto size = static_cast<std::size_t>(status.st_size);
    std::byte* base = size == 0 ? nullptr : map_shared(fd.get(), size, path);
    return SharedMemory(std::string(name), base, size, 0);
}

SharedMemory SharedMemory::anonymous(std::size_t size) {
    require_nonzero(size);
    return SharedMemory(std::string(), map_shared(-1, size, "anonymous"), size, 0);
}

SharedMemory::SharedMemory(SharedMemory&& other) noexcept
    : name_(std::move(other.name_)),
      base_(std::exchange(other.base_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      owner_pid_(std::exchange(other.owner_pid_, 0)) {}

SharedMemory& SharedMemory::operator=(SharedMemory&& other) noexcept {
    if (this != &other) {
        reset();
        name_ = std::move(other.name_);
        base_ = std::exchange(other.base_, nullptr);
        size_ = std::exchange(other.size_, 0);
        owner_pid_ = std::exchange(other.owner_pid_, 0);
    }
    return *this;
}

SharedMemory::~SharedMemory() { reset(); }

void SharedMemory::reset() noexcept {
    close();
    // Only the creating process unlinks: a forked child's copy must not.
    if (owner_pid_ != 0 && owner_pid_ == getpid()) shm_unlink(segment_path(name_).c_str());
    owner_pid_ = 0;
}

void SharedMemory::close() noexcept {
    if (base_ != nullptr) munmap(base_, size_);
    base_ = nullptr;
    size_ = 0;
}

void SharedMemory::unlink() {
    if (name_.empty()) throw std::logic_error("shm: an anonymous shared memory segment has no name to unlink");
    owner_pid_ = 0;
    const std::string path = segment_path(name_);
    if (shm_unlink(path.c_str()) != 0) throw_errno("shm_unlink", path, errno);
}

}  // namespace mp::shm

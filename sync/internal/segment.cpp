#include "sync/internal/segment.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <new>
#include <stdexcept>
#include <system_error>
#include <utility>

namespace mp::sync::internal {

namespace {

constexpr std::uint32_t kReady = 0x6d707379;  // "mpsy"
constexpr std::uint32_t kVersion = 1;

[[noreturn]] void throw_errno(const std::string& call, std::string_view name) {
    throw std::system_error(errno, std::generic_category(), call + "(\"" + segment_path(name) + "\")");
}

// An fd closed on every path out.
struct Fd {
    int fd;
    ~Fd() {
        if (fd >= 0) close(fd);
    }
};

void* map(int fd, std::size_t size, std::string_view name) {
    void* base = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (base == MAP_FAILED) throw_errno("mmap", name);
    return base;
}

// An flock held until the end of the scope. Released explicitly: closing the fd
// is not enough, since our mapping keeps the open file description alive.
class FileLock {
public:
    FileLock(int fd, int operation, std::string_view name) : fd_(fd) {
        while (flock(fd, operation) != 0)
            if (errno != EINTR) throw_errno("flock", name);
    }
    ~FileLock() { flock(fd_, LOCK_UN); }
    FileLock(const FileLock&) = delete;
    FileLock& operator=(const FileLock&) = delete;

private:
    int fd_;
};

SegmentHeader* header_of(void* base) { return static_cast<SegmentHeader*>(base); }

void construct_in(void* base, Kind kind, std::size_t state_size, const std::function<void(void*)>& construct) {
    auto* header = new (base) SegmentHeader{};
    header->version = kVersion;
    header->kind = kind;
    header->state_size = static_cast<std::uint32_t>(state_size);
    construct(static_cast<char*>(base) + kStateOffset);
    header->ready.store(kReady, std::memory_order_release);
}

bool is_ready(const void* base) {
    return static_cast<const SegmentHeader*>(base)->ready.load(std::memory_order_acquire) == kReady;
}

}  // namespace

const char* kind_name(Kind kind) {
    switch (kind) {
        case Kind::lock: return "Lock";
        case Kind::rlock: return "RLock";
        case Kind::semaphore: return "Semaphore";
        case Kind::bounded_semaphore: return "BoundedSemaphore";
        case Kind::event: return "Event";
        case Kind::condition: return "Condition";
        case Kind::barrier: return "Barrier";
    }
    return "unknown";
}

void validate_name(std::string_view name) {
    const auto bad = [&](const std::string& why) {
        throw std::invalid_argument("sync: bad name \"" + std::string(name) + "\": " + why);
    };
    if (name.empty()) bad("empty");
    if (name.size() > kMaxNameLength) bad("longer than " + std::to_string(kMaxNameLength) + " characters");
    if (name.front() == '.') bad("starts with '.'");
    for (const char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                        c == '_' || c == '-';
        if (!ok) bad("only letters, digits, '.', '_' and '-' are allowed");
    }
}

std::string segment_path(std::string_view name) { return "/" + std::string(kSegmentPrefix) + std::string(name); }

Segment::Segment(Segment&& other) noexcept
    : base_(std::exchange(other.base_, nullptr)), size_(std::exchange(other.size_, 0)), storage_(other.storage_) {}

Segment& Segment::operator=(Segment&& other) noexcept {
    if (this != &other) {
        Segment gone(std::move(*this));
        base_ = std::exchange(other.base_, nullptr);
        size_ = std::exchange(other.size_, 0);
        storage_ = other.storage_;
    }
    return *this;
}

Segment::~Segment() {
    if (base_ == nullptr) return;
    if (storage_ == Storage::heap)
        ::operator delete(base_, std::align_val_t{alignof(SegmentHeader)});
    else
        munmap(base_, size_);
}

Segment Segment::anonymous(Kind kind, std::size_t state_size, const std::function<void(void*)>& construct) {
    const std::size_t size = kStateOffset + state_size;
    void* base = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED)
        throw std::system_error(errno, std::generic_category(), std::string("mmap(anonymous ") + kind_name(kind) + ")");
    Segment segment(base, size);
    construct_in(base, kind, state_size, construct);
    return segment;
}

Segment Segment::private_heap(Kind kind, std::size_t state_size, const std::function<void(void*)>& construct) {
    const std::size_t size = kStateOffset + state_size;
    Segment segment(::operator new(size, std::align_val_t{alignof(SegmentHeader)}), size, Storage::heap);
    construct_in(segment.base_, kind, state_size, construct);
    return segment;
}

Segment Segment::open_or_create(std::string_view name, Kind kind, std::size_t state_size,
                                const std::function<void(void*)>& construct) {
    validate_name(name);
    const std::string path = segment_path(name);
    const std::size_t size = kStateOffset + state_size;
    Fd fd{shm_open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666)};
    if (fd.fd < 0) throw_errno("shm_open", name);
    // Held while checking and, if needed, building: a creator that dies midway
    // drops it, and the next opener finds the segment unready and rebuilds it.
    const FileLock building(fd.fd, LOCK_EX, name);
    struct stat st{};
    if (fstat(fd.fd, &st) != 0) throw_errno("fstat", name);
    const auto existing = static_cast<std::size_t>(st.st_size);

    if (existing >= kStateOffset) {
        Segment segment(map(fd.fd, existing, name), existing);
        if (is_ready(segment.base_)) {
            const SegmentHeader* header = header_of(segment.base_);
            if (header->version != kVersion || header->state_size != state_size || existing != size ||
                header->kind != kind)
                throw std::invalid_argument("sync: \"" + std::string(name) + "\" is a " + kind_name(header->kind) +
                                            (header->kind == kind ? " of another version" : "") + ", not a " +
                                            kind_name(kind) + " (remove it with: bin/sync rm " +
                                            std::string(name) + ")");
            return segment;
        }
    }
    // New, or left unready by a creator that died: (re)build it from scratch.
    if (ftruncate(fd.fd, 0) != 0 || ftruncate(fd.fd, static_cast<off_t>(size)) != 0) throw_errno("ftruncate", name);
    Segment segment(map(fd.fd, size, name), size);
    construct_in(segment.base_, kind, state_size, construct);
    return segment;
}

Segment Segment::open_existing(std::string_view name) {
    validate_name(name);
    const std::string path = segment_path(name);
    Fd fd{shm_open(path.c_str(), O_RDWR | O_CLOEXEC, 0)};
    if (fd.fd < 0) throw_errno("shm_open", name);
    const FileLock reading(fd.fd, LOCK_SH, name);  // never look at one half-built
    struct stat st{};
    if (fstat(fd.fd, &st) != 0) throw_errno("fstat", name);
    const auto size = static_cast<std::size_t>(st.st_size);
    if (size < kStateOffset) {
        errno = ENOENT;
        throw_errno("open (not initialized)", name);
    }
    Segment segment(map(fd.fd, size, name), size);
    if (!is_ready(segment.base_) || header_of(segment.base_)->state_size + kStateOffset != size) {
        errno = ENOENT;
        throw_errno("open (not initialized)", name);
    }
    return segment;
}

}  // namespace mp::sync::internal

#include "sync/internal/segment.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <new>
#include <stdexcept>
#include <utility>

#include "sync/internal/os_error.hpp"
#include "sync/internal/shm_object.hpp"

namespace mp::sync::internal {

namespace {

constexpr std::uint32_t kReady = 0x6d707379;  // "mpsy"
constexpr std::uint32_t kVersion = 1;

// Throws errno for `call` on the segment of `name`.
[[noreturn]] void fail(const std::string& call, std::string_view name) { throw_errno(call, segment_path(name)); }

// "a Lock", "an Event": for messages that name a kind.
std::string with_article(std::string_view kind) {
    const bool vowel = !kind.empty() && std::string_view("AEIOU").find(kind.front()) != std::string_view::npos;
    return (vowel ? "an " : "a ") + std::string(kind);
}

void* map(int fd, std::size_t size, std::string_view name) {
    void* base = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (base == MAP_FAILED) fail("mmap", name);
    return base;
}

// An flock held until the end of the scope. Released explicitly: closing the fd
// is not enough, since our mapping keeps the open file description alive.
class FileLock {
public:
    FileLock(int fd, int operation, std::string_view name) : fd_(fd) {
        while (flock(fd, operation) != 0)
            if (errno != EINTR) fail("flock", name);
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
        throw_errno(std::string("mmap(anonymous ") + kind_name(kind) + ")");
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
                                const std::function<void(void*)>& construct, const Access& access) {
    validate_name(name);
    validate_mode(access.mode, "sync");
    const std::string path = segment_path(name);
    const std::size_t size = kStateOffset + state_size;
    const Fd fd = open_shm_object(path, O_RDWR | O_CREAT, access);
    // Held while checking and, if needed, building: a creator that dies midway
    // drops it, and the next opener finds the segment unready and rebuilds it.
    const FileLock building(fd.get(), LOCK_EX, name);
    struct stat st{};
    if (fstat(fd.get(), &st) != 0) fail("fstat", name);
    const auto existing = static_cast<std::size_t>(st.st_size);

    if (existing >= kStateOffset) {
        Segment segment(map(fd.get(), existing, name), existing);
        if (is_ready(segment.base_)) {
            const SegmentHeader* header = header_of(segment.base_);
            if (header->version != kVersion || header->state_size != state_size || existing != size ||
                header->kind != kind)
                throw std::invalid_argument("sync: \"" + std::string(name) + "\" is " + with_article(kind_name(header->kind)) +
                                            (header->kind == kind ? " of another version" : "") + ", not " +
                                            with_article(kind_name(kind)) + " (remove it with: bin/sync rm " +
                                            std::string(name) + ")");
            return segment;
        }
    }
    // New, or left unready by a creator that died: (re)build it from scratch.
    if (ftruncate(fd.get(), 0) != 0 || ftruncate(fd.get(), static_cast<off_t>(size)) != 0) fail("ftruncate", name);
    // Its pages now: on a full /dev/shm a sparse segment fails only when first
    // touched, with SIGBUS; reserving them turns that into ENOSPC, an error.
    if (const int error = posix_fallocate(fd.get(), 0, static_cast<off_t>(size)); error != 0) {
        errno = error;
        fail("posix_fallocate", name);
    }
    Segment segment(map(fd.get(), size, name), size);
    construct_in(segment.base_, kind, state_size, construct);
    return segment;
}

Segment Segment::open_existing(std::string_view name) {
    validate_name(name);
    const std::string path = segment_path(name);
    const Fd fd = open_shm_object(path, O_RDWR, Access{.mode = 0777});
    const FileLock reading(fd.get(), LOCK_SH, name);  // never look at one half-built
    struct stat st{};
    if (fstat(fd.get(), &st) != 0) fail("fstat", name);
    const auto size = static_cast<std::size_t>(st.st_size);
    if (size < kStateOffset) {
        errno = ENOENT;
        fail("open (not initialized)", name);
    }
    Segment segment(map(fd.get(), size, name), size);
    if (!is_ready(segment.base_) || header_of(segment.base_)->state_size + kStateOffset != size) {
        errno = ENOENT;
        fail("open (not initialized)", name);
    }
    return segment;
}

}  // namespace mp::sync::internal

#include "shm/segment_header.hpp"

#include <unistd.h>

#include <atomic>
#include <cstring>

#include "shm/internal/layout.hpp"
#include "sync/internal/fnv1a.hpp"
#include "sync/internal/process_identity.hpp"
#include "shm/lock.hpp"

namespace mp::shm {

namespace internal {

namespace {

// FNV-1a, fed field by field so padding never counts.
class Fnv1a {
public:
    template <class Field>
    void add(const Field& field) {
        unsigned char bytes[sizeof(Field)];
        std::memcpy(bytes, &field, sizeof(Field));
        for (const unsigned char byte : bytes) hash_ = sync::internal::fnv1a_byte(hash_, byte);
    }
    std::uint64_t value() const { return hash_; }

private:
    std::uint64_t hash_ = sync::internal::kFnv1aSeed;
};

std::size_t round_up(std::size_t value, std::size_t alignment) {
    return (value + alignment - 1) / alignment * alignment;
}

}  // namespace

std::uint64_t header_checksum(const RawHeader& header) {
    Fnv1a hash;
    hash.add(header.version);
    hash.add(header.data_offset);
    hash.add(header.count);
    hash.add(header.type_tag);
    hash.add(header.creator_start_time);
    hash.add(header.creator_pid);
    hash.add(header.element_size);
    hash.add(header.type_code);
    hash.add(header.flags);
    hash.add(header.lock_size);
    return hash.value();
}

std::size_t data_offset_for(bool has_lock, std::size_t element_align) {
    return round_up(kLockOffset + (has_lock ? sizeof(Lock) : 0), element_align);
}

void write_header(RawHeader& header, const HeaderInfo& info) {
    header.version = kVersion;
    header.data_offset = static_cast<std::uint32_t>(info.data_offset);
    header.count = info.count;
    header.type_tag = info.type_tag;
    const sync::internal::ProcessIdentity creator = sync::internal::self_identity();
    header.creator_pid = creator.pid;
    header.creator_start_time = creator.start_time;
    header.element_size = info.element_size;
    header.type_code = static_cast<char>(info.type_code);
    header.flags = info.has_lock ? kHasLockFlag : 0;
    header.lock_size = info.has_lock ? sizeof(Lock) : 0;
    header.checksum = header_checksum(header);
}

void publish(RawHeader& header) { std::atomic_ref(header.magic).store(kMagic, std::memory_order_release); }

}  // namespace internal

std::size_t header_size() { return sizeof(internal::RawHeader); }

namespace {

[[noreturn]] void damaged(std::string_view name, const std::string& why) {
    throw DamagedSegment("shm: shared memory segment \"" + std::string(name) + "\" " + why);
}

bool valid_type_code(char letter) {
    return letter == static_cast<char>(TypeCode::Opaque) || parse_type_code(letter).has_value();
}

}  // namespace

HeaderInfo read_header(std::span<const std::byte> header_bytes, std::size_t segment_size, std::string_view name) {
    using internal::RawHeader;
    if (segment_size < sizeof(RawHeader) || header_bytes.size() < sizeof(RawHeader))
        damaged(name, "is too small for a typed segment header (" + std::to_string(segment_size) + " bytes, need at least " +
                          std::to_string(sizeof(RawHeader)) + ")");
    // The magic is read first, with acquire ordering: once it is set, every field the
    // creator wrote before publishing it is visible. (atomic_ref needs a non-const
    // object; this only loads.)
    auto& published = const_cast<RawHeader*>(reinterpret_cast<const RawHeader*>(header_bytes.data()))->magic;
    const std::uint64_t magic = std::atomic_ref(published).load(std::memory_order_acquire);
    if (magic == 0)
        damaged(name, "is not initialized (its creator is still writing it, or died while creating it)");
    if (magic != internal::kMagic) damaged(name, "is not a typed mp::shm segment (bad magic number)");
    RawHeader header;
    std::memcpy(&header, header_bytes.data(), sizeof header);
    if (header.version != internal::kVersion)
        damaged(name, "has layout version " + std::to_string(header.version) + "; this library reads version " +
                          std::to_string(internal::kVersion));
    if (header.checksum != internal::header_checksum(header)) damaged(name, "has a corrupt header (checksum mismatch)");

    HeaderInfo info;
    info.type_code = static_cast<TypeCode>(header.type_code);
    info.element_size = header.element_size;
    info.count = header.count;
    info.type_tag = header.type_tag;
    info.creator_pid = header.creator_pid;
    info.creator_start_time = header.creator_start_time;
    info.has_lock = (header.flags & internal::kHasLockFlag) != 0;
    info.data_offset = header.data_offset;

    const bool scalar = info.type_code != TypeCode::Opaque;
    if (!valid_type_code(header.type_code) || info.element_size == 0 ||
        (scalar && (info.element_size != type_size(info.type_code) || info.data_offset % info.element_size != 0)) ||
        info.data_offset < internal::kLockOffset + (info.has_lock ? sizeof(Lock) : 0) ||
        (header.flags & ~internal::kHasLockFlag) != 0)
        damaged(name, "has an inconsistent header (type code, element size, flags or data offset)");
    if (header.lock_size != (info.has_lock ? sizeof(Lock) : 0))
        damaged(name, "was made with a " + std::to_string(header.lock_size) + "-byte lock; this build's lock is " +
                          std::to_string(sizeof(Lock)) + " bytes (another version of mp::sync)");
    // count * element_size + data_offset, without overflow.
    if (info.count > (SIZE_MAX - info.data_offset) / info.element_size)
        damaged(name, "has an impossible element count " + std::to_string(info.count));
    info.segment_size = info.data_offset + info.count * info.element_size;
    if (info.segment_size != segment_size)
        damaged(name, "is " + std::to_string(segment_size) + " bytes long, but its header describes " +
                          std::to_string(info.segment_size) + " bytes");
    return info;
}

}  // namespace mp::shm

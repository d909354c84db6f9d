#include "shm/internal/typed_segment.hpp"

#include <new>
#include <stdexcept>

#include "shm/internal/layout.hpp"

namespace mp::shm::internal {

namespace {

HeaderInfo plan(const ElementType& type, std::uint64_t count, Options options) {
    HeaderInfo info;
    info.type_code = type.code;
    info.element_size = type.size;
    info.count = count;
    info.type_tag = type.tag;
    info.has_lock = options.lock;
    info.data_offset = data_offset_for(options.lock, type.align);
    if (count > (SIZE_MAX - info.data_offset) / type.size)
        throw std::length_error("shm: shared memory array of " + std::to_string(count) + " elements is too large");
    info.segment_size = info.data_offset + count * type.size;
    return info;
}

std::string describe(TypeCode code, std::uint32_t size) {
    if (code == TypeCode::Opaque) return "opaque " + std::to_string(size) + "-byte elements";
    return describe_type_code(code) + " elements";
}

}  // namespace

TypedSegment TypedSegment::initialize(SharedMemory memory, const HeaderInfo& info) {
    auto& header = *reinterpret_cast<RawHeader*>(memory.data().data());
    write_header(header, info);
    if (info.has_lock) new (memory.data().data() + kLockOffset) Lock();
    TypedSegment segment(std::move(memory), info);
    segment.info_.creator_pid = header.creator_pid;
    segment.info_.creator_start_time = header.creator_start_time;
    return segment;
}

TypedSegment TypedSegment::create(std::string_view name, const ElementType& type, std::uint64_t count,
                                  Options options, const Access& access) {
    const HeaderInfo info = plan(type, count, options);
    return initialize(SharedMemory::create(name, info.segment_size, access), info);
}

TypedSegment TypedSegment::anonymous(const ElementType& type, std::uint64_t count, Options options) {
    const HeaderInfo info = plan(type, count, options);
    return initialize(SharedMemory::anonymous(info.segment_size), info);
}

void TypedSegment::publish() { internal::publish(*reinterpret_cast<RawHeader*>(memory_.data().data())); }

TypedSegment TypedSegment::attach(std::string_view name, const ElementType* expected,
                                  std::optional<std::uint64_t> expected_count, const Access& access) {
    SharedMemory memory = SharedMemory::attach(name, access);
    const HeaderInfo info = read_header(memory.data(), memory.size(), name);
    const std::string subject = "shm: shared memory segment \"" + std::string(name) + "\" holds ";
    if (expected != nullptr) {
        if (info.type_code != expected->code || info.element_size != expected->size || info.type_tag != expected->tag) {
            std::string why = subject + describe(info.type_code, info.element_size) + ", not " +
                              describe(expected->code, expected->size);
            if (expected->code == TypeCode::Opaque && info.type_code == TypeCode::Opaque)
                why += " of the same C++ type";
            throw WrongType(why);
        }
        if (info.data_offset % expected->align != 0)
            throw DamagedSegment(subject + "elements misaligned for their type (data offset " +
                                 std::to_string(info.data_offset) + ")");
    }
    if (expected_count && info.count != *expected_count)
        throw WrongLength(subject + std::to_string(info.count) + " elements, not " + std::to_string(*expected_count));
    return TypedSegment(std::move(memory), info);
}

Lock& TypedSegment::lock() const {
    if (!info_.has_lock)
        throw std::logic_error("shm: shared memory segment " + display_name() + " was created without a lock (lock=false)");
    return *std::launder(reinterpret_cast<Lock*>(memory_.data().data() + kLockOffset));
}

void TypedSegment::throw_owner_died() const {
    throw LockOwnerDied("shm: the previous holder of the lock of shared memory segment " + display_name() +
                        " died while holding it; its data may be half-updated");
}

std::string TypedSegment::display_name() const {
    return memory_.name().empty() ? std::string("(anonymous)") : "\"" + memory_.name() + "\"";
}

}  // namespace mp::shm::internal

// DynamicArray: a typed segment whose element type is known only at run time, from
// the type code in its header. What bin/shm uses; also for tools that inspect
// segments other programs made.
//
//   auto a = mp::shm::DynamicArray::attach("counter");
//   a.type_code();                              // TypeCode::Int
//   a.set(0, mp::shm::parse_scalar(a.type_code(), "-5"));
//   a.add(0, std::int64_t{1});                  // -> -4, under the segment's lock
//
// Elements travel as Scalar (see type_code.hpp). get/set are single indivisible
// accesses (lock-free atomics); add is a read-modify-write made under the segment's
// lock when it has one, and as a compare-and-swap loop in every case, so it is exact
// against both with_lock users and lock-free fetch_add users. Opaque segments
// attach (to read their header) but have no element access.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "shm/internal/typed_segment.hpp"
#include "shm/options.hpp"
#include "shm/type_code.hpp"

namespace mp::shm {

class DynamicArray {
public:
    // Creates segment `name` of `count` elements of scalar code `code`, each set to
    // `fill`, with mode access.mode. Owns the name. Throws std::invalid_argument for
    // TypeCode::Opaque or a bad mode, std::out_of_range when `fill` does not fit the
    // type, std::system_error (EEXIST).
    [[nodiscard]] static DynamicArray create(std::string_view name, TypeCode code, std::size_t count,
                                             const Scalar& fill = std::int64_t{0}, Options options = {},
                                             const Access& access = {});
    // Attaches to any typed segment, checked with `access` as SharedMemory::attach.
    // Throws std::system_error (ENOENT, EACCES), DamagedSegment.
    [[nodiscard]] static DynamicArray attach(std::string_view name, const Access& access = {});

    TypeCode type_code() const { return segment_.info().type_code; }
    std::size_t size() const { return static_cast<std::size_t>(segment_.info().count); }
    const HeaderInfo& info() const { return segment_.info(); }

    // Element `index`, read indivisibly. Throws std::out_of_range past the end,
    // std::logic_error for an opaque segment.
    Scalar get(std::size_t index) const;
    // Elements [first, last), each read indivisibly (not a snapshot of the whole).
    std::vector<Scalar> slice(std::size_t first, std::size_t last) const;
    // Writes element `index` indivisibly. Throws std::out_of_range past the end or when
    // `value` does not fit the type ('b' and 300), std::logic_error when opaque.
    void set(std::size_t index, const Scalar& value);
    // Adds `delta` to element `index` and returns the new value (see the preamble).
    // Throws std::overflow_error when the result does not fit the type (nothing is
    // written), std::invalid_argument for 'c', std::out_of_range past the end,
    // LockOwnerDied when the lock's previous holder died holding it.
    Scalar add(std::size_t index, const Scalar& delta);

    // The segment's lock; throws std::logic_error when it has none.
    Lock& get_lock() const { return segment_.lock(); }
    bool has_lock() const { return segment_.has_lock(); }

    const std::string& name() const { return segment_.memory().name(); }
    bool owns_name() const { return segment_.memory().owns_name(); }
    void release() noexcept { segment_.memory().release(); }
    void unlink() { segment_.memory().unlink(); }

private:
    explicit DynamicArray(internal::TypedSegment segment) : segment_(std::move(segment)) {}
    std::size_t check(std::size_t index) const;

    internal::TypedSegment segment_;
};

}  // namespace mp::shm

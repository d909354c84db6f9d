#include "shm/dynamic_array.hpp"

#include <atomic>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "shm/internal/element_access.hpp"

namespace mp::shm {

namespace {

__extension__ typedef __int128 Wide;  // holds every int64 and uint64 and their sums

// The integer range an element of T holds: 'c' is a byte, 0..255.
template <class T>
using IntegerRange = std::conditional_t<std::is_same_v<T, char>, unsigned char, T>;

template <class T>
bool in_range(Wide value) {
    using Limits = std::numeric_limits<IntegerRange<T>>;
    return value >= static_cast<Wide>(Limits::min()) && value <= static_cast<Wide>(Limits::max());
}

template <class T>
bool real_fits(double value) {
    return std::isfinite(value) && (!std::is_same_v<T, float> || std::fabs(value) <= std::numeric_limits<float>::max());
}

// Whether `value` can be stored in an element of T without changing it.
template <class T>
bool fits(const Scalar& value) {
    return std::visit(
        [](auto v) {
            if constexpr (std::is_floating_point_v<T>) return real_fits<T>(static_cast<double>(v));
            else if constexpr (std::is_same_v<decltype(v), double>) return false;
            else return in_range<T>(static_cast<Wide>(v));
        },
        value);
}

// A value as a plain number for messages, whatever type it is meant for.
std::string number_text(const Scalar& value) {
    return format_scalar(std::holds_alternative<double>(value) ? TypeCode::Double : TypeCode::LongLong, value);
}

std::string code_text(TypeCode code) {
    return describe_type_code(code) + ": " + type_range(code);
}

template <class T>
T& element_at(const internal::TypedSegment& segment, std::size_t index) {
    return internal::element<T>(segment, index);
}

// Calls fn(std::type_identity<T>) for the segment's scalar type; throws for opaque.
template <class Fn>
decltype(auto) visit_elements(const internal::TypedSegment& segment, Fn&& fn) {
    const TypeCode code = segment.info().type_code;
    if (code == TypeCode::Opaque)
        throw std::logic_error("shm: shared memory segment \"" + segment.memory().name() +
                               "\" holds opaque elements: no scalar view");
    return visit_type_code(code, std::forward<Fn>(fn));
}

// element += delta as a compare-and-swap loop; the new value, or overflow_error.
template <class T>
Scalar add_checked(T& element, const Scalar& delta, TypeCode code) {
    std::atomic_ref<T> atomic(element);
    T old = atomic.load();
    for (;;) {
        T next;
        if constexpr (std::is_floating_point_v<T>) {
            const double sum = static_cast<double>(old) + std::visit([](auto d) { return static_cast<double>(d); }, delta);
            if (!real_fits<T>(sum))
                throw std::overflow_error("shm: the sum does not fit type " + code_text(code));
            next = static_cast<T>(sum);
        } else {
            const Wide sum = static_cast<Wide>(static_cast<IntegerRange<T>>(old)) +
                             std::visit([](auto d) { return static_cast<Wide>(d); }, delta);
            if (!in_range<T>(sum))
                throw std::overflow_error("shm: adding " + number_text(delta) + " to " +
                                          format_scalar(code, to_scalar(old)) + " overflows type " + code_text(code));
            next = static_cast<T>(static_cast<IntegerRange<T>>(sum));
        }
        if (atomic.compare_exchange_weak(old, next)) return to_scalar(next);
    }
}

}  // namespace

DynamicArray DynamicArray::create(std::string_view name, TypeCode code, std::size_t count, const Scalar& fill,
                                  Options options, const Access& access) {
    if (code == TypeCode::Opaque) throw std::invalid_argument("shm: DynamicArray::create: needs a scalar type code, not 'V'");
    return visit_type_code(code, [&]<class T>(std::type_identity<T>) {
        if (!fits<T>(fill))
            throw std::out_of_range("shm: " + number_text(fill) +
                                    " is out of range for type " + code_text(code));
        auto segment = internal::TypedSegment::create(name, internal::element_type_of<T>(), count, options, access);
        const T value = from_scalar<T>(fill);
        if (value != T{})  // a new segment is zero-filled already
            for (std::size_t i = 0; i < count; ++i) element_at<T>(segment, i) = value;
        segment.publish();
        return DynamicArray(std::move(segment));
    });
}

DynamicArray DynamicArray::attach(std::string_view name, const Access& access) {
    return DynamicArray(internal::TypedSegment::attach(name, nullptr, std::nullopt, access));
}

std::size_t DynamicArray::check(std::size_t index) const {
    if (index >= size())
        throw std::out_of_range("shm: index " + std::to_string(index) + " is out of range for \"" + name() + "\", which holds " +
                                std::to_string(size()) + " elements");
    return index;
}

Scalar DynamicArray::get(std::size_t index) const {
    return visit_elements(segment_, [&]<class T>(std::type_identity<T>) {
        return to_scalar(internal::load_element(segment_, element_at<T>(segment_, check(index)), std::memory_order_seq_cst));
    });
}

std::vector<Scalar> DynamicArray::slice(std::size_t first, std::size_t last) const {
    if (first > last || last > size())
        throw std::out_of_range("shm: slice " + std::to_string(first) + ":" + std::to_string(last) + " is out of range for \"" +
                                name() + "\", which holds " + std::to_string(size()) + " elements");
    std::vector<Scalar> values;
    for (std::size_t i = first; i < last; ++i) values.push_back(get(i));
    return values;
}

void DynamicArray::set(std::size_t index, const Scalar& value) {
    visit_elements(segment_, [&]<class T>(std::type_identity<T>) {
        T& element = element_at<T>(segment_, check(index));
        if (!fits<T>(value))
            throw std::out_of_range("shm: " + number_text(value) + " is out of range for type " + code_text(type_code()));
        internal::store_element(segment_, element, from_scalar<T>(value), std::memory_order_seq_cst);
    });
}

Scalar DynamicArray::add(std::size_t index, const Scalar& delta) {
    if (type_code() == TypeCode::Char)
        throw std::invalid_argument("shm: elements of type 'c' (char) are characters, not numbers: nothing to add");
    return visit_elements(segment_, [&]<class T>(std::type_identity<T>) {
        T& element = element_at<T>(segment_, check(index));
        if (!has_lock()) return add_checked(element, delta, type_code());
        return segment_.with_lock([&] { return add_checked(element, delta, type_code()); });
    });
}

}  // namespace mp::shm

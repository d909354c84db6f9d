// TypeCode: Python's array/ctypes type codes `c b B h H i I l L q Q f d`, which name
// the element type of a typed segment, plus `V` for any other trivially copyable C++
// type (an opaque record identified by its size and a hash of its type name).
//
// The code is what a segment's header records, what `bin/shm` takes on its command
// line, and what the runtime-typed view (DynamicArray) dispatches on. Each code maps
// to exactly one C++ type, as in ctypes: 'l' is `long`, 'q' is `long long`, even
// where both are 64 bits; `std::int64_t` is `long` on Linux and so is 'l'.
//
// Scalar is how the runtime view carries one element: signed codes as int64,
// unsigned codes and 'c' (one byte) as uint64, 'f' and 'd' as double.
#pragma once

#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>

namespace mp::shm {

enum class TypeCode : char {
    Char = 'c',        // char (one byte, shown as a character)
    SignedChar = 'b',  // signed char
    UnsignedChar = 'B',
    Short = 'h',
    UnsignedShort = 'H',
    Int = 'i',
    UnsignedInt = 'I',
    Long = 'l',
    UnsignedLong = 'L',
    LongLong = 'q',
    UnsignedLongLong = 'Q',
    Float = 'f',
    Double = 'd',
    Opaque = 'V',  // any other trivially copyable type
};

// The type code of C++ type T: one of the 13 for the matching arithmetic type,
// TypeCode::Opaque for every other trivially copyable type.
template <class T>
constexpr TypeCode type_code_of() {
    static_assert(std::is_trivially_copyable_v<T>, "shared memory holds trivially copyable types only");
    using U = std::remove_cv_t<T>;
    if constexpr (std::is_same_v<U, char>) return TypeCode::Char;
    else if constexpr (std::is_same_v<U, signed char>) return TypeCode::SignedChar;
    else if constexpr (std::is_same_v<U, unsigned char>) return TypeCode::UnsignedChar;
    else if constexpr (std::is_same_v<U, short>) return TypeCode::Short;
    else if constexpr (std::is_same_v<U, unsigned short>) return TypeCode::UnsignedShort;
    else if constexpr (std::is_same_v<U, int>) return TypeCode::Int;
    else if constexpr (std::is_same_v<U, unsigned int>) return TypeCode::UnsignedInt;
    else if constexpr (std::is_same_v<U, long>) return TypeCode::Long;
    else if constexpr (std::is_same_v<U, unsigned long>) return TypeCode::UnsignedLong;
    else if constexpr (std::is_same_v<U, long long>) return TypeCode::LongLong;
    else if constexpr (std::is_same_v<U, unsigned long long>) return TypeCode::UnsignedLongLong;
    else if constexpr (std::is_same_v<U, float>) return TypeCode::Float;
    else if constexpr (std::is_same_v<U, double>) return TypeCode::Double;
    else return TypeCode::Opaque;
}

// Calls fn(std::type_identity<T>{}) with the C++ type of one of the 13 scalar codes
// and returns its result. Precondition: code is not Opaque.
template <class Fn>
decltype(auto) visit_type_code(TypeCode code, Fn&& fn) {
    switch (code) {
        case TypeCode::Char: return fn(std::type_identity<char>{});
        case TypeCode::SignedChar: return fn(std::type_identity<signed char>{});
        case TypeCode::UnsignedChar: return fn(std::type_identity<unsigned char>{});
        case TypeCode::Short: return fn(std::type_identity<short>{});
        case TypeCode::UnsignedShort: return fn(std::type_identity<unsigned short>{});
        case TypeCode::Int: return fn(std::type_identity<int>{});
        case TypeCode::UnsignedInt: return fn(std::type_identity<unsigned int>{});
        case TypeCode::Long: return fn(std::type_identity<long>{});
        case TypeCode::UnsignedLong: return fn(std::type_identity<unsigned long>{});
        case TypeCode::LongLong: return fn(std::type_identity<long long>{});
        case TypeCode::UnsignedLongLong: return fn(std::type_identity<unsigned long long>{});
        case TypeCode::Float: return fn(std::type_identity<float>{});
        case TypeCode::Double: break;
        case TypeCode::Opaque: break;
    }
    return fn(std::type_identity<double>{});
}

// The code for character `letter`, if it is one of the 13 scalar codes. 'V' is not
// accepted here: opaque segments are made from C++ types, never by name.
std::optional<TypeCode> parse_type_code(char letter);
// The 13 scalar codes in Python's order, as a string: "cbBhHiIlLqQfd".
inline constexpr std::string_view kScalarTypeCodes = "cbBhHiIlLqQfd";

// The C type a code stands for: "signed char", "unsigned long long", "opaque".
std::string_view type_name(TypeCode code);
// The size in bytes of one element of a scalar code (0 for Opaque).
std::size_t type_size(TypeCode code);
// True for the integer codes (every scalar code except c, f and d).
bool is_integer_code(TypeCode code);
// A code for messages: "'b' (signed char)".
std::string describe_type_code(TypeCode code);
// The range of values a scalar code holds, for messages: "-128..127".
std::string type_range(TypeCode code);

// One element of a scalar code, as the runtime view carries it (see the preamble).
using Scalar = std::variant<std::int64_t, std::uint64_t, double>;

// Reads `text` as a value of `code`: a decimal integer (with optional sign) for the
// integer codes, a finite real for f and d (f must fit a float), and exactly one
// character for c. Negative numbers are values ("-5").
// Throws std::invalid_argument when the text is not such a value and
// std::out_of_range when it is outside the code's range ('b' takes -128..127), each
// with a message that names the value and the code.
Scalar parse_scalar(TypeCode code, std::string_view text);

// Reads `text` as an amount to add to an element of `code`: any whole decimal that
// fits int64 or uint64 for the integer codes (so "-1" decrements an unsigned
// element), a finite real for f and d. Throws std::invalid_argument otherwise, and
// for 'c', which is a character and not a number; std::out_of_range for a real
// beyond double's range.
Scalar parse_delta(TypeCode code, std::string_view text);

// Writes a scalar as bin/shm prints it: integers in decimal, reals with enough digits
// to read back the same value, 'c' as the character itself (a non-printable byte as
// \xNN).
std::string format_scalar(TypeCode code, const Scalar& value);

// Converts an element of C++ type T to a Scalar and back; T is a scalar code's type.
template <class T>
Scalar to_scalar(T value) {
    if constexpr (std::is_floating_point_v<T>) return static_cast<double>(value);
    else if constexpr (std::is_same_v<T, char> || std::is_unsigned_v<T>)
        return static_cast<std::uint64_t>(static_cast<std::make_unsigned_t<T>>(value));
    else return static_cast<std::int64_t>(value);
}

// Precondition: `value` holds the alternative to_scalar<T> produces, in T's range
// (parse_scalar's results do).
template <class T>
T from_scalar(const Scalar& value) {
    return std::visit([](auto v) { return static_cast<T>(v); }, value);
}

}  // namespace mp::shm

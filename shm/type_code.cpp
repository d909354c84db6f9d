#include "shm/type_code.hpp"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <stdexcept>

namespace mp::shm {

std::optional<TypeCode> parse_type_code(char letter) {
    if (letter == '\0' || kScalarTypeCodes.find(letter) == std::string_view::npos) return std::nullopt;
    return static_cast<TypeCode>(letter);
}

std::string_view type_name(TypeCode code) {
    switch (code) {
        case TypeCode::Char: return "char";
        case TypeCode::SignedChar: return "signed char";
        case TypeCode::UnsignedChar: return "unsigned char";
        case TypeCode::Short: return "short";
        case TypeCode::UnsignedShort: return "unsigned short";
        case TypeCode::Int: return "int";
        case TypeCode::UnsignedInt: return "unsigned int";
        case TypeCode::Long: return "long";
        case TypeCode::UnsignedLong: return "unsigned long";
        case TypeCode::LongLong: return "long long";
        case TypeCode::UnsignedLongLong: return "unsigned long long";
        case TypeCode::Float: return "float";
        case TypeCode::Double: return "double";
        case TypeCode::Opaque: break;
    }
    return "opaque";
}

std::size_t type_size(TypeCode code) {
    if (code == TypeCode::Opaque) return 0;
    return visit_type_code(code, []<class T>(std::type_identity<T>) { return sizeof(T); });
}

bool is_integer_code(TypeCode code) {
    return code != TypeCode::Opaque && code != TypeCode::Char && code != TypeCode::Float &&
           code != TypeCode::Double;
}

std::string type_range(TypeCode code) {
    switch (code) {
        case TypeCode::Opaque: return "opaque bytes";
        case TypeCode::Char: return "one character";
        case TypeCode::Float: return "finite reals up to +-3.4e38";
        case TypeCode::Double: return "finite reals";
        default: break;
    }
    return visit_type_code(code, []<class T>(std::type_identity<T>) {
        using Limits = std::numeric_limits<T>;
        return std::to_string(+Limits::min()) + ".." + std::to_string(+Limits::max());
    });
}

std::string describe_type_code(TypeCode code) {
    return std::string("'") + static_cast<char>(code) + "' (" + std::string(type_name(code)) + ")";
}

namespace {

[[noreturn]] void throw_not_a_value(TypeCode code, std::string_view text) {
    throw std::invalid_argument("shm: \"" + std::string(text) + "\" is not a value of type " + describe_type_code(code) +
                                ", which takes " + type_range(code));
}

[[noreturn]] void throw_out_of_range(TypeCode code, std::string_view text) {
    throw std::out_of_range("shm: " + std::string(text) + " is out of range for type " + describe_type_code(code) + ": " +
                            type_range(code));
}

// A whole decimal number with an optional sign; out-of-range results in `too_big`.
template <class Wide>
std::optional<Wide> parse_decimal(std::string_view text, bool& too_big) {
    if (text.starts_with('+')) {
        text.remove_prefix(1);
        if (text.starts_with('-')) return std::nullopt;
    }
    // from_chars takes "-" only for signed types; "-0" for an unsigned code is fine.
    if constexpr (std::is_unsigned_v<Wide>) {
        if (text.starts_with('-')) {
            const std::string_view digits = text.substr(1);
            if (!digits.empty() && digits.find_first_not_of('0') == std::string_view::npos) return Wide{0};
            if (!digits.empty() && digits.find_first_not_of("0123456789") == std::string_view::npos) {
                too_big = true;
                return std::nullopt;
            }
        }
    }
    Wide value{};
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || end != text.data() + text.size()) return std::nullopt;
    if (error == std::errc::result_out_of_range) too_big = true;
    if (error != std::errc()) return std::nullopt;
    return value;
}

template <class T>
Scalar parse_integer(TypeCode code, std::string_view text) {
    using Wide = std::conditional_t<std::is_signed_v<T>, std::int64_t, std::uint64_t>;
    bool too_big = false;
    const std::optional<Wide> wide = parse_decimal<Wide>(text, too_big);
    if (too_big) throw_out_of_range(code, text);
    if (!wide) throw_not_a_value(code, text);
    if (*wide < static_cast<Wide>(std::numeric_limits<T>::min()) ||
        *wide > static_cast<Wide>(std::numeric_limits<T>::max()))
        throw_out_of_range(code, text);
    return *wide;
}

Scalar parse_real(TypeCode code, std::string_view text) {
    // strtod also takes "inf", "nan" and hex floats: plain decimals only.
    if (text.empty() || text.find_first_not_of("0123456789.eE+-") != std::string_view::npos)
        throw_not_a_value(code, text);
    const std::string copy(text);
    char* end = nullptr;
    errno = 0;
    const double value = std::strtod(copy.c_str(), &end);
    if (end != copy.c_str() + copy.size()) throw_not_a_value(code, text);
    if (errno == ERANGE && std::isinf(value)) throw_out_of_range(code, text);
    if (code == TypeCode::Float && std::fabs(value) > std::numeric_limits<float>::max())
        throw_out_of_range(code, text);
    return value;
}

}  // namespace

Scalar parse_scalar(TypeCode code, std::string_view text) {
    switch (code) {
        case TypeCode::Opaque:
            throw std::invalid_argument("shm: opaque elements have no text form");
        case TypeCode::Char:
            if (text.size() != 1) throw_not_a_value(code, text);
            return static_cast<std::uint64_t>(static_cast<unsigned char>(text.front()));
        case TypeCode::Float:
        case TypeCode::Double:
            return parse_real(code, text);
        default:
            return visit_type_code(code, [&]<class T>(std::type_identity<T>) { return parse_integer<T>(code, text); });
    }
}

Scalar parse_delta(TypeCode code, std::string_view text) {
    if (!is_integer_code(code)) {
        if (code == TypeCode::Float || code == TypeCode::Double) return parse_real(TypeCode::Double, text);
        throw std::invalid_argument("shm: elements of type " + describe_type_code(code) + " are not numbers: nothing to add");
    }
    bool too_big = false;
    if (const auto value = parse_decimal<std::int64_t>(text, too_big)) return *value;
    too_big = false;
    if (const auto value = parse_decimal<std::uint64_t>(text, too_big)) return *value;
    throw std::invalid_argument("shm: \"" + std::string(text) + "\" is not a whole number that fits 64 bits");
}

std::string format_scalar(TypeCode code, const Scalar& value) {
    if (code == TypeCode::Char) {
        const auto byte = static_cast<unsigned char>(std::get<std::uint64_t>(value));
        if (byte >= 0x20 && byte < 0x7f) return std::string(1, static_cast<char>(byte));
        char escaped[8];
        std::snprintf(escaped, sizeof escaped, "\\x%02x", byte);
        return escaped;
    }
    if (const double* real = std::get_if<double>(&value)) {
        char text[32];
        // Shortest of %.{6,9,17}g that reads back as the same float/double.
        for (const int digits : {6, 9, 17}) {
            std::snprintf(text, sizeof text, "%.*g", digits, *real);
            const double back = std::strtod(text, nullptr);
            if (code == TypeCode::Float ? static_cast<float>(back) == static_cast<float>(*real) : back == *real)
                break;
        }
        return text;
    }
    return std::visit([](auto v) { return std::to_string(v); }, value);
}

}  // namespace mp::shm

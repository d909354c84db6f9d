#include "ipc/object.hpp"

#include <bit>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <functional>
#include <limits>

namespace mp::ipc {

namespace {

const char* kind_name(Object::Kind kind) {
    static constexpr const char* kNames[] = {"NoneType", "bool", "int", "float", "str", "bytes", "list", "dict"};
    return kNames[static_cast<int>(kind)];
}

// Python's repr of a float: the shortest digits that read back exactly, in fixed
// notation when the decimal exponent is in [-4, 16), else d.ddde+XX.
std::string float_repr(double f) {
    if (std::isnan(f)) return "nan";
    if (std::isinf(f)) return f < 0 ? "-inf" : "inf";
    char buffer[64];
    const auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, f, std::chars_format::scientific);
    (void)error;  // 64 bytes hold any double
    const std::string_view text(buffer, static_cast<std::size_t>(end - buffer));
    const std::size_t e = text.find('e');
    const bool negative = text[0] == '-';
    std::string digits;
    for (char c : text.substr(0, e))
        if (c >= '0' && c <= '9') digits += c;
    const int exponent = std::stoi(std::string(text.substr(e + 1)));
    std::string out = negative ? "-" : "";
    if (exponent >= -4 && exponent < 16) {
        const int point = exponent + 1;  // digits before the decimal point
        if (point <= 0) {
            out += "0." + std::string(static_cast<std::size_t>(-point), '0') + digits;
        } else if (static_cast<std::size_t>(point) >= digits.size()) {
            out += digits + std::string(static_cast<std::size_t>(point) - digits.size(), '0') + ".0";
        } else {
            out += digits.substr(0, static_cast<std::size_t>(point)) + "." + digits.substr(static_cast<std::size_t>(point));
        }
        return out;
    }
    out += digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    char exp_text[16];
    std::snprintf(exp_text, sizeof exp_text, "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
    return out + exp_text;
}

// Python's quote choice: single quotes, unless the text has one and no double quote.
char quote_for(std::string_view text) {
    return text.find('\'') != std::string_view::npos && text.find('"') == std::string_view::npos ? '"' : '\'';
}

void append_hex(std::string& out, unsigned char c) {
    static constexpr char kHex[] = "0123456789abcdef";
    out += "\\x";
    out += kHex[c >> 4];
    out += kHex[c & 15];
}

// `text` quoted as Python's repr of a str (is_bytes false) or of bytes.
std::string quoted(std::string_view text, bool is_bytes) {
    const char quote = quote_for(text);
    std::string out = is_bytes ? "b" : "";
    out += quote;
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if (ch == quote || ch == '\\') {
            out += '\\';
            out += ch;
        } else if (ch == '\n') {
            out += "\\n";
        } else if (ch == '\r') {
            out += "\\r";
        } else if (ch == '\t') {
            out += "\\t";
        } else if (c < 0x20 || c == 0x7f || (is_bytes && c >= 0x80)) {
            append_hex(out, c);
        } else {
            out += ch;
        }
    }
    out += quote;
    return out;
}

bool is_number(Object::Kind kind) {
    return kind == Object::Kind::boolean || kind == Object::Kind::integer || kind == Object::Kind::floating;
}

// A float that is a whole number inside int64's range, as that integer.
std::optional<std::int64_t> as_exact_int(double f) {
    if (!(f >= -0x1p63 && f < 0x1p63) || std::trunc(f) != f) return std::nullopt;
    return static_cast<std::int64_t>(f);
}

bool numbers_equal(const Object& a, const Object& b) {
    if (a.kind() == Object::Kind::floating || b.kind() == Object::Kind::floating) {
        // An int compared with a float: exactly, as Python does (not through a rounding cast).
        if (a.kind() != Object::Kind::floating) return as_exact_int(b.as_float()) == a.as_int();
        if (b.kind() != Object::Kind::floating) return as_exact_int(a.as_float()) == b.as_int();
        return a.as_float() == b.as_float();
    }
    return a.as_int() == b.as_int();
}

}  // namespace

Object::Object(Dict d) : kind_(Kind::dict) { payload_.dict = new Dict(std::move(d)); }

void Object::throw_wrong_kind(Kind wanted) const {
    throw TypeError(std::string("ipc: Object holds a ") + kind_name(kind_) + ", not a " + kind_name(wanted));
}

void Object::copy_box() {
    switch (kind_) {
        case Kind::string:
            payload_.string = new std::string(*payload_.string);
            return;
        case Kind::bytes:
            payload_.bytes = new Bytes(*payload_.bytes);
            return;
        case Kind::list:
            payload_.list = new List(*payload_.list);
            return;
        case Kind::dict:
            payload_.dict = new Dict(*payload_.dict);
            return;
        default:
            return;
    }
}

void Object::release_box() noexcept {
    switch (kind_) {
        case Kind::string:
            delete payload_.string;
            return;
        case Kind::bytes:
            delete payload_.bytes;
            return;
        case Kind::list:
            delete payload_.list;
            return;
        case Kind::dict:
            delete payload_.dict;
            return;
        default:
            return;
    }
}

std::string Object::repr() const {
    switch (kind()) {
        case Kind::none:
            return "None";
        case Kind::boolean:
            return as_bool() ? "True" : "False";
        case Kind::integer:
            return std::to_string(as_int());
        case Kind::floating:
            return float_repr(as_float());
        case Kind::string:
            return quoted(as_string(), false);
        case Kind::bytes:
            return quoted(as_bytes().data, true);
        case Kind::list: {
            std::string out = "[";
            for (const Object& item : as_list()) out += (out.size() > 1 ? ", " : "") + item.repr();
            return out + "]";
        }
        case Kind::dict: {
            std::string out = "{";
            as_dict().for_each([&](const Object& key, const Object& value) {
                out += (out.size() > 1 ? ", " : "") + key.repr() + ": " + value.repr();
            });
            return out + "}";
        }
    }
    return {};
}

std::string Object::str() const { return kind() == Kind::string ? as_string() : repr(); }

std::size_t Object::hash_other() const {
    switch (kind()) {
        case Kind::none:
            return 0x9e3779b9u;
        case Kind::boolean:
        case Kind::integer:
            return std::hash<std::int64_t>{}(as_int());
        case Kind::floating:
            if (const auto whole = as_exact_int(as_float())) return std::hash<std::int64_t>{}(*whole);
            return std::hash<double>{}(as_float());
        case Kind::string:
            return std::hash<std::string_view>{}(as_string());
        case Kind::bytes:
            return ~std::hash<std::string_view>{}(as_bytes().data);
        case Kind::list:
        case Kind::dict:
            throw TypeError(std::string("ipc: unhashable type: '") + kind_name(kind()) + "'");
    }
    return 0;
}

bool operator==(const Object& a, const Object& b) {
    if (is_number(a.kind()) && is_number(b.kind())) return numbers_equal(a, b);
    if (a.kind() != b.kind()) return false;
    switch (a.kind()) {
        case Object::Kind::none:
            return true;
        case Object::Kind::string:
            return a.as_string() == b.as_string();
        case Object::Kind::bytes:
            return a.as_bytes() == b.as_bytes();
        case Object::Kind::list:
            return a.as_list() == b.as_list();
        case Object::Kind::dict:
            return a.as_dict() == b.as_dict();
        default:
            return false;  // numbers were compared above
    }
}

}  // namespace mp::ipc

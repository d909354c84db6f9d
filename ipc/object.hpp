// Object: a dynamically typed value with Python's semantics — None, bool, int,
// float, str, bytes, list and dict — for the mixed-type data Python programs share
// (a Manager's `d[1] = '1'; d['2'] = 2; d[0.25] = None`), printed as Python 3 does.
//
//   mp::ipc::Dict d;
//   d.set(1, "1");
//   d.set("2", 2);
//   d.set(0.25, mp::ipc::None{});
//   std::string text = mp::ipc::Object(d).repr();          // {1: '1', '2': 2, 0.25: None}
//   mp::ipc::List l{0, 1, 2};
//   std::string list_text = mp::ipc::Object(l).repr();     // [0, 1, 2]
//
// Semantics taken from Python 3:
// - Equality and hashing across numbers: 1 == 1.0 == True, so they are one dict key
//   (the first key inserted is kept, the value replaced). A str never equals bytes.
//   NaN is not equal to itself.
// - A list or dict is not hashable: using one as a key throws TypeError.
// - A Dict keeps insertion order; erasing keeps the order of the others.
// - repr: strings in single quotes unless they contain one and no double quote, with
//   \\, \n, \r, \t and \xNN escapes (UTF-8 text passes through); bytes as b'...';
//   floats in the shortest form that reads back exactly, as Python's repr (0.1,
//   1.0, 1e+16, 1.5e-07, inf, nan). str(): a string's own text, else repr.
// - int is 64-bit (Python's is unbounded).
//
// Object and Dict encode with the ipc codec (Connection::send, Queue, ...); decoding
// refuses nesting deeper than kMaxDepth levels (a hostile peer cannot blow the stack).
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "ipc/codec.hpp"
#include "ipc/errors.hpp"

namespace mp::ipc {

struct None {
    friend bool operator==(None, None) = default;
};

// Python's bytes: raw bytes, distinct from a str.
struct Bytes {
    std::string data;
    friend bool operator==(const Bytes&, const Bytes&) = default;
};

class Object;
class Dict;
using List = std::vector<Object>;

namespace internal {
void encode_object(Encoder& out, const Object& value);
Object decode_object(Decoder& in, int depth = 0);
void encode_dict(Encoder& out, const Dict& value);
// `value` encoded as an Object holding it would be, without making that Object.
void encode_dict_object(Encoder& out, const Dict& value);
Dict decode_dict(Decoder& in, int depth = 0);
}  // namespace internal

class Object {
public:
    enum class Kind : unsigned char { none, boolean, integer, floating, string, bytes, list, dict };
    static constexpr int kMaxDepth = 256;

    Object() = default;
    Object(None) {}
    Object(bool b) : value_(b) {}
    template <class I>
    requires(std::is_integral_v<I> && !std::is_same_v<I, bool> && !std::is_same_v<I, char>)
    Object(I i) : value_(static_cast<std::int64_t>(i)) {}
    Object(double f) : value_(f) {}
    Object(const char* s) : value_(std::string(s)) {}
    Object(std::string_view s) : value_(std::string(s)) {}
    Object(std::string s) : value_(std::move(s)) {}
    Object(Bytes b) : value_(std::move(b)) {}
    Object(List l) : value_(std::move(l)) {}
    Object(Dict d);

    // Out of line: GCC 12 warns falsely (maybe-uninitialized) where a variant
    // holding a std::string is moved inline, which -Werror would turn on users.
    Object(const Object& other);
    Object(Object&&) noexcept;
    Object& operator=(const Object& other);
    Object& operator=(Object&&) noexcept;
    ~Object();

    Kind kind() const noexcept { return static_cast<Kind>(value_.index()); }
    bool is_none() const noexcept { return kind() == Kind::none; }

    // The value as a C++ type; TypeError when it holds another kind (as_int accepts a
    // bool, as_float an int or a bool, as Python's arithmetic does).
    bool as_bool() const;
    std::int64_t as_int() const;
    double as_float() const;
    const std::string& as_string() const;
    const Bytes& as_bytes() const;
    const List& as_list() const;
    List& as_list();
    const Dict& as_dict() const;
    Dict& as_dict();

    std::string repr() const;
    std::string str() const;
    // Python's hash: equal objects hash alike; TypeError for a list or dict.
    std::size_t hash() const;

    friend bool operator==(const Object& a, const Object& b);
    // The codec hooks: templates for exactly Object, so that the implicit conversions
    // into Object never make a std::string or an int look hooked.
    template <std::same_as<Object> O>
    friend void mp_encode(Encoder& out, const O& value) {
        internal::encode_object(out, value);
    }
    template <std::same_as<Object> O>
    friend void mp_decode(Decoder& in, O& value) {
        value = internal::decode_object(in);
    }

private:
    // The Dict is boxed: it is incomplete here, and boxing keeps Object small.
    using Value = std::variant<None, bool, std::int64_t, double, std::string, Bytes, List, std::unique_ptr<Dict>>;
    Value value_;
};

// TypeError: an Object of another kind than asked for, or an unhashable key.
class TypeError : public std::invalid_argument {
public:
    using std::invalid_argument::invalid_argument;
};

// KeyError: a key that is not in the Dict.
class KeyError : public std::out_of_range {
public:
    using std::out_of_range::out_of_range;
};

// IndexError: a list index out of range.
class IndexError : public std::out_of_range {
public:
    using std::out_of_range::out_of_range;
};

// AttributeError: a Namespace attribute that is not set.
class AttributeError : public std::out_of_range {
public:
    using std::out_of_range::out_of_range;
};

class Dict {
public:
    using Item = std::pair<Object, Object>;

    Dict() = default;
    Dict(std::initializer_list<Item> items);
    Dict(const Dict&) = default;
    Dict& operator=(const Dict&) = default;
    // The moved-from Dict is empty.
    Dict(Dict&& other) noexcept;
    Dict& operator=(Dict&& other) noexcept;

    std::size_t size() const noexcept { return live_; }
    bool empty() const noexcept { return live_ == 0; }
    bool contains(const Object& key) const { return find(key) != nullptr; }
    // The value of `key`, or nullptr.
    const Object* find(const Object& key) const;
    Object* find(const Object& key);
    // The value of `key`; KeyError when it is missing.
    const Object& at(const Object& key) const;
    // d[key] = value: a new key goes last, an existing one keeps its place (and its
    // first spelling: d[1] then d[1.0] keeps the key 1). std::length_error past
    // 2^32 - 2 items.
    void set(Object key, Object value);
    // d.update(other), taking other's items (other is left empty).
    void update(Dict&& other);
    // del d[key]: false when it was missing.
    bool erase(const Object& key);
    // popitem(): the last item, removed; KeyError when empty.
    Item pop_last();
    void clear();
    // Room for `count` items without growing (decoding knows the count up front).
    void reserve(std::size_t count);

    // The items in insertion order.
    template <class F>
    void for_each(F&& f) const {
        for (const auto& entry : entries_)
            if (entry) f(entry->first, entry->second);
    }
    std::vector<Object> keys() const;
    std::vector<Object> values() const;
    std::vector<Item> items() const;

    friend bool operator==(const Dict& a, const Dict& b);
    template <std::same_as<Dict> D>
    friend void mp_encode(Encoder& out, const D& value) {
        internal::encode_dict(out, value);
    }
    template <std::same_as<Dict> D>
    friend void mp_decode(Decoder& in, D& value) {
        value = internal::decode_dict(in);
    }

private:
    friend Dict internal::decode_dict(Decoder& in, int depth);

    // Python's compact dict: the items in insertion order (with holes where items were
    // erased, compacted when the holes outnumber the items), their hashes beside them,
    // and an open-addressing table of positions in entries_, probed as CPython probes
    // (the hash's high bits join in, so keys that differ only there still spread).
    // One allocation per growth, none per item.
    using Position = std::uint32_t;
    struct Probe;
    static constexpr Position kEmpty = 0xFFFFFFFF;
    static constexpr Position kErased = 0xFFFFFFFE;
    static constexpr std::size_t kMaxEntries = kErased;

    // The table slot holding `key`'s position, or nullopt.
    std::optional<std::size_t> slot_of(const Object& key, std::size_t hash) const;
    // Stores `value` under `key` (of `hash`), as set() does.
    void set_hashed(std::size_t hash, Object&& key, Object&& value);
    // Rebuilds the table for `count` items, dropping the holes in entries_ first.
    void rebuild(std::size_t count);

    std::vector<std::optional<Item>> entries_;
    std::vector<std::size_t> hashes_;  // hashes_[i]: the hash of entries_[i]'s key
    std::vector<Position> table_;      // a power of two long; kEmpty, kErased or a position
    std::size_t live_ = 0;
    std::size_t filled_ = 0;  // table slots that are not kEmpty
};

}  // namespace mp::ipc

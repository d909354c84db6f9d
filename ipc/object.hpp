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
// refuses nesting deeper than kMaxDepth levels (a hostile peer cannot blow the stack)
// and a dict with two equal keys (the encoder never writes one), with DecodeError.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
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
    Object(bool b) : kind_(Kind::boolean) { payload_.boolean = b; }
    template <class I>
    requires(std::is_integral_v<I> && !std::is_same_v<I, bool> && !std::is_same_v<I, char>)
    Object(I i) : kind_(Kind::integer) {
        payload_.integer = static_cast<std::int64_t>(i);
    }
    Object(double f) : kind_(Kind::floating) { payload_.floating = f; }
    Object(const char* s) : Object(std::string(s)) {}
    Object(std::string_view s) : Object(std::string(s)) {}
    Object(std::string s) : kind_(Kind::string) { payload_.string = new std::string(std::move(s)); }
    Object(Bytes b) : kind_(Kind::bytes) { payload_.bytes = new Bytes(std::move(b)); }
    Object(List l) : kind_(Kind::list) { payload_.list = new List(std::move(l)); }
    Object(Dict d);

    // Moving copies 16 bytes and leaves None behind; only a boxed value is freed or
    // copied out of line.
    Object(const Object& other) : kind_(other.kind_), payload_(other.payload_) {
        if (boxed()) copy_box();
    }
    Object(Object&& other) noexcept : kind_(std::exchange(other.kind_, Kind::none)), payload_(other.payload_) {}
    Object& operator=(const Object& other) {
        if (this != &other) *this = Object(other);
        return *this;
    }
    Object& operator=(Object&& other) noexcept {
        if (this != &other) {
            if (boxed()) release_box();
            kind_ = std::exchange(other.kind_, Kind::none);
            payload_ = other.payload_;
        }
        return *this;
    }
    ~Object() {
        if (boxed()) release_box();
    }

    Kind kind() const noexcept { return kind_; }
    bool is_none() const noexcept { return kind() == Kind::none; }

    // The value as a C++ type; TypeError when it holds another kind (as_int accepts a
    // bool, as_float an int or a bool, as Python's arithmetic does).
    bool as_bool() const { return expect(Kind::boolean).boolean; }
    std::int64_t as_int() const {
        if (kind_ == Kind::boolean) return payload_.boolean ? 1 : 0;
        return expect(Kind::integer).integer;
    }
    double as_float() const {
        if (kind_ == Kind::integer || kind_ == Kind::boolean) return static_cast<double>(as_int());
        return expect(Kind::floating).floating;
    }
    const std::string& as_string() const { return *expect(Kind::string).string; }
    const Bytes& as_bytes() const { return *expect(Kind::bytes).bytes; }
    const List& as_list() const { return *expect(Kind::list).list; }
    List& as_list() { return *expect(Kind::list).list; }
    const Dict& as_dict() const { return *expect(Kind::dict).dict; }
    Dict& as_dict() { return *expect(Kind::dict).dict; }

    std::string repr() const;
    std::string str() const;
    // Python's hash: equal objects hash alike; TypeError for a list or dict.
    std::size_t hash() const {
        if (kind_ == Kind::integer) return std::hash<std::int64_t>{}(payload_.integer);  // the common key, inline
        return hash_other();
    }

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
    // A kind and a word: numbers in place, the rest boxed on the heap. Sixteen bytes,
    // so that a dict item is small and moving one is two stores, which is what
    // decoding and growing a large dict do most.
    union Payload {
        bool boolean;
        std::int64_t integer;
        double floating;
        std::string* string;
        Bytes* bytes;
        List* list;
        Dict* dict;
    };

    bool boxed() const noexcept { return kind_ >= Kind::string; }
    // The payload, when kind_ is `wanted`; TypeError otherwise.
    const Payload& expect(Kind wanted) const {
        if (kind_ != wanted) throw_wrong_kind(wanted);
        return payload_;
    }
    [[noreturn]] void throw_wrong_kind(Kind wanted) const;
    std::size_t hash_other() const;
    void copy_box();               // replaces the box with a copy of it
    void release_box() noexcept;  // frees the box

    Kind kind_ = Kind::none;
    Payload payload_{.integer = 0};
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
    // Makes table_ an empty table with room for `count` items.
    void empty_table_for(std::size_t count);
    // Builds the table for entries_ and hashes_ as decoded (no holes); false when
    // two keys are equal.
    bool index_entries();

    std::vector<std::optional<Item>> entries_;
    std::vector<std::size_t> hashes_;  // hashes_[i]: the hash of entries_[i]'s key
    std::vector<Position> table_;      // a power of two long; kEmpty, kErased or a position
    std::size_t live_ = 0;
    std::size_t filled_ = 0;  // table slots that are not kEmpty
};

}  // namespace mp::ipc

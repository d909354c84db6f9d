// The codec of Object and Dict: a one-byte kind, then the value (a count and the
// elements for a list or dict). Decoding checks every count against the bytes left
// and the nesting against Object::kMaxDepth.
#include <array>
#include <cstring>

#include "ipc/object.hpp"

namespace mp::ipc::internal {

void encode_dict(Encoder& out, const Dict& dict) {
    out.write_count(dict.size());
    dict.for_each([&](const Object& key, const Object& value) {
        encode_object(out, key);
        encode_object(out, value);
    });
}

void encode_dict_object(Encoder& out, const Dict& dict) {
    out.write(static_cast<std::uint8_t>(Object::Kind::dict));
    encode_dict(out, dict);
}

namespace {

// The kind byte and a fixed-size value (or a text's length) in one append: for a
// dict of numbers, appending is most of the encoding's cost.
template <class T>
void write_tagged(Encoder& out, Object::Kind kind, T value) {
    std::array<std::byte, 1 + sizeof(T)> bytes;
    bytes[0] = static_cast<std::byte>(kind);
    std::memcpy(bytes.data() + 1, &value, sizeof value);
    out.write_raw(bytes.data(), bytes.size());
}

// The encoding of a std::string (its length, then its bytes), after the kind.
void write_tagged_text(Encoder& out, Object::Kind kind, std::string_view text) {
    write_tagged(out, kind, static_cast<std::uint64_t>(text.size()));
    out.write_raw(text.data(), text.size());
}

}  // namespace

void encode_object(Encoder& out, const Object& value) {
    switch (value.kind()) {
        case Object::Kind::none:
            return out.write(static_cast<std::uint8_t>(Object::Kind::none));
        case Object::Kind::boolean:
            return write_tagged(out, Object::Kind::boolean, static_cast<std::uint8_t>(value.as_bool() ? 1 : 0));
        case Object::Kind::integer:
            return write_tagged(out, Object::Kind::integer, value.as_int());
        case Object::Kind::floating:
            return write_tagged(out, Object::Kind::floating, value.as_float());
        case Object::Kind::string:
            return write_tagged_text(out, Object::Kind::string, value.as_string());
        case Object::Kind::bytes:
            return write_tagged_text(out, Object::Kind::bytes, value.as_bytes().data);
        case Object::Kind::list:
            write_tagged(out, Object::Kind::list, static_cast<std::uint64_t>(value.as_list().size()));
            for (const Object& item : value.as_list()) encode_object(out, item);
            return;
        case Object::Kind::dict:
            return encode_dict_object(out, value.as_dict());
    }
}

Dict decode_dict(Decoder& in, int depth) {
    Dict dict;
    const std::size_t count = in.read_count(2);  // a key and a value: a kind byte each, at least
    dict.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        Object key = decode_object(in, depth + 1);
        if (key.kind() == Object::Kind::list || key.kind() == Object::Kind::dict)
            throw DecodeError("ipc: a dict key that is a list or a dict");
        const std::size_t hash = key.hash();
        Object value = decode_object(in, depth + 1);
        dict.set_hashed(hash, std::move(key), std::move(value));  // not set(): two moves fewer per item
    }
    return dict;
}

Object decode_object(Decoder& in, int depth) {
    if (depth > Object::kMaxDepth)
        throw DecodeError("ipc: an Object nested deeper than " + std::to_string(Object::kMaxDepth) + " levels");
    const auto kind = static_cast<Object::Kind>(in.read<std::uint8_t>());
    switch (kind) {
        case Object::Kind::none:
            return None{};
        case Object::Kind::boolean:
            return in.read_flag();
        case Object::Kind::integer:
            return in.read<std::int64_t>();
        case Object::Kind::floating:
            return in.read<double>();
        case Object::Kind::string:
            return in.read<std::string>();
        case Object::Kind::bytes:
            return Bytes{in.read<std::string>()};
        case Object::Kind::list: {
            List list(in.read_count(1));
            for (Object& item : list) item = decode_object(in, depth + 1);
            return list;
        }
        case Object::Kind::dict:
            return decode_dict(in, depth);
    }
    throw DecodeError("ipc: an Object of unknown kind " + std::to_string(static_cast<int>(kind)));
}

}  // namespace mp::ipc::internal

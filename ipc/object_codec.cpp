// The codec of Object and Dict: a one-byte kind, then the value (a count and the
// elements for a list or dict). Decoding checks every count against the bytes left
// and the nesting against Object::kMaxDepth.
#include "ipc/object.hpp"

namespace mp::ipc::internal {

void encode_dict(Encoder& out, const Dict& dict) {
    out.write_count(dict.size());
    dict.for_each([&](const Object& key, const Object& value) {
        encode_object(out, key);
        encode_object(out, value);
    });
}

void encode_object(Encoder& out, const Object& value) {
    out.write(static_cast<std::uint8_t>(value.kind()));
    switch (value.kind()) {
        case Object::Kind::none:
            return;
        case Object::Kind::boolean:
            return out.write(value.as_bool());
        case Object::Kind::integer:
            return out.write(value.as_int());
        case Object::Kind::floating:
            return out.write(value.as_float());
        case Object::Kind::string:
            return out.write(value.as_string());
        case Object::Kind::bytes:
            return out.write(value.as_bytes().data);
        case Object::Kind::list:
            out.write_count(value.as_list().size());
            for (const Object& item : value.as_list()) encode_object(out, item);
            return;
        case Object::Kind::dict:
            return encode_dict(out, value.as_dict());
    }
}

Dict decode_dict(Decoder& in, int depth) {
    Dict dict;
    const std::size_t count = in.read_count(2);  // a key and a value: a kind byte each, at least
    for (std::size_t i = 0; i < count; ++i) {
        Object key = decode_object(in, depth + 1);
        if (key.kind() == Object::Kind::list || key.kind() == Object::Kind::dict)
            throw DecodeError("ipc: a dict key that is a list or a dict");
        dict.set(std::move(key), decode_object(in, depth + 1));
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

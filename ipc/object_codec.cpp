// The codec of Object and Dict: a one-byte kind, then the value (a count and the
// elements for a list or dict). Decoding checks every count against the bytes left
// and the nesting against Object::kMaxDepth.
#include <algorithm>
#include <cstring>

#include "ipc/object.hpp"

namespace mp::ipc::internal {

namespace {

constexpr std::size_t kMaxScalarSize = 1 + 8;  // the kind byte and a number

bool is_scalar(Object::Kind kind) { return kind <= Object::Kind::floating; }

// Writes objects at the end of an Encoder's buffer, numbers in place: the buffer
// grows a block at a time, so a dict or list of numbers costs a few stores per item
// rather than a resize per value. The buffer is trimmed to what was written when
// the Run ends.
class Run {
public:
    explicit Run(Encoder& out) : out_(out), buffer_(out.buffer()), end_(buffer_.size()) {}
    Run(const Run&) = delete;
    Run& operator=(const Run&) = delete;
    ~Run() { buffer_.resize(end_); }

    void put(const Object& value) {
        if (!is_scalar(value.kind())) {
            buffer_.resize(end_);
            encode_boxed(value);
            end_ = buffer_.size();
            return;
        }
        if (buffer_.size() - end_ < kMaxScalarSize) {
            buffer_.resize(end_ + block_);
            block_ = std::min(2 * block_, kMaxBlock);
        }
        end_ += put_scalar(buffer_.data() + end_, value);
    }

private:
    // Growth starts small (one number is a common message) and doubles.
    static constexpr std::size_t kMaxBlock = 4096;

    template <class T>
    static std::size_t put_tagged(std::byte* at, Object::Kind kind, T value) {
        at[0] = static_cast<std::byte>(kind);
        std::memcpy(at + 1, &value, sizeof value);
        return 1 + sizeof value;
    }

    // The bytes a number or None takes, written at `at`.
    static std::size_t put_scalar(std::byte* at, const Object& value) {
        switch (value.kind()) {
            case Object::Kind::boolean:
                return put_tagged(at, value.kind(), static_cast<std::uint8_t>(value.as_bool() ? 1 : 0));
            case Object::Kind::integer:
                return put_tagged(at, value.kind(), value.as_int());
            case Object::Kind::floating:
                return put_tagged(at, value.kind(), value.as_float());
            default:
                at[0] = static_cast<std::byte>(Object::Kind::none);
                return 1;
        }
    }

    // A string, bytes, list or dict, through the Encoder (the buffer is exact here).
    void encode_boxed(const Object& value) {
        const auto write_header = [&](std::size_t count) {
            out_.write(static_cast<std::uint8_t>(value.kind()));
            out_.write_count(count);
        };
        switch (value.kind()) {
            case Object::Kind::string:
                write_header(value.as_string().size());
                return out_.write_raw(value.as_string().data(), value.as_string().size());
            case Object::Kind::bytes:
                write_header(value.as_bytes().data.size());
                return out_.write_raw(value.as_bytes().data.data(), value.as_bytes().data.size());
            case Object::Kind::list: {
                write_header(value.as_list().size());
                Run items(out_);
                for (const Object& item : value.as_list()) items.put(item);
                return;
            }
            default:
                return encode_dict_object(out_, value.as_dict());
        }
    }

    Encoder& out_;
    std::vector<std::byte>& buffer_;
    std::size_t end_;  // the end of what was written; the buffer may be longer
    std::size_t block_ = 4 * kMaxScalarSize;
};

}  // namespace

void encode_object(Encoder& out, const Object& value) { Run(out).put(value); }

void encode_dict(Encoder& out, const Dict& dict) {
    out.write_count(dict.size());
    Run items(out);
    dict.for_each([&](const Object& key, const Object& value) {
        items.put(key);
        items.put(value);
    });
}

void encode_dict_object(Encoder& out, const Dict& dict) {
    out.write(static_cast<std::uint8_t>(Object::Kind::dict));
    encode_dict(out, dict);
}

namespace {

[[gnu::always_inline]] inline Object decode_item(Decoder& in, int depth);

Object decode_boxed(Decoder& in, Object::Kind kind, int depth) {
    if (depth > Object::kMaxDepth)
        throw DecodeError("ipc: an Object nested deeper than " + std::to_string(Object::kMaxDepth) + " levels");
    switch (kind) {
        case Object::Kind::string:
            return in.read<std::string>();
        case Object::Kind::bytes:
            return Bytes{in.read<std::string>()};
        case Object::Kind::list: {
            List list(in.read_count(1));
            for (Object& item : list) item = decode_item(in, depth + 1);
            return list;
        }
        case Object::Kind::dict:
            return decode_dict(in, depth);
        default:
            throw DecodeError("ipc: an Object of unknown kind " + std::to_string(static_cast<int>(kind)));
    }
}

// Numbers and None inline, the rest out of line: a dict of numbers decodes in a
// tight loop. Inlining is forced: the compiler would call it (it recurses through
// decode_boxed), and a dict of 100,000 ints would decode a quarter slower.
[[gnu::always_inline]] inline Object decode_item(Decoder& in, int depth) {
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
        default:
            return decode_boxed(in, kind, depth);
    }
}

// The run of items with an int key and an int value (a dict of counts, of ids) that
// starts here, read straight from the arrived bytes, at most `most` of them. Through
// the Decoder, each value read reloads and stores its position in memory (for all
// the compiler knows, storing a decoded Object may change it): this loop keeps its
// position in a register, and a dict of 100,000 ints decodes in a third less time.
// Returns how many it read.
std::size_t decode_int_items(Decoder& in, std::vector<std::optional<Dict::Item>>& entries,
                             std::vector<std::size_t>& hashes, std::size_t most) {
    constexpr std::size_t kItemSize = 2 * (1 + sizeof(std::int64_t));
    const auto integer = static_cast<std::byte>(Object::Kind::integer);
    const std::span<const std::byte> arrived = in.arrived();
    const std::byte* at = arrived.data();
    const std::byte* const end = at + std::min(arrived.size() / kItemSize, most) * kItemSize;
    for (; at != end && at[0] == integer && at[1 + sizeof(std::int64_t)] == integer; at += kItemSize) {
        std::int64_t key, value;
        std::memcpy(&key, at + 1, sizeof key);
        std::memcpy(&value, at + 2 + sizeof key, sizeof value);
        hashes.push_back(Object(key).hash());
        entries.emplace_back(std::in_place, key, value);
    }
    const auto read = static_cast<std::size_t>(at - arrived.data());
    in.skip(read);
    return read / kItemSize;
}

}  // namespace

// The items first, then their table in one pass: two tight loops take a quarter
// less time than one that decodes and probes in turn (a dict of 100,000 ints).
// The encoder never writes a key twice, so equal keys are a malformed dict, as they
// are for a std::map.
Dict decode_dict(Decoder& in, int depth) {
    Dict dict;
    const std::size_t count = in.read_count(2);  // a key and a value: a kind byte each, at least
    if (count >= Dict::kMaxEntries) throw DecodeError("ipc: a dict of more than 2^32 - 2 items");
    dict.entries_.reserve(count);
    dict.hashes_.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        i += decode_int_items(in, dict.entries_, dict.hashes_, count - i);
        if (i == count) break;
        Object key = decode_item(in, depth + 1);
        if (key.kind() == Object::Kind::list || key.kind() == Object::Kind::dict)
            throw DecodeError("ipc: a dict key that is a list or a dict");
        dict.hashes_.push_back(key.hash());
        dict.entries_.emplace_back(std::in_place, std::move(key), decode_item(in, depth + 1));
    }
    if (!dict.index_entries()) throw DecodeError("ipc: a dict with two equal keys");
    return dict;
}

Object decode_object(Decoder& in, int depth) { return decode_item(in, depth); }

}  // namespace mp::ipc::internal

// The codec: round trips of every supported type, and every malformed input is a
// DecodeError (never a crash, a huge allocation, or a wrong value).
#include <gtest/gtest.h>

#include <cstring>
#include <limits>

#include "ipc/codec.hpp"
#include "ipc/ipc.hpp"

namespace geo {
// A user type with the ADL hook, as documented in codec.hpp.
struct Place {
    std::string name;
    double lat = 0;
    double lon = 0;
    bool operator==(const Place&) const = default;
};
void mp_encode(mp::ipc::Encoder& out, const Place& p) {
    out.write(p.name);
    out.write(p.lat);
    out.write(p.lon);
}
void mp_decode(mp::ipc::Decoder& in, Place& p) {
    in.read(p.name);
    in.read(p.lat);
    in.read(p.lon);
}
}  // namespace geo

namespace {

using mp::ipc::DecodeError;
using mp::ipc::decode;
using mp::ipc::decode_message;
using mp::ipc::encode;
using mp::ipc::encode_message;

enum class Color : std::uint8_t { red, green, blue };

// Copied bytewise.
struct Sample {
    std::int32_t id;
    double value;
    char tag[4];
    bool operator==(const Sample& o) const {
        return id == o.id && value == o.value && std::memcmp(tag, o.tag, 4) == 0;
    }
};

template <class T>
void expect_round_trip(const T& value) {
    EXPECT_EQ(decode<T>(encode(value)), value);
    EXPECT_EQ(decode_message<T>(encode_message(value)), value);
}

TEST(Codec, ArithmeticAndEnums) {
    expect_round_trip(std::int8_t{-5});
    expect_round_trip(std::uint16_t{65535});
    expect_round_trip(std::numeric_limits<std::int64_t>::min());
    expect_round_trip(std::numeric_limits<std::uint64_t>::max());
    expect_round_trip(3.25f);
    expect_round_trip(-1e300);
    expect_round_trip(true);
    expect_round_trip(false);
    expect_round_trip('x');
    expect_round_trip(Color::blue);
    EXPECT_EQ(encode(std::int32_t{7}).size(), 4u);
}

TEST(Codec, Strings) {
    expect_round_trip(std::string());
    expect_round_trip(std::string("hello"));
    expect_round_trip(std::string("nul\0inside", 10));
    expect_round_trip(std::string(100000, 'z'));
}

TEST(Codec, Sequences) {
    expect_round_trip(std::vector<int>{});
    expect_round_trip(std::vector<int>{1, -2, 3});
    expect_round_trip(std::vector<std::string>{"a", "", "ccc"});
    expect_round_trip(std::vector<bool>{true, false, true, true});
    expect_round_trip(std::vector<std::byte>{std::byte{0}, std::byte{255}});
    expect_round_trip(std::array<int, 3>{4, 5, 6});
    expect_round_trip(std::array<std::string, 2>{"x", "yy"});
    // A bytewise element type travels as one block: count + raw bytes.
    EXPECT_EQ(encode(std::vector<std::int32_t>{1, 2, 3}).size(), 8u + 12u);
}

TEST(Codec, ProductsAndSums) {
    expect_round_trip(std::pair<int, std::string>{1, "one"});
    expect_round_trip(std::tuple<int, double, std::string>{1, 2.5, "three"});
    expect_round_trip(std::tuple<>{});
    expect_round_trip(std::optional<std::string>{});
    expect_round_trip(std::optional<std::string>{"set"});
    expect_round_trip(std::variant<int, std::string>{42});
    expect_round_trip(std::variant<int, std::string>{std::string("text")});
}

TEST(Codec, Maps) {
    expect_round_trip(std::map<std::string, int>{{"a", 1}, {"b", 2}});
    expect_round_trip(std::unordered_map<int, std::vector<int>>{{1, {1}}, {2, {2, 2}}});
    // The two maps share one encoding, so either end may use either.
    const std::map<int, int> ordered{{1, 10}, {2, 20}};
    const auto unordered = decode_message<std::unordered_map<int, int>>(encode_message(ordered));
    EXPECT_EQ(unordered.at(2), 20);
}

TEST(Codec, NestedAndUserTypes) {
    using Nested = std::map<std::string, std::vector<std::optional<std::tuple<int, std::string>>>>;
    Nested nested{{"k", {std::nullopt, std::tuple{1, std::string("v")}}}, {"empty", {}}};
    expect_round_trip(nested);
    expect_round_trip(geo::Place{"Zurich", 47.37, 8.54});
    expect_round_trip(std::vector<geo::Place>{{"a", 1, 2}, {"b", 3, 4}});
    expect_round_trip(Sample{7, 1.5, {'a', 'b', 'c', 'd'}});
    expect_round_trip(std::vector<Sample>{{1, 2, {}}, {3, 4, {'x'}}});
}

TEST(Codec, ShortInputIsDecodeError) {
    auto bytes = encode(std::string("hello"));
    bytes.pop_back();
    EXPECT_THROW(decode<std::string>(bytes), DecodeError);
    EXPECT_THROW(decode<std::int64_t>(encode(std::int32_t{1})), DecodeError);
    EXPECT_THROW(decode<int>({}), DecodeError);
}

TEST(Codec, TrailingBytesAreDecodeError) {
    EXPECT_THROW(decode<std::int32_t>(encode(std::int64_t{1})), DecodeError);
}

TEST(Codec, InvalidFlagsAndIndexesAreDecodeErrors) {
    const std::vector<std::byte> two{std::byte{2}};
    EXPECT_THROW(decode<bool>(two), DecodeError);
    EXPECT_THROW(decode<std::optional<std::uint8_t>>(std::vector<std::byte>{std::byte{2}, std::byte{0}}),
                 DecodeError);
    auto variant = encode(std::variant<int, std::string>{1});
    variant[0] = std::byte{9};
    EXPECT_THROW((decode<std::variant<int, std::string>>(variant)), DecodeError);
    auto duplicated = encode(std::vector<std::pair<int, int>>{{1, 1}, {1, 2}});
    EXPECT_THROW((decode<std::map<int, int>>(duplicated)), DecodeError);
}

TEST(Codec, HugeCountIsRejectedBeforeAllocating) {
    // A count of 2^60 strings in a 16-byte input: refused from the size check alone.
    std::vector<std::byte> bytes(16);
    const std::uint64_t count = std::uint64_t{1} << 60;
    std::memcpy(bytes.data(), &count, 8);
    try {
        (void)decode<std::vector<std::string>>(bytes);
        FAIL() << "no DecodeError";
    } catch (const DecodeError& e) {
        EXPECT_NE(std::string(e.what()).find("does not fit"), std::string::npos) << e.what();
    }
    EXPECT_THROW(decode<std::string>(bytes), DecodeError);
    EXPECT_THROW((decode<std::map<int, int>>(bytes)), DecodeError);
}

TEST(Codec, WrongTypeIsDecodeErrorNamingTheMismatch) {
    try {
        (void)decode_message<std::string>(encode_message(42));
        FAIL() << "no DecodeError";
    } catch (const DecodeError& e) {
        EXPECT_NE(std::string(e.what()).find("another type"), std::string::npos) << e.what();
    }
    // Same size, different kind: still caught by the signature.
    EXPECT_THROW(decode_message<float>(encode_message(std::int32_t{1})), DecodeError);
    EXPECT_THROW(decode_message<std::vector<std::int64_t>>(encode_message(std::vector<double>{1.0})),
                 DecodeError);
    EXPECT_THROW(decode_message<geo::Place>(encode_message(std::tuple<std::string, double, double>{})),
                 DecodeError);
}

TEST(Codec, SignaturesAreCompileTimeConstants) {
    static_assert(mp::ipc::type_signature<int>() != mp::ipc::type_signature<unsigned>());
    static_assert(mp::ipc::type_signature<std::pair<int, char>>() ==
                  mp::ipc::type_signature<std::tuple<int, char>>());
    static_assert(mp::ipc::type_signature<std::vector<int>>() != mp::ipc::type_signature<std::array<int, 1>>());
    SUCCEED();
}

}  // namespace

namespace {

// String literals, C strings and string_views are text: they travel as std::string.
TEST(CodecText, LiteralsCStringsAndViewsEncodeAsStrings) {
    const std::string expected = "This is Mr.Ni";
    const char* c_string = "This is Mr.Ni";
    char buffer[32] = "This is Mr.Ni";
    const std::string_view view = expected;
    for (const auto& message : {mp::ipc::encode_message("This is Mr.Ni"), mp::ipc::encode_message(c_string),
                                mp::ipc::encode_message(buffer), mp::ipc::encode_message(view)})
        EXPECT_EQ(mp::ipc::decode_message<std::string>(message), expected);
    EXPECT_EQ(mp::ipc::encode_message("x"), mp::ipc::encode_message(std::string("x")));
    const std::vector<const char*> words{"a", "bc"};
    EXPECT_EQ(mp::ipc::decode_message<std::vector<std::string>>(mp::ipc::encode_message(words)),
              (std::vector<std::string>{"a", "bc"}));
    const char* null = nullptr;
    EXPECT_THROW(mp::ipc::encode_message(null), std::invalid_argument);
}

TEST(CodecText, ConnectionAndQueueTakeLiterals) {
    auto [a, b] = mp::ipc::Pipe();
    a.send("This is Mr.Ni");
    EXPECT_EQ(b.recv<std::string>(), "This is Mr.Ni");
    mp::ipc::Queue<std::string> q;
    q.put("A");
    EXPECT_EQ(q.get(), "A");
}

}  // namespace

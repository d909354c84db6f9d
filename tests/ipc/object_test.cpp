// Object and Dict: Python 3's repr, equality and hashing across numbers, insertion
// order, the errors, and the codec (round trips, and hostile input refused).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "ipc/codec.hpp"
#include "ipc/object.hpp"

namespace {

using mp::ipc::Bytes;
using mp::ipc::Dict;
using mp::ipc::KeyError;
using mp::ipc::List;
using mp::ipc::None;
using mp::ipc::Object;
using mp::ipc::TypeError;

TEST(Object, TheSeedsMixedDictPrintsAsPython) {
    Dict d;
    d.set(1, "1");
    d.set("2", 2);
    d.set(0.25, None{});
    EXPECT_EQ(Object(d).repr(), "{1: '1', '2': 2, 0.25: None}");
    List l;
    for (int i = 9; i >= 0; --i) l.push_back(i);
    EXPECT_EQ(Object(l).repr(), "[9, 8, 7, 6, 5, 4, 3, 2, 1, 0]");
}

TEST(Object, ScalarsPrintAsPython) {
    EXPECT_EQ(Object().repr(), "None");
    EXPECT_EQ(Object(true).repr(), "True");
    EXPECT_EQ(Object(false).repr(), "False");
    EXPECT_EQ(Object(-42).repr(), "-42");
    EXPECT_EQ(Object(std::numeric_limits<std::int64_t>::min()).repr(), "-9223372036854775808");
    EXPECT_EQ(Object(List{}).repr(), "[]");
    EXPECT_EQ(Object(Dict{}).repr(), "{}");
    EXPECT_EQ(Object(List{1, "a", List{None{}}}).repr(), "[1, 'a', [None]]");
}

TEST(Object, FloatsPrintAsPythonsRepr) {
    // Expected strings are what python3 -c 'print(repr(x))' prints.
    const std::vector<std::pair<double, std::string>> cases = {
        {0.0, "0.0"},           {-0.0, "-0.0"},
        {0.1, "0.1"},           {1.0, "1.0"},
        {-1.5, "-1.5"},         {0.25, "0.25"},
        {1e16, "1e+16"},        {1e15, "1000000000000000.0"},
        {123456789012345678.0, "1.2345678901234568e+17"},
        {1.5e-7, "1.5e-07"},    {0.0001, "0.0001"},
        {0.00001, "1e-05"},     {3.1415927, "3.1415927"},
        {1.0 / 3, "0.3333333333333333"},
        {2.5e-310, "2.5e-310"}, {1.7976931348623157e308, "1.7976931348623157e+308"},
        {100.0, "100.0"},       {1e22, "1e+22"},
        {12345.678, "12345.678"},
        {std::numeric_limits<double>::infinity(), "inf"},
        {-std::numeric_limits<double>::infinity(), "-inf"},
        {std::nan(""), "nan"},
    };
    for (const auto& [value, text] : cases) EXPECT_EQ(Object(value).repr(), text) << text;
}

TEST(Object, StringsAndBytesAreQuotedAsPython) {
    EXPECT_EQ(Object("it's").repr(), "\"it's\"");
    EXPECT_EQ(Object("say \"hi\"").repr(), "'say \"hi\"'");
    EXPECT_EQ(Object("both ' and \"").repr(), "'both \\' and \"'");
    EXPECT_EQ(Object("tab\there\nnl\\").repr(), "'tab\\there\\nnl\\\\'");
    EXPECT_EQ(Object("\x01\x7f").repr(), "'\\x01\\x7f'");
    EXPECT_EQ(Object("h\xc3\xa9llo").repr(), "'h\xc3\xa9llo'") << "UTF-8 text passes through";
    EXPECT_EQ(Object(Bytes{"a'b"}).repr(), "b\"a'b\"");
    EXPECT_EQ(Object(Bytes{std::string("\x00\xff\n", 3)}).repr(), "b'\\x00\\xff\\n'");
    EXPECT_EQ(Object(Bytes{"\"q\""}).repr(), "b'\"q\"'");
    EXPECT_EQ(Object("text").str(), "text");
    EXPECT_EQ(Object(2).str(), "2");
}

TEST(Object, NumbersAreEqualAcrossKindsAsInPython) {
    EXPECT_EQ(Object(1), Object(1.0));
    EXPECT_EQ(Object(1), Object(true));
    EXPECT_EQ(Object(0.0), Object(false));
    EXPECT_NE(Object(1), Object(1.5));
    EXPECT_NE(Object("1"), Object(1));
    EXPECT_NE(Object("a"), Object(Bytes{"a"}));
    EXPECT_NE(Object(std::nan("")), Object(std::nan("")));
    // 2^53 + 1 is not a double: compared exactly, not through a rounding cast.
    EXPECT_NE(Object(std::int64_t{9007199254740993}), Object(9007199254740992.0));
    EXPECT_EQ(Object(1).hash(), Object(1.0).hash());
    EXPECT_EQ(Object(1).hash(), Object(true).hash());
    EXPECT_EQ(Object(List{1, 2}), Object(List{1.0, 2}));
}

TEST(Dict, NumericKeysThatAreEqualAreOneKeyKeepingTheFirstSpelling) {
    Dict d;
    d.set(1, "int");
    d.set(1.0, "float");
    d.set(true, "bool");
    EXPECT_EQ(d.size(), 1u);
    EXPECT_EQ(Object(d).repr(), "{1: 'bool'}");
}

TEST(Dict, KeepsInsertionOrderThroughErasesAndReinserts) {
    Dict d;
    for (int i = 0; i < 40; ++i) d.set(i, i * i);
    for (int i = 0; i < 40; i += 2) EXPECT_TRUE(d.erase(i));
    EXPECT_FALSE(d.erase(0));
    d.set(0, "back");
    d.set(1, "replaced in place");
    const auto keys = d.keys();
    ASSERT_EQ(keys.size(), 21u);
    EXPECT_EQ(keys.front(), Object(1));
    EXPECT_EQ(keys[1], Object(3));
    EXPECT_EQ(keys.back(), Object(0));
    EXPECT_EQ(d.at(1).as_string(), "replaced in place");
    EXPECT_EQ(d.at(39).as_int(), 39 * 39);
}

TEST(Dict, PopLastAndTheMissingKey) {
    Dict d{{"a", 1}, {"b", 2}};
    EXPECT_TRUE(d.contains("a"));
    EXPECT_EQ(d.find("zz"), nullptr);
    const auto [key, value] = d.pop_last();
    EXPECT_EQ(key, Object("b"));
    EXPECT_EQ(value, Object(2));
    try {
        (void)d.at("missing");
        ADD_FAILURE() << "no KeyError";
    } catch (const KeyError& e) {
        EXPECT_NE(std::string(e.what()).find("'missing'"), std::string::npos) << e.what();
    }
    d.clear();
    EXPECT_THROW((void)d.pop_last(), KeyError);
    EXPECT_TRUE(d.empty());
}

// The open-addressing table against a plain model (a vector of items searched in
// order), through thousands of sets, erases, pops and updates, with keys whose hashes
// share their low bits (multiples of 2^20: the same first slot in any table here).
TEST(Dict, MatchesAModelThroughChurnWithKeysThatCollide) {
    std::vector<std::pair<std::int64_t, std::int64_t>> model;
    const auto position = [&](std::int64_t key) {
        return std::find_if(model.begin(), model.end(), [&](const auto& item) { return item.first == key; });
    };
    Dict d;
    std::uint64_t state = 12345;
    const auto next = [&] {
        state = state * 6364136223846793005u + 1442695040888963407u;
        return state >> 33;
    };
    for (int step = 0; step < 20000; ++step) {
        const auto key = static_cast<std::int64_t>(next() % 300) << 20;
        switch (next() % 5) {
            case 0:
            case 1:
                d.set(key, step);
                if (const auto it = position(key); it != model.end())
                    it->second = step;
                else
                    model.emplace_back(key, step);
                break;
            case 2:
            case 3: {
                const auto it = position(key);
                ASSERT_EQ(d.erase(key), it != model.end()) << "step " << step;
                if (it != model.end()) model.erase(it);
                break;
            }
            default:
                if (model.empty()) {
                    EXPECT_THROW((void)d.pop_last(), KeyError);
                    break;
                }
                const auto [popped_key, popped_value] = d.pop_last();
                ASSERT_EQ(popped_key, Object(model.back().first)) << "step " << step;
                ASSERT_EQ(popped_value, Object(model.back().second));
                model.pop_back();
        }
        ASSERT_EQ(d.size(), model.size()) << "step " << step;
    }
    std::size_t i = 0;
    d.for_each([&](const Object& key, const Object& value) {
        ASSERT_LT(i, model.size());
        EXPECT_EQ(key, Object(model[i].first));
        EXPECT_EQ(value, Object(model[i].second));
        ++i;
    });
    EXPECT_EQ(i, model.size());
    for (const auto& [key, value] : model) EXPECT_EQ(d.at(key), Object(value));
}

TEST(Dict, UpdateTakesTheItemsKeepingOrderAndFirstSpellings) {
    Dict into{{1, "one"}, {"b", "bee"}};
    into.update(Dict{{"c", "sea"}, {1.0, "uno"}, {"b", "be"}});
    EXPECT_EQ(Object(into).repr(), "{1: 'uno', 'b': 'be', 'c': 'sea'}");

    Dict source{{2, "two"}, {3, "three"}};
    Dict empty;
    empty.update(std::move(source));
    EXPECT_EQ(Object(empty).repr(), "{2: 'two', 3: 'three'}");
    EXPECT_TRUE(source.empty());  // NOLINT(bugprone-use-after-move): documented as left empty
    source.set(4, "usable again");
    EXPECT_EQ(source.size(), 1u);
}

TEST(Dict, AMovedFromDictIsEmptyAndUsable) {
    Dict a{{1, 1}, {2, 2}};
    Dict b = std::move(a);
    EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): documented as empty
    EXPECT_EQ(a.find(1), nullptr);
    a.set(3, 3);
    EXPECT_EQ(Object(a).repr(), "{3: 3}");
    EXPECT_EQ(Object(b).repr(), "{1: 1, 2: 2}");
}

TEST(Dict, EqualityIgnoresOrder) {
    EXPECT_EQ((Dict{{1, "a"}, {2, "b"}}), (Dict{{2, "b"}, {1, "a"}}));
    EXPECT_FALSE((Dict{{1, "a"}}) == (Dict{{1, "b"}}));
}

TEST(Object, TheWrongKindOrAnUnhashableKeyIsATypeError) {
    EXPECT_THROW((void)Object("x").as_int(), TypeError);
    EXPECT_THROW((void)Object(1.5).as_int(), TypeError);
    EXPECT_EQ(Object(true).as_int(), 1);
    EXPECT_EQ(Object(3).as_float(), 3.0);
    EXPECT_THROW((void)Object(List{}).as_dict(), TypeError);
    Dict d;
    EXPECT_THROW(d.set(List{1}, 1), TypeError);
    EXPECT_THROW(d.set(Dict{}, 1), TypeError);
    EXPECT_TRUE(d.empty()) << "a refused key changes nothing";
}

TEST(Object, CopiesAreDeep) {
    Object a(Dict{{"list", List{1, 2}}});
    Object b = a;
    b.as_dict().find("list")->as_list().push_back(3);
    EXPECT_EQ(a.repr(), "{'list': [1, 2]}");
    EXPECT_EQ(b.repr(), "{'list': [1, 2, 3]}");
}

TEST(ObjectCodec, RoundTripsEveryKindNested) {
    Dict inner{{Bytes{"k"}, -7}, {2.5, List{None{}, true}}};
    const Object original(Dict{{1, "one"}, {"nested", inner}, {0.25, None{}}});
    const auto bytes = mp::ipc::encode_message(original);
    const auto back = mp::ipc::decode_message<Object>(bytes);
    EXPECT_EQ(back, original);
    EXPECT_EQ(back.repr(), original.repr());
    const auto dict_bytes = mp::ipc::encode_message(inner);
    EXPECT_EQ(mp::ipc::decode_message<Dict>(dict_bytes), inner);
}

std::vector<std::byte> payload(std::initializer_list<int> bytes) {
    std::vector<std::byte> out;
    for (int b : bytes) out.push_back(static_cast<std::byte>(b));
    return out;
}

TEST(Object, IsSixteenBytesAndAMoveLeavesNone) {
    static_assert(sizeof(Object) == 16, "a kind and a word");
    Object text("a string long enough to live on the heap, not in place");
    Object moved = std::move(text);
    EXPECT_TRUE(text.is_none());  // NOLINT(bugprone-use-after-move): the documented state
    EXPECT_EQ(moved.as_string(), "a string long enough to live on the heap, not in place");
    Object list(List{1, "two"});
    list = std::move(moved);  // the list's box is freed, the string's taken over
    EXPECT_EQ(list.kind(), Object::Kind::string);
    EXPECT_TRUE(moved.is_none());  // NOLINT(bugprone-use-after-move)
}

TEST(ObjectCodec, TheWireFormatIsAKindByteThenTheValue) {
    const auto bytes = mp::ipc::encode(Object(List{1, "a", None{}, true, 0.5}));
    const std::vector<std::byte> expected = payload({
        6, 5, 0, 0, 0, 0, 0, 0, 0,                     // list of 5
        2, 1, 0, 0, 0, 0, 0, 0, 0,                     // int 1
        4, 1, 0, 0, 0, 0, 0, 0, 0, 'a',                // str 'a'
        0,                                             // None
        1, 1,                                          // True
        3, 0, 0, 0, 0, 0, 0, 0xe0, 0x3f,               // 0.5
    });
    EXPECT_EQ(bytes, expected);
}

TEST(ObjectCodec, ALargeDictOfEveryKindRoundTrips) {
    // Long runs of numbers broken by strings, lists and dicts: the encoder writes
    // numbers in place a block at a time, and this crosses many block boundaries.
    Dict big;
    for (std::int64_t i = 0; i < 20'000; ++i) {
        switch (i % 7) {
            case 0:
                big.set(i, "text " + std::to_string(i));
                break;
            case 1:
                big.set(static_cast<double>(i) + 0.5, List{i, None{}, Bytes{"b"}});
                break;
            case 2:
                big.set("key " + std::to_string(i), Dict{{i, true}});
                break;
            default:
                big.set(i, i % 2 == 0 ? Object(i * 3) : Object(None{}));
        }
    }
    EXPECT_EQ(mp::ipc::decode_message<Dict>(mp::ipc::encode_message(big)), big);
    const Object wrapped(big);
    EXPECT_EQ(mp::ipc::decode_message<Object>(mp::ipc::encode_message(wrapped)), wrapped);
}

TEST(ObjectCodec, HostileInputIsADecodeError) {
    using mp::ipc::DecodeError;
    const auto decode = [](const std::vector<std::byte>& bytes) { return mp::ipc::decode<Object>(bytes); };
    EXPECT_THROW(decode(payload({42})), DecodeError) << "an unknown kind";
    EXPECT_THROW(decode(payload({2, 1, 2})), DecodeError) << "a truncated int";
    EXPECT_THROW(decode(payload({1, 7})), DecodeError) << "a bool that is neither 0 nor 1";
    // A list that claims 2^40 elements in a few bytes: refused before allocating.
    EXPECT_THROW(decode(payload({6, 0, 0, 0, 0, 0, 1, 0, 0})), DecodeError);
    // A dict whose key is a list.
    std::vector<std::byte> list_key = payload({7, 1, 0, 0, 0, 0, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0});
    EXPECT_THROW(decode(list_key), DecodeError);
    // Two equal keys (the encoder never writes them): 1 twice, and 1 with 1.0.
    const auto one = {2, 1, 0, 0, 0, 0, 0, 0, 0};
    const auto two = {2, 2, 0, 0, 0, 0, 0, 0, 0};
    const auto one_float = {3, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f};
    const auto dict_of = [](std::vector<std::initializer_list<int>> keys) {  // each key's value: None
        std::vector<std::byte> bytes = payload({7, static_cast<int>(keys.size()), 0, 0, 0, 0, 0, 0, 0});
        for (const auto& key : keys) {
            for (const int byte : key) bytes.push_back(static_cast<std::byte>(byte));
            bytes.push_back(std::byte{0});
        }
        return bytes;
    };
    EXPECT_THROW(decode(dict_of({one, two, one})), DecodeError);
    EXPECT_THROW(decode(dict_of({one, two, one_float})), DecodeError);
    EXPECT_EQ(decode(dict_of({two, one})).repr(), "{2: None, 1: None}");
    // Lists nested 100,000 deep: refused at the depth limit, not a stack overflow.
    std::vector<std::byte> deep;
    for (int i = 0; i < 100'000; ++i) {
        const auto level = payload({6, 1, 0, 0, 0, 0, 0, 0, 0});
        deep.insert(deep.end(), level.begin(), level.end());
    }
    deep.push_back(std::byte{0});
    EXPECT_THROW(decode(deep), DecodeError);
}

}  // namespace

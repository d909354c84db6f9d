// Type codes: parsing values with their ranges, formatting, and the runtime-typed
// view (DynamicArray).
#include <gtest/gtest.h>

#include <cstdint>
#include <stdexcept>
#include <string>

#include "shm/shm.hpp"
#include "tests/shm/support.hpp"
#include "tests/support/helpers.hpp"

namespace {

using mp::shm::DynamicArray;
using mp::shm::parse_scalar;
using mp::shm::Scalar;
using mp::shm::TypeCode;

TEST(TypeCode, ThirteenPythonCodesMapToTheirCTypes) {
    EXPECT_EQ(mp::shm::kScalarTypeCodes.size(), 13u);
    for (const char letter : mp::shm::kScalarTypeCodes) {
        const auto code = mp::shm::parse_type_code(letter);
        ASSERT_TRUE(code.has_value()) << letter;
        EXPECT_GT(mp::shm::type_size(*code), 0u);
    }
    EXPECT_FALSE(mp::shm::parse_type_code('V')) << "opaque segments come from C++ types, not names";
    EXPECT_FALSE(mp::shm::parse_type_code('x'));
    EXPECT_FALSE(mp::shm::parse_type_code('\0'));
    EXPECT_EQ(mp::shm::type_code_of<long>(), TypeCode::Long);
    EXPECT_EQ(mp::shm::type_code_of<long long>(), TypeCode::LongLong);
    EXPECT_EQ(mp::shm::type_code_of<std::int8_t>(), TypeCode::SignedChar);
    EXPECT_EQ(mp::shm::type_code_of<bool>(), TypeCode::Opaque);
    EXPECT_EQ(mp::shm::type_name(TypeCode::UnsignedLongLong), "unsigned long long");
}

TEST(TypeCode, ParsesValuesAtTheEdgesOfEachRange) {
    EXPECT_EQ(parse_scalar(TypeCode::SignedChar, "-128"), Scalar(std::int64_t{-128}));
    EXPECT_EQ(parse_scalar(TypeCode::SignedChar, "+127"), Scalar(std::int64_t{127}));
    EXPECT_EQ(parse_scalar(TypeCode::UnsignedChar, "255"), Scalar(std::uint64_t{255}));
    EXPECT_EQ(parse_scalar(TypeCode::UnsignedChar, "-0"), Scalar(std::uint64_t{0}));
    EXPECT_EQ(parse_scalar(TypeCode::Short, "-32768"), Scalar(std::int64_t{-32768}));
    EXPECT_EQ(parse_scalar(TypeCode::UnsignedInt, "4294967295"), Scalar(std::uint64_t{4294967295u}));
    EXPECT_EQ(parse_scalar(TypeCode::LongLong, "-9223372036854775808"), Scalar(INT64_MIN));
    EXPECT_EQ(parse_scalar(TypeCode::UnsignedLongLong, "18446744073709551615"), Scalar(UINT64_MAX));
    EXPECT_EQ(parse_scalar(TypeCode::Double, "-1e308"), Scalar(-1e308));
    EXPECT_EQ(parse_scalar(TypeCode::Float, "-3.4e38"), Scalar(-3.4e38));
    EXPECT_EQ(parse_scalar(TypeCode::Char, "-"), Scalar(std::uint64_t{'-'}));
}

TEST(TypeCode, RejectsValuesOutsideTheRangeOrNotValues) {
    const struct {
        TypeCode code;
        const char* text;
        bool out_of_range;  // else: not a value at all
    } cases[] = {
        {TypeCode::SignedChar, "300", true},         {TypeCode::SignedChar, "-129", true},
        {TypeCode::UnsignedChar, "256", true},       {TypeCode::UnsignedChar, "-1", true},
        {TypeCode::UnsignedShort, "65536", true},    {TypeCode::Int, "2147483648", true},
        {TypeCode::UnsignedLongLong, "18446744073709551616", true},
        {TypeCode::LongLong, "9223372036854775808", true},
        {TypeCode::Float, "1e39", true},             {TypeCode::Double, "1e999", true},
        {TypeCode::Int, "", false},                  {TypeCode::Int, "12x", false},
        {TypeCode::Int, "1.5", false},               {TypeCode::Int, " 1", false},
        {TypeCode::Int, "+-1", false},               {TypeCode::UnsignedInt, "-", false},
        {TypeCode::Double, "nan", false},            {TypeCode::Double, "inf", false},
        {TypeCode::Double, "0x10", false},           {TypeCode::Char, "ab", false},
        {TypeCode::Char, "", false},
    };
    for (const auto& c : cases) {
        if (c.out_of_range) {
            EXPECT_THROW((void)parse_scalar(c.code, c.text), std::out_of_range) << c.text;
        } else {
            EXPECT_THROW((void)parse_scalar(c.code, c.text), std::invalid_argument) << c.text;
        }
    }
    try {
        (void)parse_scalar(TypeCode::SignedChar, "300");
    } catch (const std::out_of_range& error) {
        EXPECT_STREQ(error.what(), "shm: 300 is out of range for type 'b' (signed char): -128..127");
    }
}

TEST(TypeCode, FormatsValuesToReadBackTheSame) {
    EXPECT_EQ(mp::shm::format_scalar(TypeCode::Double, 0.1), "0.1");
    EXPECT_EQ(mp::shm::format_scalar(TypeCode::Double, 3.1415927), "3.1415927");
    EXPECT_EQ(mp::shm::format_scalar(TypeCode::Float, static_cast<double>(0.1f)), "0.1");
    EXPECT_EQ(mp::shm::format_scalar(TypeCode::Char, std::uint64_t{'z'}), "z");
    EXPECT_EQ(mp::shm::format_scalar(TypeCode::Char, std::uint64_t{0}), "\\x00");
    EXPECT_EQ(mp::shm::format_scalar(TypeCode::Int, std::int64_t{-5}), "-5");
}

TEST(DynamicArray, ReadsTheTypeFromTheHeader) {
    const std::string name = mp::test::unique_name("dyn");
    auto typed = mp::shm::Array<short>::create(name, {-1, 2, -3});
    auto view = DynamicArray::attach(name);
    EXPECT_EQ(view.type_code(), TypeCode::Short);
    EXPECT_EQ(view.size(), 3u);
    EXPECT_EQ(view.get(2), Scalar(std::int64_t{-3}));
    view.set(0, std::int64_t{-32768});
    EXPECT_EQ(typed[0], -32768);
    EXPECT_THROW(view.set(0, std::int64_t{40000}), std::out_of_range);
    EXPECT_THROW(view.set(0, 1.5), std::out_of_range) << "a real does not fit an integer element";
    EXPECT_THROW((void)view.get(3), std::out_of_range);
    EXPECT_EQ(view.slice(1, 3), (std::vector<Scalar>{std::int64_t{2}, std::int64_t{-3}}));
}

TEST(DynamicArray, AddIsCheckedAndExactUnderConcurrency) {
    const std::string name = mp::test::unique_name("dynadd");
    auto array = DynamicArray::create(name, TypeCode::UnsignedChar, 2, std::int64_t{250});
    EXPECT_EQ(array.add(0, std::int64_t{5}), Scalar(std::uint64_t{255}));
    EXPECT_THROW(array.add(0, std::int64_t{1}), std::overflow_error);
    EXPECT_EQ(array.get(0), Scalar(std::uint64_t{255})) << "an overflowing add writes nothing";
    EXPECT_EQ(array.add(0, std::int64_t{-255}), Scalar(std::uint64_t{0})) << "negative deltas on unsigned codes";
    EXPECT_THROW(DynamicArray::create(mp::test::unique_name("bad"), TypeCode::SignedChar, 1, std::int64_t{300}),
                 std::out_of_range);

    auto total = DynamicArray::create(mp::test::unique_name("dyntotal"), TypeCode::Double, 1);
    ASSERT_EQ(mp::shm::test::run_children(4,
                                          [&](int) {
                                              for (int i = 0; i < 5000; ++i) total.add(0, 0.5);
                                              return 0;
                                          }),
              0);
    EXPECT_EQ(total.get(0), Scalar(10000.0));
    const std::string raw_name = mp::test::unique_name("dynraw");
    auto raw = mp::shm::Array<int>::create(raw_name, 1, {.lock = false});
    ASSERT_EQ(mp::shm::test::run_children(4,
                                          [&](int) {
                                              auto view = DynamicArray::attach(raw_name);
                                              for (int i = 0; i < 5000; ++i) view.add(0, std::int64_t{1});
                                              return 0;
                                          }),
              0);
    EXPECT_EQ(raw[0], 20000) << "without a lock, add is a compare-and-swap loop: still exact";
    auto chars = DynamicArray::create(mp::test::unique_name("dynchar"), TypeCode::Char, 1, std::uint64_t{'a'});
    EXPECT_THROW(chars.add(0, std::int64_t{1}), std::invalid_argument);
    EXPECT_EQ(chars.get(0), Scalar(std::uint64_t{'a'}));
}

}  // namespace

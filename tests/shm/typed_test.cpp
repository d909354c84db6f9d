// Value<T> and Array<T> of every type code, between forked processes and between
// unrelated ones (bin/shm reads and writes what this process made, and back).
#include <gtest/gtest.h>

#include <ranges>
#include <string>
#include <vector>

#include "shm/shm.hpp"
#include "tests/shm/samples.hpp"
#include "tests/shm/support.hpp"
#include "tests/support/helpers.hpp"

namespace {

using mp::shm::Array;
using mp::shm::Value;
using mp::shm::test::Child;
using mp::shm::test::Sample;
using mp::shm::test::shm_cli;

template <class T>
class EachTypeCode : public ::testing::Test {};
TYPED_TEST_SUITE(EachTypeCode, mp::shm::test::AllTypeCodes);

TYPED_TEST(EachTypeCode, AnonymousValueChangedByForkedChild) {
    using T = TypeParam;
    auto value = Value<T>::anonymous(Sample<T>::low());
    EXPECT_EQ(value.load(), Sample<T>::low());
    Child child([&] {
        if (value.load() != Sample<T>::low()) return 1;
        value.store(Sample<T>::high());
        return 0;
    });
    ASSERT_EQ(child.join(), 0);
    EXPECT_EQ(value.load(), Sample<T>::high());
    EXPECT_EQ(static_cast<char>(value.info().type_code), static_cast<char>(mp::shm::type_code_of<T>()));
}

TYPED_TEST(EachTypeCode, NamedArrayAttachedByForkedChild) {
    using T = TypeParam;
    const std::string name = mp::test::unique_name("arr");
    auto array = Array<T>::create(name, {Sample<T>::low(), Sample<T>::high(), T{}});
    Child child([&] {
        auto same = Array<T>::attach(name, 3);  // by name, as an unrelated process would
        if (same[0] != Sample<T>::low() || same[1] != Sample<T>::high()) return 1;
        same.store(2, Sample<T>::high());
        std::swap(same[0], same[1]);
        return 0;
    });
    ASSERT_EQ(child.join(), 0);
    EXPECT_EQ(array.slice(0, 3), (std::vector<T>{Sample<T>::high(), Sample<T>::low(), Sample<T>::high()}));
}

TYPED_TEST(EachTypeCode, UnrelatedProcessReadsAndWritesThroughTheCli) {
    using T = TypeParam;
    const std::string name = mp::test::unique_name("cli");
    auto array = Array<T>::create(name, {Sample<T>::low(), Sample<T>::high()});

    auto got = shm_cli({"get", name});
    ASSERT_EQ(got.exit_code, 0) << got.err;
    EXPECT_EQ(got.out, Sample<T>::low_text() + "\n" + Sample<T>::high_text() + "\n");

    auto set = shm_cli({"set", name, "1", Sample<T>::low_text()});
    ASSERT_EQ(set.exit_code, 0) << set.err;
    EXPECT_EQ(array.load(1), Sample<T>::low());
}

TYPED_TEST(EachTypeCode, CliCreatedSegmentAttachesAsArrayOfItsType) {
    using T = TypeParam;
    const std::string name = mp::test::unique_name("clicreate");
    const char code = static_cast<char>(mp::shm::type_code_of<T>());
    auto made = shm_cli({"create", name, std::string(1, code), "4", "--init", Sample<T>::high_text()});
    ASSERT_EQ(made.exit_code, 0) << made.err;
    {
        auto array = Array<T>::attach(name, 4);
        EXPECT_FALSE(array.owns_name());
        for (const T& element : array) EXPECT_EQ(element, Sample<T>::high());
        EXPECT_TRUE(array.has_lock());
    }
    EXPECT_EQ(shm_cli({"rm", name}).exit_code, 0);
}

}  // namespace

// Typed proxies: C++ types over a Manager's objects, the conversions' unhappy paths
// (a value of another kind, an int too large), arrays that keep their length, and
// typed proxies sent through a Connection.
#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ipc/connection.hpp"
#include "ipc/manager.hpp"
#include "sync/errors.hpp"
#include "tests/ipc/child.hpp"

namespace {

using mp::ipc::Dict;
using mp::ipc::KeyError;
using mp::ipc::List;
using mp::ipc::Manager;
using mp::ipc::Object;
using mp::ipc::TypeError;
using mp::ipc::test::fork_child;
using mp::ipc::test::wait_child;
using mp::sync::ValueError;

TEST(ObjectConvert, RoundTripsTheSupportedTypes) {
    using mp::ipc::from_object;
    using mp::ipc::to_object;
    EXPECT_EQ(from_object<int>(to_object(-7)), -7);
    EXPECT_EQ(from_object<std::uint8_t>(to_object(std::uint8_t{200})), 200);
    EXPECT_EQ(from_object<double>(to_object(0.25f)), 0.25);
    EXPECT_EQ(from_object<double>(to_object(3)), 3.0) << "an int reads as a float, as Python's arithmetic";
    EXPECT_EQ(from_object<std::string>(to_object("text")), "text");
    EXPECT_EQ(from_object<std::optional<int>>(to_object(std::optional<int>())), std::nullopt);
    EXPECT_EQ(from_object<std::optional<int>>(to_object(std::optional<int>(4))), 4);
    const std::vector<std::vector<int>> nested{{1, 2}, {}, {3}};
    EXPECT_EQ(from_object<std::vector<std::vector<int>>>(to_object(nested)), nested);
    const std::map<std::string, double> prices{{"a", 1.5}, {"b", 2.0}};
    EXPECT_EQ((from_object<std::map<std::string, double>>(to_object(prices))), prices);
    EXPECT_EQ(to_object(prices).repr(), "{'a': 1.5, 'b': 2.0}");
}

TEST(ObjectConvert, RefusesAnotherKindAndAnIntThatDoesNotFit) {
    using mp::ipc::from_object;
    EXPECT_THROW(from_object<int>(Object("1")), TypeError);
    EXPECT_THROW(from_object<std::string>(Object(1)), TypeError);
    EXPECT_THROW(from_object<std::vector<int>>(Object(List{1, "two"})), TypeError);
    EXPECT_THROW(from_object<std::int8_t>(Object(300)), ValueError);
    EXPECT_THROW(from_object<unsigned>(Object(-1)), ValueError);
    EXPECT_THROW(from_object<int>(Object(std::int64_t{1} << 40)), ValueError);
}

TEST(ManagerTyped, DictOfStringToInt) {
    Manager manager;
    auto counts = manager.dict<std::string, int>();
    counts.set("a", 1);
    counts["b"] = 2;
    const int b = counts["b"];
    EXPECT_EQ(b, 2);
    EXPECT_EQ(counts.get("missing", -1), -1);
    EXPECT_THROW((void)counts.get("missing"), KeyError);
    EXPECT_TRUE(counts.contains("a"));
    EXPECT_EQ(counts.add("a", 10), 11);
    counts.update(std::map<std::string, int>{{"c", 3}});
    EXPECT_EQ(counts.keys(), (std::vector<std::string>{"a", "b", "c"}));
    EXPECT_EQ(counts.values(), (std::vector<int>{11, 2, 3}));
    EXPECT_EQ(counts.items(), (std::vector<std::pair<std::string, int>>{{"a", 11}, {"b", 2}, {"c", 3}}));
    EXPECT_EQ(counts.setdefault("d", 4), 4);
    EXPECT_EQ(counts.pop("d"), 4);
    EXPECT_EQ(counts.pop("d", 0), 0);
    EXPECT_EQ(counts.popitem(), (std::pair<std::string, int>{"c", 3}));
    EXPECT_EQ(counts.repr(), "{'a': 11, 'b': 2}");
    counts.del("b");
    EXPECT_EQ(counts.size(), 1u);
    // Another client stores a str where an int is expected: reading says so.
    mp::ipc::DictProxy raw = counts.untyped();
    raw.set("a", "eleven");
    EXPECT_THROW((void)counts.get("a"), TypeError);
    counts.clear();
    EXPECT_EQ(counts.size(), 0u);
}

TEST(ManagerTyped, ListValueAndArray) {
    Manager manager;
    auto squares = manager.list<int>({1, 4, 9});
    squares.append(16);
    squares.extend({25});
    squares.insert(0, 0);
    EXPECT_EQ(squares.copy(), (std::vector<int>{0, 1, 4, 9, 16, 25}));
    EXPECT_EQ(squares.slice(1, 3), (std::vector<int>{1, 4}));
    squares.set_slice(0, 2, {});
    EXPECT_EQ(squares.pop(), 25);
    EXPECT_EQ(squares.get(-1), 16);
    squares[0] = 5;
    squares.sort(true);
    EXPECT_EQ(squares.copy(), (std::vector<int>{16, 9, 5}));
    EXPECT_EQ(squares.index(9), 1u);

    auto ratio = manager.value<double>(0.5);
    ratio.set(0.75);
    EXPECT_EQ(ratio.get(), 0.75);
    EXPECT_EQ(manager.value(5).get(), Object(5)) << "without a type, the Object form";

    auto array = manager.array<double>(3);
    EXPECT_EQ(array.copy(), (std::vector<double>{0.0, 0.0, 0.0}));
    array[1] = 2.5;
    array.set_slice(0, 1, {1.5});
    EXPECT_EQ(array.repr(), "[1.5, 2.5, 0.0]");
    EXPECT_THROW(array.set_slice(0, 2, {1.0}), ValueError) << "an array keeps its length";
    EXPECT_EQ(array.size(), 3u);
    EXPECT_THROW((void)array.get(3), mp::ipc::IndexError);
}

TEST(ManagerTyped, TypedProxiesTravelThroughAConnection) {
    Manager manager;
    auto [parent, child] = mp::ipc::Pipe();
    const pid_t pid = fork_child([&] {
        auto counts = child.recv<mp::ipc::TypedDictProxy<std::string, int>>();
        auto array = child.recv<mp::ipc::ArrayProxy<int>>();
        (void)counts.add("seen", 1);
        array[0] = 42;
        return 0;
    });
    auto counts = manager.dict<std::string, int>();
    auto array = manager.array<int>(2);
    parent.send(counts);
    parent.send(array);
    EXPECT_EQ(wait_child(pid), 0);
    EXPECT_EQ(counts.get("seen"), 1);
    EXPECT_EQ(array.get(0), 42);
}

}  // namespace

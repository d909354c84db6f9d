// What a task's callable may be: anything stateless. (What it may not be is proved
// by tests/compile_fail/pool_*.cpp: those must not compile.)
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <tuple>
#include <vector>

#include "pool/pool.hpp"

namespace {

int twice(int x) { return 2 * x; }

struct Greeter {  // an empty function object
    std::string operator()(const std::string& name, int times) const {
        std::string out;
        for (int i = 0; i < times; ++i) out += "hi " + name + ";";
        return out;
    }
};

TEST(PoolCallables, StatelessCallablesTravelAndStateGoesAsArguments) {
    mp::pool::Pool pool(2);
    EXPECT_EQ(pool.apply(twice, 4), 8);
    EXPECT_EQ(pool.apply(&twice, 5), 10);
    EXPECT_EQ(pool.apply([](int a, int b) { return a * b; }, 6, 7), 42);
    EXPECT_EQ(pool.apply(Greeter{}, "bob", 2), "hi bob;hi bob;");
    EXPECT_EQ(pool.apply(std::plus<>{}, 1, 2), 3);
    EXPECT_EQ(pool.map(twice, std::vector<int>{1, 2, 3}), (std::vector<int>{2, 4, 6}));
    const std::vector<std::tuple<std::string, int>> greetings{{"a", 1}, {"b", 2}};
    EXPECT_EQ(pool.starmap(Greeter{}, greetings), (std::vector<std::string>{"hi a;", "hi b;hi b;"}));
    mp::pool::Executor executor(1);
    EXPECT_EQ(executor.submit(Greeter{}, "c", 1).result(), "hi c;");
    pool.close();
    pool.join();
}

}  // namespace

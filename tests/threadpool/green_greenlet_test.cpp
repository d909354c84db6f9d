// Greenlet: switch order, values both ways, parents, exceptions to the parent,
// throw_into, the destructor's unwinding, stacks released, threads, and a stack
// overflow reported by a helper child.
#include <gtest/gtest.h>

#include <any>
#include <csignal>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/helpers.hpp"
#include "tests/threadpool/mappings.hpp"
#include "threadpool/green/greenlet.hpp"

namespace {

using mp::threadpool::green::Greenlet;
using mp::threadpool::green::GreenletExit;

TEST(Greenlet, SeedProgramSwitchesInGreenletsOrder) {
    std::vector<int> out;
    Greenlet* gr2 = nullptr;
    Greenlet gr1([&](std::any) {
        out.push_back(11);
        gr2->switch_to();
        out.push_back(22);
        gr2->switch_to();
        return std::any{};
    });
    Greenlet g2([&](std::any) {
        out.push_back(33);
        gr1.switch_to();
        out.push_back(44);
        return std::any{};
    });
    gr2 = &g2;
    gr1.switch_to();
    EXPECT_EQ(out, (std::vector<int>{11, 33, 22, 44}));
    // gr2 ended first: its parent (main) got control; gr1 is suspended in its switch.
    EXPECT_TRUE(g2.dead());
    EXPECT_FALSE(gr1.dead());
}

TEST(Greenlet, ValuesTravelBothWays) {
    Greenlet& main = Greenlet::current();
    Greenlet g([&](std::any first) {
        EXPECT_EQ(std::any_cast<int>(first), 1);
        std::any third = main.switch_to(2);
        EXPECT_EQ(std::any_cast<std::string>(third), "three");
        return std::any{4.5};
    });
    EXPECT_FALSE(g.started());
    EXPECT_EQ(std::any_cast<int>(g.switch_to(1)), 2);
    EXPECT_TRUE(g.started());
    EXPECT_FALSE(g.dead());
    EXPECT_EQ(std::any_cast<double>(g.switch_to(std::string("three"))), 4.5);
    EXPECT_TRUE(g.dead());
    EXPECT_EQ(&Greenlet::current(), &main);
}

TEST(Greenlet, AnEscapingExceptionIsRaisedInTheParent) {
    Greenlet g([](std::any) -> std::any { throw std::runtime_error("boom"); });
    EXPECT_THROW(
        try { g.switch_to(); } catch (const std::runtime_error& e) {
            EXPECT_STREQ(e.what(), "boom");
            throw;
        },
        std::runtime_error);
    EXPECT_TRUE(g.dead());
}

TEST(Greenlet, TheParentGetsTheResultAndADeadTargetPassesToItsParent) {
    std::vector<std::string> out;
    Greenlet parent([&](std::any) {
        Greenlet child([&](std::any v) { return std::any{std::any_cast<int>(v) * 10}; });
        // The child's parent is this greenlet (its creator): its result comes here.
        out.push_back(std::to_string(std::any_cast<int>(child.switch_to(7))));
        // Switching to the dead child goes to its parent, this greenlet: returns at once.
        out.push_back(std::any_cast<std::string>(child.switch_to(std::string("again"))));
        return std::any{std::string("parent done")};
    });
    EXPECT_EQ(std::any_cast<std::string>(parent.switch_to()), "parent done");
    EXPECT_EQ(out, (std::vector<std::string>{"70", "again"}));
}

TEST(Greenlet, SetParentRedirectsTheEndAndRefusesCycles) {
    Greenlet& main = Greenlet::current();
    std::vector<int> out;
    Greenlet adopter([&](std::any v) {
        out.push_back(std::any_cast<int>(v));
        return std::any{};
    });
    Greenlet child([](std::any) { return std::any{5}; });
    child.set_parent(adopter);
    adopter.set_parent(main);
    child.switch_to();  // child ends with 5: adopter starts with it, then ends to main
    EXPECT_EQ(out, std::vector<int>{5});
    EXPECT_TRUE(adopter.dead());
    EXPECT_THROW(main.set_parent(adopter), std::invalid_argument);
    EXPECT_THROW(adopter.set_parent(adopter), std::invalid_argument);
}

TEST(Greenlet, ThrowIntoRaisesAtTheSuspendedSwitch) {
    Greenlet& main = Greenlet::current();
    Greenlet g([&](std::any) -> std::any {
        try {
            main.switch_to();
        } catch (const std::runtime_error& e) {
            return std::string("caught ") + e.what();
        }
        return std::string("not thrown");
    });
    g.switch_to();
    EXPECT_EQ(std::any_cast<std::string>(g.throw_into(std::runtime_error("stop"))), "caught stop");
    EXPECT_TRUE(g.dead());
}

TEST(Greenlet, ThrowIntoAnUnstartedGreenletEndsItWithoutRunning) {
    bool ran = false;
    Greenlet quiet([&](std::any) {
        ran = true;
        return std::any{};
    });
    EXPECT_FALSE(quiet.throw_into(GreenletExit{}).has_value());
    EXPECT_TRUE(quiet.dead());
    Greenlet loud([&](std::any) {
        ran = true;
        return std::any{};
    });
    EXPECT_THROW(loud.throw_into(std::logic_error("no")), std::logic_error);
    EXPECT_TRUE(loud.dead());
    EXPECT_FALSE(ran);
}

TEST(Greenlet, DestroyingASuspendedGreenletUnwindsItsStack) {
    Greenlet& main = Greenlet::current();
    bool unwound = false;
    struct Flag {
        bool& set;
        ~Flag() { set = true; }
    };
    {
        Greenlet g([&](std::any) {
            Flag flag{unwound};
            main.switch_to();
            ADD_FAILURE() << "resumed normally";
            return std::any{};
        });
        g.switch_to();
        EXPECT_FALSE(unwound);
    }
    EXPECT_TRUE(unwound);
    EXPECT_EQ(&Greenlet::current(), &main);
}

TEST(Greenlet, StacksAreMappedAtTheFirstSwitchAndUnmappedWhenDeadOrDestroyed) {
    using mp::test::mappings_of;
    const std::size_t size = 37 * mp::test::page_size();  // an unusual size (the guard page is a line of its own)
    const int before = mappings_of(size);
    Greenlet& main = Greenlet::current();
    auto finished = std::make_unique<Greenlet>([](std::any) { return std::any{}; }, mp::threadpool::green::GreenletOptions{"a", size});
    auto suspended = std::make_unique<Greenlet>([&](std::any) { return main.switch_to(); },
                                                mp::threadpool::green::GreenletOptions{"b", size});
    EXPECT_EQ(mappings_of(size), before);  // mapped at the first switch
    suspended->switch_to();
    EXPECT_EQ(mappings_of(size), before + 1);
    finished->switch_to();
    EXPECT_EQ(mappings_of(size), before + 1);  // the dead one's stack is gone
    suspended.reset();
    EXPECT_EQ(mappings_of(size), before);
}

TEST(Greenlet, AnotherThreadMayNotSwitchIn) {
    Greenlet g([](std::any) { return std::any{}; });
    std::thread other([&] { EXPECT_THROW(g.switch_to(), std::logic_error); });
    other.join();
    EXPECT_FALSE(g.started());
}

TEST(Greenlet, EachThreadHasItsOwnMainGreenlet) {
    Greenlet* here = &Greenlet::current();
    Greenlet* there = nullptr;
    std::thread other([&] { there = &Greenlet::current(); });
    other.join();
    EXPECT_NE(here, there);
    EXPECT_EQ(here->name(), "main");
}

// Deeper without end unless `limit` is reached (the test never gives one it reaches).
int recurse(int depth, int limit) {
    volatile char buffer[1024];
    buffer[0] = static_cast<char>(depth);
    if (depth == limit) return buffer[0];
    return depth + recurse(depth + 1, limit) + buffer[0];
}

const bool overflow_helper = mp::test::register_helper("green-overflow", [](const std::vector<std::string>&) {
    Greenlet deep([](std::any) { return std::any{recurse(0, -1)}; }, {"deep-recursion", 64 * 1024});
    deep.switch_to();
    return 0;
});

TEST(Greenlet, AStackOverflowDiesNamingTheGreenlet) {
    const auto result = mp::test::run_command(mp::test::helper_command("green-overflow"));
    EXPECT_EQ(result.signal, SIGSEGV) << result.err;
    EXPECT_NE(result.err.find("stack overflow in greenlet \"deep-recursion\""), std::string::npos) << result.err;
}

}  // namespace

// PriorityQueue with a comparator that throws: the exception reaches the caller of
// put/get and the queue is as before (no item lost, duplicated or moved-from, counts
// unchanged), whichever comparison of the heap's walk throws.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

#include "threadpool/priority_queue.hpp"

namespace {

using namespace std::chrono_literals;

// Counts comparisons down and throws on the one that reaches zero; -1: never.
struct Tripwire {
    int calls_left = -1;
};

struct TrippingLess {
    Tripwire* wire;
    bool operator()(const std::string& a, const std::string& b) const {
        if (wire->calls_left >= 0 && wire->calls_left-- == 0) throw std::runtime_error("comparator failed");
        return a < b;
    }
};

using Queue = mp::threadpool::PriorityQueue<std::string, TrippingLess>;

const std::vector<std::string> kItems = {"15", "11", "17", "13", "10", "16", "12", "14", "18"};

void fill(Queue& queue) {
    for (const std::string& item : kItems) queue.put(item);
}

// Takes everything and checks it is `expected`, smallest first, with every task count intact.
void expect_drains_to(Queue& queue, std::vector<std::string> expected) {
    std::sort(expected.begin(), expected.end());
    ASSERT_EQ(queue.qsize(), expected.size());
    std::vector<std::string> got;
    while (std::optional<std::string> item = queue.try_get()) got.push_back(*item);
    EXPECT_EQ(got, expected);
    for (std::size_t i = 0; i < expected.size(); ++i) queue.task_done();
    EXPECT_TRUE(queue.join_for(0ms));
    EXPECT_THROW(queue.task_done(), std::logic_error) << "a failed put was counted as a task";
}

TEST(PriorityQueueComparator, AThrowingGetTakesNothing) {
    int thrown = 0;
    for (int k = 0; k < 12; ++k) {
        SCOPED_TRACE("throws at comparison " + std::to_string(k));
        Tripwire wire;
        Queue queue(0, TrippingLess{&wire});
        fill(queue);
        wire.calls_left = k;
        std::vector<std::string> left = kItems;
        try {
            EXPECT_EQ(queue.get(), "10");
            queue.task_done();
            left.erase(std::find(left.begin(), left.end(), "10"));
        } catch (const std::runtime_error& e) {
            EXPECT_STREQ(e.what(), "comparator failed");
            ++thrown;
        }
        wire.calls_left = -1;
        expect_drains_to(queue, left);
    }
    EXPECT_GE(thrown, 4) << "the walk down the heap was not interrupted at every step";
}

TEST(PriorityQueueComparator, AThrowingPutQueuesNothingAndGivesTheValueBack) {
    int thrown = 0;
    for (int k = 0; k < 6; ++k) {
        SCOPED_TRACE("throws at comparison " + std::to_string(k));
        Tripwire wire;
        Queue queue(0, TrippingLess{&wire});
        fill(queue);
        wire.calls_left = k;
        std::string value = "05";  // the smallest: it climbs to the root
        std::vector<std::string> expected = kItems;
        try {
            queue.put(std::move(value));
            expected.push_back("05");
        } catch (const std::runtime_error&) {
            EXPECT_EQ(value, "05") << "the item is lost to the caller";
            ++thrown;
        }
        wire.calls_left = -1;
        expect_drains_to(queue, expected);
    }
    EXPECT_GE(thrown, 3);
}

TEST(PriorityQueueComparator, EveryFormPassesTheExceptionOn) {
    Tripwire wire;
    Queue queue(0, TrippingLess{&wire});
    fill(queue);
    wire.calls_left = 0;
    EXPECT_THROW((void)queue.try_put("01"), std::runtime_error);
    wire.calls_left = 0;
    EXPECT_THROW(queue.put("01", 1s), std::runtime_error);
    wire.calls_left = 0;
    EXPECT_THROW((void)queue.try_get(), std::runtime_error);
    wire.calls_left = 0;
    EXPECT_THROW(queue.get(1s), std::runtime_error);
    wire.calls_left = 0;
    EXPECT_THROW(queue.get_nowait(), std::runtime_error);
    wire.calls_left = -1;
    expect_drains_to(queue, kItems);
}

}  // namespace

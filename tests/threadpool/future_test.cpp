// Future and Promise: Python's concurrent.futures.Future states (pending, running,
// cancelled, finished), result/exception with and without timeouts, cancel, done
// callbacks (including one that throws), and a Promise dropped before it completed.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "tests/threadpool/stderr_capture.hpp"
#include "threadpool/future.hpp"

namespace {

using namespace std::chrono_literals;
using mp::threadpool::CancelledError;
using mp::threadpool::Future;
using mp::threadpool::Promise;
using mp::threadpool::TimeoutError;

TEST(Future, ResultIsTheValueAsOftenAsAsked) {
    Promise<std::string> promise;
    Future<std::string> future = promise.get_future();
    EXPECT_FALSE(future.done());
    promise.set_result("forty-two");
    EXPECT_TRUE(future.done());
    EXPECT_FALSE(future.running());
    EXPECT_EQ(future.result(), "forty-two");
    EXPECT_EQ(future.result(), "forty-two");
    EXPECT_EQ(future.exception(), nullptr);
}

TEST(Future, CopiesShareOneState) {
    Promise<int> promise;
    Future<int> a = promise.get_future();
    Future<int> b = a;
    EXPECT_TRUE(a == b);
    promise.set_result(7);
    EXPECT_EQ(b.result(), 7);
}

TEST(Future, ResultWaitsForAnotherThread) {
    Promise<void> promise;
    Future<void> future = promise.get_future();
    std::thread producer([&] {
        std::this_thread::sleep_for(50ms);
        promise.set_result();
    });
    future.result();
    EXPECT_TRUE(future.done());
    producer.join();
}

TEST(Future, BoundedWaitsOnAPendingFuture) {
    Promise<int> promise;
    Future<int> future = promise.get_future();
    EXPECT_FALSE(future.wait_for(20ms));
    EXPECT_FALSE(future.wait_for(0s));
    EXPECT_THROW((void)future.result(20ms), TimeoutError);
    EXPECT_THROW((void)future.exception(-1s), TimeoutError);
    promise.set_result(1);
    EXPECT_TRUE(future.wait_for(0s));
    EXPECT_EQ(future.result(std::chrono::seconds::max()), 1);
}

TEST(Future, AFailedTaskRethrowsItsOwnExceptionType) {
    Promise<int> promise;
    Future<int> future = promise.get_future();
    promise.set_exception(std::make_exception_ptr(std::invalid_argument("bad input")));
    EXPECT_TRUE(future.done());
    EXPECT_THROW((void)future.result(), std::invalid_argument);
    const std::exception_ptr error = future.exception();
    ASSERT_NE(error, nullptr);
    try {
        std::rethrow_exception(error);
    } catch (const std::invalid_argument& e) {
        EXPECT_STREQ(e.what(), "bad input");
    }
}

TEST(Future, CancelAPendingFuture) {
    Promise<int> promise;
    Future<int> future = promise.get_future();
    EXPECT_TRUE(future.cancel());
    EXPECT_TRUE(future.cancelled());
    EXPECT_TRUE(future.done());
    EXPECT_TRUE(future.cancel()) << "cancelling again still answers true, as Python";
    EXPECT_THROW((void)future.result(), CancelledError);
    EXPECT_THROW((void)future.exception(), CancelledError);
    EXPECT_FALSE(promise.set_running_or_notify_cancel()) << "the executor must not run it";
}

TEST(Future, ARunningOrFinishedFutureCannotBeCancelled) {
    Promise<int> promise;
    Future<int> future = promise.get_future();
    ASSERT_TRUE(promise.set_running_or_notify_cancel());
    EXPECT_TRUE(future.running());
    EXPECT_FALSE(future.cancel());
    EXPECT_FALSE(future.cancelled());
    promise.set_result(3);
    EXPECT_FALSE(future.cancel());
    EXPECT_EQ(future.result(), 3);
}

TEST(Future, DoneCallbacksRunOnCompletionWithTheFuture) {
    Promise<int> promise;
    Future<int> future = promise.get_future();
    std::vector<int> seen;
    future.add_done_callback([&](const Future<int>& done) { seen.push_back(done.result()); });
    future.add_done_callback([&](const Future<int>& done) { seen.push_back(done.result() + 1); });
    EXPECT_TRUE(seen.empty());
    promise.set_result(10);
    EXPECT_EQ(seen, (std::vector<int>{10, 11}));
}

TEST(Future, ACallbackAddedWhenDoneRunsAtOnce) {
    Promise<int> promise;
    Future<int> future = promise.get_future();
    promise.set_result(5);
    int seen = 0;
    future.add_done_callback([&](const Future<int>& done) { seen = done.result(); });
    EXPECT_EQ(seen, 5);
}

TEST(Future, CancellingRunsTheCallbacks) {
    Promise<int> promise;
    Future<int> future = promise.get_future();
    bool saw_cancelled = false;
    future.add_done_callback([&](const Future<int>& done) { saw_cancelled = done.cancelled(); });
    ASSERT_TRUE(future.cancel());
    EXPECT_TRUE(saw_cancelled);
}

TEST(Future, ACallbackThatThrowsIsReportedAndTheOthersStillRun) {
    Promise<int> promise;
    Future<int> future = promise.get_future();
    bool second_ran = false;
    future.add_done_callback([](const Future<int>&) { throw std::runtime_error("callback broke"); });
    future.add_done_callback([&](const Future<int>&) { second_ran = true; });
    mp::test::StderrCapture err;
    promise.set_result(1);
    const std::string text = err.text();
    EXPECT_TRUE(second_ran);
    EXPECT_NE(text.find("exception calling callback for future:"), std::string::npos) << text;
    EXPECT_NE(text.find("std::runtime_error: callback broke"), std::string::npos) << text;
    EXPECT_EQ(future.result(), 1) << "the future itself is unharmed";
}

TEST(Promise, DroppedBeforeItStartedCancelsTheFuture) {
    Future<int> future;
    {
        Promise<int> promise;
        future = promise.get_future();
    }
    EXPECT_TRUE(future.cancelled());
}

TEST(Promise, DroppedWhileRunningFailsTheFutureAsABrokenPromise) {
    Future<int> future;
    {
        Promise<int> promise;
        future = promise.get_future();
        ASSERT_TRUE(promise.set_running_or_notify_cancel());
    }
    ASSERT_TRUE(future.done());
    EXPECT_FALSE(future.cancelled());
    try {
        (void)future.result();
        ADD_FAILURE() << "no error";
    } catch (const std::future_error& e) {
        EXPECT_EQ(e.code(), std::future_errc::broken_promise);
    }
}

TEST(Future, ADefaultFutureHasNoStateAndSaysSo) {
    Future<int> future;
    EXPECT_FALSE(future.valid());
    EXPECT_THROW((void)future.done(), std::logic_error);
    EXPECT_THROW((void)future.result(), std::logic_error);
}

}  // namespace

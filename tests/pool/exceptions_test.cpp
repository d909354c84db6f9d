// A task's exception arrives in the parent as its own type, as in Python.
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <future>
#include <new>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "ipc/errors.hpp"
#include "pool/pool.hpp"
#include "sync/errors.hpp"

namespace {

struct ParseError : std::runtime_error {
    using std::runtime_error::runtime_error;
};
struct Unregistered : std::runtime_error {
    using std::runtime_error::runtime_error;
};

template <class E>
void throw_it(std::string message) {
    throw E(message);
}

// Runs `call` and expects it to throw exactly E (not a base) with `message`.
template <class E, class Call>
void expect_exactly(Call call, const std::string& message) {
    try {
        call();
        ADD_FAILURE() << "no exception";
    } catch (const E& error) {
        EXPECT_EQ(typeid(error), typeid(E));
        EXPECT_EQ(error.what(), message);
    } catch (const std::exception& other) {
        ADD_FAILURE() << "got " << typeid(other).name() << ": " << other.what();
    }
}

template <class E>
void expect_travels(mp::pool::Pool& pool) {
    SCOPED_TRACE(typeid(E).name());
    expect_exactly<E>([&] { pool.apply(throw_it<E>, "bad"); }, "bad");
}

TEST(PoolExceptions, StandardAndMpTypesKeepTheirType) {
    mp::pool::Pool pool(1);
    expect_travels<std::runtime_error>(pool);
    expect_travels<std::logic_error>(pool);
    expect_travels<std::invalid_argument>(pool);
    expect_travels<std::out_of_range>(pool);
    expect_travels<std::length_error>(pool);
    expect_travels<std::domain_error>(pool);
    expect_travels<std::range_error>(pool);
    expect_travels<std::overflow_error>(pool);
    expect_travels<std::underflow_error>(pool);
    expect_travels<mp::pool::TimeoutError>(pool);
    expect_travels<mp::ipc::DecodeError>(pool);
    expect_travels<mp::ipc::QueueEmpty>(pool);
    expect_travels<mp::sync::ValueError>(pool);
    EXPECT_THROW(pool.apply([] { throw std::bad_alloc(); }), std::bad_alloc);
    pool.close();
    pool.join();
}

TEST(PoolExceptions, SystemErrorKeepsItsCodeCategoryAndMessage) {
    mp::pool::Pool pool(1);
    try {
        pool.apply([] { throw std::system_error(EACCES, std::generic_category(), "open(\"/secret\")"); });
        FAIL() << "no exception";
    } catch (const std::system_error& error) {
        EXPECT_EQ(error.code(), std::error_code(EACCES, std::generic_category()));
        EXPECT_EQ(std::string(error.what()), std::system_error(EACCES, std::generic_category(), "open(\"/secret\")").what());
    }
    try {
        pool.apply([] { throw std::system_error(std::error_code(ENOENT, std::system_category())); });
        FAIL() << "no exception";
    } catch (const std::system_error& error) {
        EXPECT_EQ(error.code(), std::error_code(ENOENT, std::system_category()));
        EXPECT_EQ(std::string(error.what()), std::system_error(std::error_code(ENOENT, std::system_category())).what());
    }
    pool.close();
    pool.join();
}

TEST(PoolExceptions, RegisteredUserTypesTravelOthersAreRemoteErrors) {
    mp::pool::register_exception<ParseError>();
    mp::pool::Pool pool(1);
    expect_exactly<ParseError>([&] { pool.apply(throw_it<ParseError>, "line 3"); }, "line 3");
    try {
        pool.apply(throw_it<Unregistered>, "who?");
        FAIL() << "no exception";
    } catch (const mp::pool::RemoteError& error) {
        EXPECT_EQ(error.type_name(), "(anonymous namespace)::Unregistered");
        EXPECT_EQ(error.message(), "who?");
        EXPECT_EQ(error.pid(), pool.worker_pids().at(0));
    }
    pool.close();
    pool.join();
}

void fails_on_two(int x) {
    if (x == 2) throw std::domain_error("two");
}

TEST(PoolExceptions, EveryPathRethrowsTheType) {
    mp::pool::Pool pool(2);
    expect_exactly<std::domain_error>([&] { pool.map(fails_on_two, std::vector<int>{1, 2, 3}); }, "two");
    auto results = pool.imap(fails_on_two, std::vector<int>{2});
    expect_exactly<std::domain_error>([&] { (void)results.next(); }, "two");
    std::string seen;
    auto async = pool.apply_async({.error_callback = [&](const std::exception& e) { seen = typeid(e).name(); }},
                                  fails_on_two, 2);
    expect_exactly<std::domain_error>([&] { async.get(); }, "two");
    EXPECT_EQ(seen, typeid(std::domain_error).name());
    mp::pool::Executor executor(1);
    mp::threadpool::Future<void> future = executor.submit(fails_on_two, 2);
    expect_exactly<std::domain_error>([&] { future.result(); }, "two");
    pool.close();
    pool.join();
}

}  // namespace

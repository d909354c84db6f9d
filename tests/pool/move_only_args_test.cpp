// Move-only objects handed to a Process or to a Pool's initializer: moved in, they
// work in the child as they did in the parent. (The seed programs, which share such
// objects with std::ref as Python shares them, are in tests/seeds/.)
#include <unistd.h>

#include <gtest/gtest.h>

#include <string>
#include <utility>

#include "ipc/ipc.hpp"
#include "pool/pool.hpp"
#include "shm/shm.hpp"
#include "tests/support/helpers.hpp"

namespace {

using mp::pool::Process;

TEST(MoveOnlyArgs, ConnectionMovedIntoTheChild) {
    auto [parent, child] = mp::ipc::Pipe();
    Process p([](mp::ipc::Connection& c, const std::string& text) { c.send(text); }, std::move(child), "This is Mr.Ni");
    p.start();
    EXPECT_EQ(parent.recv<std::string>(), "This is Mr.Ni");
    p.join();
    EXPECT_EQ(p.exitcode(), 0);
}

TEST(MoveOnlyArgs, NamedValueMovedIntoTheChild) {
    const std::string name = mp::test::unique_name("moved-value");
    auto created = mp::shm::Value<double>::create(name, 1.0);
    auto seen = mp::shm::Value<double>::attach(name);
    Process p([](mp::shm::Value<double>& n) { n.store(5); }, std::move(created));
    p.start();
    p.join();
    EXPECT_EQ(seen.load(), 5.0);
}

TEST(MoveOnlyArgs, PoolInitializerTakesAMovedConnection) {
    auto [reader, writer] = mp::ipc::Pipe();
    const int fd = writer.fileno();  // workers inherit only the fds they are given
    mp::pool::Pool pool({.processes = 1, .pass_fds = {fd}},
                        [](mp::ipc::Connection& c) { c.send(static_cast<int>(::getpid())); }, std::move(writer));
    EXPECT_EQ(reader.recv<int>(), pool.worker_pids().at(0));
    pool.close();
    pool.join();
}

}  // namespace

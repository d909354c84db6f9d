// The seed programs that hand mp objects to a Process (Python's
// Process(target=f, args=(q,))), ported line for line: shared with std::ref, as
// Python shares them, or moved in (move-only objects are fine).
#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <thread>

#include "ipc/ipc.hpp"
#include "pool/pool.hpp"
#include "shm/shm.hpp"
#include "sync/sync.hpp"
#include "tests/support/helpers.hpp"

namespace {

using namespace std::chrono_literals;
using mp::pool::Process;

// Runs `program` with this process's stdout (and so its children's) sent to a
// file; returns what was printed.
std::string printed_by(const std::function<void()>& program) {
    std::fflush(stdout);
    FILE* file = std::tmpfile();
    const int saved = ::dup(1);
    ::dup2(::fileno(file), 1);
    program();
    std::fflush(stdout);
    ::dup2(saved, 1);
    ::close(saved);
    std::string text;
    std::rewind(file);
    for (int c; (c = std::fgetc(file)) != EOF;) text += static_cast<char>(c);
    std::fclose(file);
    return text;
}

// Seed 000, "Queue, Lock": a writer puts A, B, C under the lock; a reader gets
// forever and is terminated once the writer is done.
void write(mp::ipc::Queue<std::string>& q, mp::sync::Lock& lock, const std::string& name) {
    std::printf("Child Process %s starts\n", name.c_str());
    lock.acquire();
    for (const char* value : {"A", "B", "C"}) {
        std::printf("Put %s to queue...\n", value);
        q.put(value);
        std::this_thread::sleep_for(10ms);
    }
    lock.release();
    std::printf("Child Process %s ends\n", name.c_str());
}

void read(mp::ipc::Queue<std::string>& q, mp::sync::Lock&, const std::string& name) {
    std::printf("Child Process %s starts\n", name.c_str());
    for (;;) {
        const std::string value = q.get();
        std::printf("Get %s from queue.\n", value.c_str());
        std::fflush(stdout);
    }
}

TEST(SeedPrograms, QueueAndLockSharedWithAWriterAndAReader) {
    const std::string out = printed_by([] {
        mp::ipc::Queue<std::string> q;
        mp::sync::Lock lock;
        Process pw(write, std::ref(q), std::ref(lock), "WRITE");
        Process pr(read, std::ref(q), std::ref(lock), "READ");
        pw.start();
        pr.start();
        pw.join();
        while (!q.empty()) std::this_thread::sleep_for(1ms);
        std::this_thread::sleep_for(100ms);  // the reader prints what it got last
        pr.terminate();
        pr.join();
        std::printf("Test finish.\n");
    });
    for (const char* line : {"Child Process WRITE starts\n", "Put A to queue...\nPut B to queue...\nPut C to queue...\n",
                             "Child Process WRITE ends\n", "Child Process READ starts\n", "Get A from queue.\n",
                             "Get B from queue.\n", "Get C from queue.\n"})
        EXPECT_NE(out.find(line), std::string::npos) << line << " missing in:\n" << out;
    EXPECT_LT(out.find("Get A"), out.find("Get B"));
    EXPECT_LT(out.find("Get B"), out.find("Get C"));
    EXPECT_TRUE(out.ends_with("Test finish.\n")) << out;
}

// Seed 000, "Pipe": each end moved into the process that uses it.
void send(mp::ipc::Connection& child_pipe, const std::string& name) {
    std::printf("Child Process %s starts\n", name.c_str());
    child_pipe.send("This is Mr.Ni");
    child_pipe.close();
    std::printf("Child Process %s ends\n", name.c_str());
}

void recv(mp::ipc::Connection& parent_pipe, const std::string& name) {
    std::printf("Child Process %s starts\n", name.c_str());
    std::printf("%s\n", parent_pipe.recv<std::string>().c_str());
    std::printf("Child Process %s ends\n", name.c_str());
}

TEST(SeedPrograms, PipeEndsMovedIntoTheirProcesses) {
    const std::string out = printed_by([] {
        auto [parent, child] = mp::ipc::Pipe();
        Process ps(send, std::move(child), "SEND");
        Process pr(recv, std::move(parent), "RECEIVE");
        ps.start();
        ps.join();
        pr.start();
        pr.join();
        std::printf("Test finish.\n");
    });
    EXPECT_EQ(out,
              "Child Process SEND starts\nChild Process SEND ends\n"
              "Child Process RECEIVE starts\nThis is Mr.Ni\nChild Process RECEIVE ends\nTest finish.\n");
}

// Seed 004, "Lock": ten dropped Processes print under one shared lock.
void f(mp::sync::Lock& l, int i) {
    l.acquire();
    std::printf("hello  %d\n", i);
    std::fflush(stdout);
    l.release();
}

TEST(SeedPrograms, TenDroppedProcessesPrintUnderOneLock) {
    const std::string out = printed_by([] {
        mp::sync::Lock lock;
        for (int num = 0; num < 10; ++num) Process(f, std::ref(lock), num).start();
        while (!mp::pool::active_children().empty()) std::this_thread::sleep_for(5ms);
    });
    for (int i = 0; i < 10; ++i) EXPECT_NE(out.find("hello  " + std::to_string(i) + "\n"), std::string::npos) << out;
    EXPECT_EQ(out.size(), 10 * std::string("hello  0\n").size()) << out;
}

// Seed 004, "Value, Array": the child writes shared memory the parent reads.
void set_shared(mp::shm::Value<double>& n, mp::shm::Array<int>& a) {
    n.store(5);
    a[0] = 100;
}

std::string listed(const mp::shm::Array<int>& a) {
    std::string text = "[";
    for (std::size_t i = 0; i < a.size(); ++i) text += (i ? ", " : "") + std::to_string(a[i]);
    return text + "]";
}

TEST(SeedPrograms, ValueAndArraySharedWithAChild) {
    const std::string out = printed_by([] {
        auto num = mp::shm::Value<double>::anonymous(1);
        auto arr = mp::shm::Array<int>::anonymous({0, 1, 2, 3, 4});
        std::printf("%g\n%s\n", num.load(), listed(arr).c_str());
        Process p(set_shared, std::ref(num), std::ref(arr));
        p.start();
        p.join();
        std::printf("%.1f\n%s\n", num.load(), listed(arr).c_str());
    });
    EXPECT_EQ(out, "1\n[0, 1, 2, 3, 4]\n5.0\n[100, 1, 2, 3, 4]\n");
}

TEST(SeedPrograms, NamedValueMovedIntoTheChild) {
    const std::string name = mp::test::unique_name("moved-value");
    auto created = mp::shm::Value<double>::create(name, 1.0);
    auto seen = mp::shm::Value<double>::attach(name);
    Process p([](mp::shm::Value<double>& n) { n.store(5); }, std::move(created));
    p.start();
    p.join();
    EXPECT_EQ(seen.load(), 5.0);
}

TEST(SeedPrograms, PoolInitializerTakesAMovedConnection) {
    auto [reader, writer] = mp::ipc::Pipe();
    const int fd = writer.fileno();  // workers inherit only the fds they are given
    mp::pool::Pool pool({.processes = 1, .pass_fds = {fd}},
                        [](mp::ipc::Connection& c) { c.send(static_cast<int>(::getpid())); }, std::move(writer));
    EXPECT_EQ(reader.recv<int>(), pool.worker_pids().at(0));
    pool.close();
    pool.join();
}

}  // namespace

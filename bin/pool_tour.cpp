// `bin/pool tour`: Python's multiprocessing examples replayed with mp::pool, with
// real output.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "bin/pool_commands.hpp"
#include "pool/pool.hpp"
#include "threadpool/futures.hpp"

namespace mp::tools::pool {

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

void section(const char* title) { std::printf("\n== %s\n", title); }

int square(int x) { return x * x; }
pid_t worker_pid(int) { return getpid(); }

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

void process_examples() {
    section("Process(target=f, args=('bob',)); start(); join()");
    mp::pool::Process greeter(
        [](const std::string& name) {
            std::printf("  hello %s, from child %d\n", name.c_str(), static_cast<int>(getpid()));
        },
        std::string("bob"));
    greeter.start();
    greeter.join();
    std::printf("  %s exitcode=%d\n", greeter.name().c_str(), *greeter.exitcode());

    section("join(timeout) and is_alive");
    mp::pool::Process sleeper([] { usleep(300000); });
    sleeper.start();
    const bool done = sleeper.join_for(100ms);
    std::printf("  join(0.1s) -> %s, is_alive=%s\n", done ? "exited" : "still running", sleeper.is_alive() ? "true" : "false");
    sleeper.join();
    std::printf("  join() -> exitcode=%d, is_alive=%s\n", *sleeper.exitcode(), sleeper.is_alive() ? "true" : "false");
    mp::pool::Process stuck([] { pause(); });
    stuck.start();
    stuck.terminate();
    stuck.join();
    std::printf("  terminate() of a paused child -> exitcode=%d (-SIGTERM)\n", *stuck.exitcode());
}

// The seed's task: who runs it, and a result that arrives late for small n.
std::string named_square(int n) {
    usleep(static_cast<useconds_t>(4 - n) * 100000);  // the last submitted finishes first
    return mp::pool::current_process().name + ": " + std::to_string(n * n);
}

void executor_examples() {
    section("ProcessPoolExecutor, as_completed, current_process().name");
    std::printf("  in the parent: %s\n", mp::pool::current_process().name.c_str());  // current_process().name
    mp::pool::Executor executor(3);                                   // with ProcessPoolExecutor(3) as executor:
    std::vector<mp::threadpool::Future<std::string>> futures;
    for (int n = 1; n <= 3; ++n) futures.push_back(executor.submit(named_square, n));  // executor.submit(f, n)
    for (const auto& done : mp::threadpool::as_completed(futures))    // for f in as_completed(futures):
        std::printf("  %s\n", done.result().c_str());                 //     print(f.result())
    executor.shutdown();                                              // (leaving the with block)
}

void pool_examples() {
    mp::pool::Pool pool(3);
    section("Pool(3): 10 tasks with apply (one at a time) on the same 3 workers");
    std::set<pid_t> pids;
    std::printf("  pids:");
    for (int i = 0; i < 10; ++i) {
        const pid_t pid = pool.apply(worker_pid, i);
        pids.insert(pid);
        std::printf(" %d", static_cast<int>(pid));
    }
    std::printf("\n  %zu distinct workers\n", pids.size());

    section("apply_async: 10 tasks, three at a time");
    const auto start = Clock::now();
    std::vector<mp::pool::AsyncResult<pid_t>> results;
    for (int i = 0; i < 10; ++i)
        results.push_back(pool.apply_async(
            [](int) {
                usleep(100000);
                return getpid();
            },
            i));
    pids.clear();
    for (auto& r : results) pids.insert(r.get());
    std::printf("  10 x 0.1 s tasks took %.1f s on %zu workers\n", seconds_since(start), pids.size());

    section("callbacks run in the parent, on one result thread, as results arrive");
    std::mutex print;
    std::vector<mp::pool::AsyncResult<int>> delayed;
    for (int i : {3, 1, 2}) {
        delayed.push_back(pool.apply_async({.callback =
                                                [&](const int& value) {
                                                    std::lock_guard lock(print);
                                                    std::printf("  callback got %d\n", value);
                                                },
                                            .error_callback = {}},
                                           [](int tenths) {
                                               usleep(static_cast<useconds_t>(tenths) * 100000);
                                               return tenths;
                                           },
                                           i));
    }
    auto failing = pool.apply_async({.callback = {},
                                     .error_callback =
                                         [&](const std::exception& error) {
                                             std::lock_guard lock(print);
                                             std::printf("  error_callback got: %s\n", error.what());
                                         }},
                                    [](int x) -> int { throw std::invalid_argument("bad x " + std::to_string(x)); }, 7);
    for (auto& r : delayed) r.wait();
    failing.wait();
    try {
        failing.get();
    } catch (const std::invalid_argument& error) {
        std::printf("  get() re-throws it as its own type: std::invalid_argument(\"%s\")\n", error.what());
    }

    section("map, starmap, imap_unordered");
    const std::vector<int> numbers{0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    std::printf("  map(square, range(10)) ->");
    for (int v : pool.map(square, numbers)) std::printf(" %d", v);
    const std::vector<std::pair<int, int>> pairs{{2, 3}, {4, 5}, {6, 7}};
    std::printf("\n  starmap(mul, [(2,3),(4,5),(6,7)]) ->");
    for (int v : pool.starmap([](int a, int b) { return a * b; }, pairs)) std::printf(" %d", v);
    std::printf("\n  imap_unordered(sleep then return, [3,1,2]) ->");
    for (int v : pool.imap_unordered(
             [](int tenths) {
                 usleep(static_cast<useconds_t>(tenths) * 100000);
                 return tenths;
             },
             std::vector<int>{3, 1, 2}))
        std::printf(" %d", v);
    std::printf("   (completion order)\n");

    section("get(timeout) timing out");
    auto slow = pool.apply_async([] {
        usleep(500000);
        return 42;
    });
    try {
        slow.get(100ms);
    } catch (const mp::pool::TimeoutError& error) {
        std::printf("  get(0.1s) -> TimeoutError: %s\n", error.what());
    }
    std::printf("  get() later -> %d\n", slow.get());

    section("a worker killed mid-task fails that task only (CPython's Pool hangs here)");
    auto doomed = pool.apply_async([] {
        raise(SIGKILL);
        return 0;
    });
    try {
        doomed.get(5s);
    } catch (const mp::pool::WorkerDied& error) {
        std::printf("  WorkerDied: %s\n", error.what());
    }
    std::printf("  the pool carries on: apply(square, 12) -> %d\n", pool.apply(square, 12));

    section("terminate");
    auto endless = pool.map_async(
        [](int) {
            usleep(10000000);
            return 0;
        },
        numbers, 1);
    const auto stop = Clock::now();
    pool.terminate();
    try {
        endless.get();
    } catch (const mp::pool::CancelledError& error) {
        std::printf("  terminate() took %.2f s; the map -> CancelledError: %s\n", seconds_since(stop), error.what());
    }
    pool.join();
}

// The server task: accepts one connection on the shared listening socket, reads a
// line, works a little, answers it upper-cased.
pid_t serve_one_client(int listener) {
    const int client = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) return -1;
    char buffer[256];
    const ssize_t n = read(client, buffer, sizeof buffer);
    usleep(300000);  // "work"
    for (ssize_t i = 0; i < n; ++i) buffer[i] = static_cast<char>(std::toupper(static_cast<unsigned char>(buffer[i])));
    if (n > 0) (void)!write(client, buffer, static_cast<size_t>(n));
    close(client);
    return getpid();
}

void echo_server_example() {
    section("pre-forked upper-casing echo server on 127.0.0.1, a pool of 3 workers");
    const int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof address;
    if (listener < 0 || bind(listener, reinterpret_cast<sockaddr*>(&address), size) != 0 || listen(listener, 16) != 0 ||
        getsockname(listener, reinterpret_cast<sockaddr*>(&address), &size) != 0) {
        std::perror("pool: tour: listen");
        return;
    }
    std::printf("  listening on 127.0.0.1:%d\n", ntohs(address.sin_port));
    {
        mp::pool::Pool pool(mp::pool::PoolOptions{.processes = 3, .pass_fds = {listener}});
        std::vector<mp::pool::AsyncResult<pid_t>> served;
        for (int i = 0; i < 4; ++i) served.push_back(pool.apply_async(serve_one_client, listener));
        std::mutex print;
        std::vector<std::thread> clients;
        const auto start = Clock::now();
        for (int i = 1; i <= 4; ++i) {
            clients.emplace_back([&, i] {
                usleep(static_cast<useconds_t>(i) * 20000);  // connect in order 1..4
                const int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
                if (connect(s, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) return;
                const std::string line = "hello from client " + std::to_string(i);
                (void)!write(s, line.data(), line.size());
                char reply[256] = {};
                const ssize_t n = read(s, reply, sizeof reply - 1);
                close(s);
                std::lock_guard lock(print);
                std::printf("  client %d got \"%s\" after %.1f s%s\n", i, n > 0 ? reply : "", seconds_since(start),
                            i == 4 ? "   (it waited for a free worker)" : "");
            });
        }
        for (auto& c : clients) c.join();
        std::set<pid_t> pids;
        for (auto& r : served) pids.insert(r.get());
        std::printf("  served by %zu worker processes\n", pids.size());
        pool.close();
        pool.join();
    }
    close(listener);
}

}  // namespace

int tour_command() {
    std::printf("mp::pool tour: Python's multiprocessing examples (parent pid %d)\n", static_cast<int>(getpid()));
    process_examples();
    pool_examples();
    executor_examples();
    echo_server_example();
    std::fflush(stdout);
    return 0;
}

}  // namespace mp::tools::pool

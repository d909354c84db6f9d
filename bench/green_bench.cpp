// green: the cost of a greenlet switch against swapcontext (the raw column: what a
// ucontext coroutine pays, a signal-mask syscall per switch) and Python's greenlet;
// spawning and joining greenlets against std::thread start + join and gevent.
#include <ucontext.h>

#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

#include "bench/harness/harness.hpp"
#include "threadpool/green/green.hpp"

namespace {

namespace green = mp::threadpool::green;

// `switches` one-way switches between the main greenlet and a partner.
void greenlet_ping_pong(std::size_t switches) {
    green::Greenlet& main = green::Greenlet::current();
    green::Greenlet partner([&](std::any) -> std::any {
        for (;;) main.switch_to();
    });
    for (std::size_t i = 0; i < switches / 2; ++i) partner.switch_to();
}

ucontext_t g_main_uc;
ucontext_t g_partner_uc;

void partner_loop() {
    for (;;) swapcontext(&g_partner_uc, &g_main_uc);
}

// The same ping-pong with swapcontext.
void swapcontext_ping_pong(std::size_t switches) {
    static std::vector<char> stack(256 * 1024);
    getcontext(&g_partner_uc);
    g_partner_uc.uc_stack.ss_sp = stack.data();
    g_partner_uc.uc_stack.ss_size = stack.size();
    g_partner_uc.uc_link = nullptr;
    makecontext(&g_partner_uc, partner_loop, 0);
    for (std::size_t i = 0; i < switches / 2; ++i) swapcontext(&g_main_uc, &g_partner_uc);
}

}  // namespace

int main() {
    using namespace mp::bench;
    Table table("green: ours vs raw (swapcontext, std::thread) vs CPython (greenlet, gevent)");

    constexpr std::size_t kSwitches = 2'000'000;
    const Pair switches = measure_interleaved(
        kSwitches, [] { greenlet_ping_pong(kSwitches); }, [] { swapcontext_ping_pong(kSwitches); });
    table.add({.scenario = "switch (one way)",
               .ours = switches.ours,
               .raw = switches.raw,
               .cpython = cpython("green_bench.py", "switch", kSwitches / 10),
               .note = "raw: swapcontext; CPython: greenlet.switch; goals ours/raw <= 0.2, ours/CPython <= 0.05"});

    // gevent's own figure is for 100,000 greenlets alive at once before joinall.
    constexpr std::size_t kSpawns = 100'000;
    green::Hub hub;
    const Stats spawned = measure(kSpawns, [] {
        std::vector<green::TaskBase> tasks;
        tasks.reserve(kSpawns);
        for (std::size_t i = 0; i < kSpawns; ++i) tasks.push_back(green::spawn([] {}));
        green::joinall(tasks);
    });
    // A thread start + join costs about a thousand greenlet spawns: fewer of them.
    constexpr std::size_t kThreads = 10'000;
    const Stats threads = measure(kThreads, [] {
        for (std::size_t i = 0; i < kThreads; ++i) std::thread([] {}).join();
    });
    table.add({.scenario = "spawn + join (100,000)",
               .ours = spawned,
               .raw = threads,
               .cpython = cpython("green_bench.py", "spawn", kSpawns),
               .note = "raw: std::thread start + join (10,000); CPython: gevent.spawn + joinall"});
    table.print();
}

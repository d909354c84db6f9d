// Pool scenario: a stream of tasks through mp::pool::Pool while a chaos thread
// SIGKILLs random workers. Every task must end exactly once, as its result or as
// WorkerDied (errors column); a task that never ends is lost; a pool that makes no
// progress for 20 s, a wrong result or any other outcome is a violation.
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <deque>
#include <thread>
#include <vector>

#include "pool/pool.hpp"
#include "tests/soak/soak.hpp"

namespace mp::soak {

namespace {

constexpr int kWorkers = 4;
constexpr int kBatch = 64;

long triple_after_a_while(long x) {
    sleep_for(std::chrono::microseconds(random_between(0, 2000)));
    return 3 * x;
}

}  // namespace

void run_pool(Context& ctx) {
    Row& row = *ctx.row;
    // The pool (and its fork server) first, while this process has one thread.
    mp::pool::Pool pool(kWorkers);
    Hammer hammer(&row);

    std::atomic<bool> done{false};
    std::atomic<std::int64_t> completed{0};
    std::thread chaos([&] {
        while (!done) {
            sleep_for(std::chrono::milliseconds(random_between(20, 150)));
            const auto pids = pool.worker_pids();
            if (pids.empty()) continue;
            if (::kill(pids[random_between(0, static_cast<std::int64_t>(pids.size()) - 1)], SIGKILL) == 0)
                row.faults.fetch_add(1);
        }
    });
    std::thread watchdog([&] {
        std::int64_t seen = -1;
        Clock::time_point last_progress = Clock::now();
        while (!done) {
            sleep_for(std::chrono::milliseconds(200));
            if (completed != seen) {
                seen = completed;
                last_progress = Clock::now();
            } else if (Clock::now() - last_progress > std::chrono::seconds(20)) {
                row.violations.fetch_add(1);
                std::snprintf(row.note, sizeof row.note, "stalled: no task ended for 20 s at %lld",
                              static_cast<long long>(seen));
                last_progress = Clock::now();
            }
        }
    });

    // Each task's callbacks count its outcomes; exactly one is allowed. Kept for the
    // whole run, so that a late second outcome would still have somewhere to land.
    std::deque<std::atomic<int>> outcomes;
    long next = 0;
    while (Clock::now() < ctx.deadline) {
        std::vector<mp::pool::AsyncResult<long>> results;
        for (int i = 0; i < kBatch; ++i) {
            std::atomic<int>* seen = &outcomes.emplace_back(0);
            results.push_back(
                pool.apply_async(mp::pool::Callbacks<long>{
                                     .callback = [seen](const long&) { seen->fetch_add(1); },
                                     .error_callback = [seen](const std::exception&) { seen->fetch_add(1); }},
                                 triple_after_a_while, next + i));
        }
        for (int i = 0; i < kBatch; ++i) {
            row.operations.fetch_add(1);
            try {
                if (results[i].get(std::chrono::seconds(30)) != 3 * (next + i)) row.violations.fetch_add(1);
            } catch (const mp::pool::WorkerDied&) {
                row.errors.fetch_add(1);
            } catch (const mp::pool::TimeoutError&) {
                row.lost.fetch_add(1);  // never ended: the promise this run checks
                continue;
            } catch (const std::exception& e) {
                row.violations.fetch_add(1);
                std::snprintf(row.note, sizeof row.note, "task %ld: %s", next + i, e.what());
            }
            completed.fetch_add(1);
            if (outcomes[next + i] != 1) row.violations.fetch_add(1);
        }
        next += kBatch;
    }
    done = true;
    chaos.join();
    watchdog.join();
    pool.close();
    pool.join();
    if (row.note[0] == 0)
        std::snprintf(row.note, sizeof row.note, "errors = tasks that failed with WorkerDied");
}

}  // namespace mp::soak

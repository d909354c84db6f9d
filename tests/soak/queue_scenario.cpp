// Queue scenario: an mp::ipc::Queue between 4 producer and 4 consumer processes;
// consumers are SIGKILLed and respawned. Every item whose put() returned must be
// received exactly once. The queue documents one way to lose an item: a get()
// killed after its commit, in the few instructions before it returns, takes the
// item along. A consumer killed while inside get() is therefore counted, and a
// missing item within that count is an error reported (the documented window);
// any further missing item, or any duplicate, is lost.
#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <mutex>

#include "ipc/ipc.hpp"
#include "tests/soak/soak.hpp"

namespace mp::soak {

namespace {

constexpr int kProducers = 4;
constexpr int kConsumers = 4;
constexpr std::uint64_t kPerProducer = std::uint64_t{1} << 22;  // ids p * kPerProducer + seq
constexpr std::uint64_t kBadItem = kProducers * kPerProducer;   // where an id never put counts

struct Shared {
    std::atomic<bool> stop_producers{false};
    std::atomic<std::uint64_t> acked[kProducers] = {};  // puts that returned, per producer
    std::atomic<int> in_get[kConsumers] = {};           // 1 while consumer c is inside get()
    std::atomic<std::int64_t> received{0};
};

void produce(mp::ipc::Queue<std::uint64_t>& q, Shared& s, int p) {
    for (std::uint64_t seq = 0; seq < kPerProducer && !s.stop_producers; ++seq) {
        while (!q.try_put(p * kPerProducer + seq, std::chrono::milliseconds(50))) {
            if (s.stop_producers) return;
        }
        s.acked[p].store(seq + 1);
        // Paced (~20k items/s each) so that a long run does not use up the ids.
        if (seq % 20 == 19) sleep_for(std::chrono::milliseconds(1));
    }
}

void consume(mp::ipc::Queue<std::uint64_t>& q, Shared& s, std::atomic<std::uint8_t>* counts, int c) {
    try {
        for (;;) {
            s.in_get[c].store(1);
            const auto item = q.try_get(std::chrono::milliseconds(50));
            if (item) counts[std::min(*item, kBadItem)].fetch_add(1);
            s.in_get[c].store(0);
            if (item) s.received.fetch_add(1);
        }
    } catch (const mp::ipc::QueueClosed&) {
        s.in_get[c].store(0);
    }
}

}  // namespace

void run_queue(Context& ctx) {
    Row& row = *ctx.row;
    mp::ipc::Queue<std::uint64_t> q(1000);
    Shared& s = *shared_array<Shared>(1);
    auto* counts = shared_array<std::atomic<std::uint8_t>>(kBadItem + 1);
    std::atomic<pid_t>* pids = shared_array<std::atomic<pid_t>>(kProducers + kConsumers);
    Hammer hammer(&row);
    hammer.watch_children(pids, kProducers + kConsumers);

    for (int p = 0; p < kProducers; ++p) pids[p] = fork_child([&] { produce(q, s, p); });
    auto spawn_consumer = [&](int c) {
        pids[kProducers + c] = fork_child([&] { consume(q, s, counts, c); });
    };
    for (int c = 0; c < kConsumers; ++c) spawn_consumer(c);

    std::int64_t killed_in_get = 0;
    while (Clock::now() < ctx.deadline) {
        sleep_for(std::chrono::milliseconds(random_between(10, 80)));
        const int c = static_cast<int>(random_between(0, kConsumers - 1));
        pid_t victim;
        {
            std::lock_guard hold(hammer.children_lock());  // it never signals a reaped pid
            victim = pids[kProducers + c].exchange(0);
        }
        if (kill_and_reap(victim)) row.violations.fetch_add(1);
        row.faults.fetch_add(1);
        if (s.in_get[c].exchange(0) == 1) ++killed_in_get;
        spawn_consumer(c);
    }

    // Stop the producers, let the consumers drain, then close: they leave.
    s.stop_producers = true;
    auto forget_and_reap = [&](int i) {
        pid_t pid;
        {
            std::lock_guard hold(hammer.children_lock());
            pid = pids[i].exchange(0);
        }
        while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
        }
    };
    for (int p = 0; p < kProducers; ++p) forget_and_reap(p);
    const Clock::time_point drain_limit = Clock::now() + std::chrono::seconds(20);
    while (!q.empty() && Clock::now() < drain_limit) sleep_for(std::chrono::milliseconds(10));
    sleep_for(std::chrono::milliseconds(200));  // gets that committed finish counting
    q.close();
    for (int c = 0; c < kConsumers; ++c) forget_and_reap(kProducers + c);
    try {
        while (const auto item = q.try_get()) counts[std::min(*item, kBadItem)].fetch_add(1);
    } catch (const mp::ipc::QueueClosed&) {
    }

    std::int64_t missing = 0, duplicated = 0, unexpected = 0, acked_total = 0;
    for (int p = 0; p < kProducers; ++p) {
        const std::uint64_t acked = s.acked[p];
        acked_total += static_cast<std::int64_t>(acked);
        for (std::uint64_t seq = 0; seq < kPerProducer; ++seq) {
            const int n = counts[p * kPerProducer + seq];
            if (seq < acked && n == 0) ++missing;
            if (n > 1) ++duplicated;
            if (seq >= acked && n > 0) ++unexpected;  // received, but its put never returned
        }
    }
    row.operations = acked_total + s.received;
    const std::int64_t documented = std::min(missing, killed_in_get);
    row.errors = documented;
    row.lost = (missing - documented) + duplicated;
    row.violations += unexpected + counts[kBadItem];
    std::snprintf(row.note, sizeof row.note,
                  "%lld puts acked, %lld missing, %lld duplicated; %lld consumers killed inside get()",
                  static_cast<long long>(acked_total), static_cast<long long>(missing),
                  static_cast<long long>(duplicated), static_cast<long long>(killed_in_get));
}

}  // namespace mp::soak

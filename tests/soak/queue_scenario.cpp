// Queue scenario: an mp::ipc::Queue between 4 producer and 4 consumer processes;
// consumers are SIGKILLed and respawned. Every item whose put() returned must be
// received exactly once or reported lost by the queue itself (Queue::lost(): a
// get() killed after its take, before its return, takes the item along).
//
// The accounting is exact, with no window of its own: consumers get each item
// with try_get_into() straight into an entry of a receipt log in shared memory,
// so an item is in the log before its get counts as returned. After each kill
// the parent asks lost(): when it grew, the victim died inside a get holding an
// item, and that get's log entry (which may hold the item already) is not a
// receipt. At the end, received + reported lost must equal the puts acknowledged.
#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <mutex>
#include <vector>

#include "ipc/ipc.hpp"
#include "tests/soak/soak.hpp"

namespace mp::soak {

namespace {

constexpr int kProducers = 4;
constexpr int kConsumers = 4;
constexpr std::uint64_t kPerProducer = std::uint64_t{1} << 22;  // ids 1 + p * kPerProducer + seq
constexpr std::uint64_t kIds = kProducers * kPerProducer;
// One entry per get (an item or a timeout); the run is paced to use well under it.
constexpr std::uint64_t kLogEntries = kIds + (std::uint64_t{1} << 20);

struct Shared {
    std::atomic<bool> stop_producers{false};
    std::atomic<std::uint64_t> acked[kProducers] = {};     // puts that returned, per producer
    std::atomic<std::uint64_t> next_entry{0};              // the next free receipt log entry
    std::atomic<std::uint64_t> entry_of[kConsumers] = {};  // consumer c's current get writes here
};

void produce(mp::ipc::Queue<std::uint64_t>& q, Shared& s, int p) {
    for (std::uint64_t seq = 0; seq < kPerProducer && !s.stop_producers; ++seq) {
        while (!q.try_put_for(1 + p * kPerProducer + seq, std::chrono::milliseconds(50))) {
            if (s.stop_producers) return;
        }
        s.acked[p].store(seq + 1);
        // Paced (~20k items/s each) so that a long run does not use up the ids.
        if (seq % 20 == 19) sleep_for(std::chrono::milliseconds(1));
    }
}

// Gets until the queue is closed and drained, each item into its own log entry
// (0: no item).
void consume(mp::ipc::Queue<std::uint64_t>& q, Shared& s, std::uint64_t* log, int c) {
    try {
        for (std::uint64_t entry = s.next_entry.fetch_add(1); entry < kLogEntries;
             entry = s.next_entry.fetch_add(1)) {
            s.entry_of[c].store(entry);
            (void)q.try_get_into_for(log[entry], std::chrono::milliseconds(50));
        }
    } catch (const mp::ipc::QueueClosed&) {
    }
}

}  // namespace

void run_queue(Context& ctx) {
    Row& row = *ctx.row;
    mp::ipc::Queue<std::uint64_t> q(1000);
    Shared& s = *shared_array<Shared>(1);
    // Zero-filled by the kernel and touched only as used.
    auto* log = static_cast<std::uint64_t*>(shared_bytes(kLogEntries * sizeof(std::uint64_t)));
    std::atomic<pid_t>* pids = shared_array<std::atomic<pid_t>>(kProducers + kConsumers);
    Hammer hammer(&row);
    hammer.watch_children(pids, kProducers + kConsumers);

    for (int p = 0; p < kProducers; ++p) pids[p] = fork_child([&] { produce(q, s, p); });
    auto spawn_consumer = [&](int c) { pids[kProducers + c] = fork_child([&] { consume(q, s, log, c); }); };
    for (int c = 0; c < kConsumers; ++c) spawn_consumer(c);
    auto forget = [&](int i) {
        std::lock_guard hold(hammer.children_lock());  // it never signals a reaped pid
        return pids[i].exchange(0);
    };
    auto reap = [](pid_t pid) {
        while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
        }
    };

    std::size_t reported_lost = 0;
    while (Clock::now() < ctx.deadline) {
        sleep_for(std::chrono::milliseconds(random_between(10, 80)));
        const int c = static_cast<int>(random_between(0, kConsumers - 1));
        if (kill_and_reap(forget(kProducers + c))) row.violations.fetch_add(1);
        row.faults.fetch_add(1);
        // Only the victim died since the last look, holding at most one item.
        const std::size_t lost_now = q.lost();
        if (lost_now != reported_lost) {
            if (lost_now != reported_lost + 1) row.violations.fetch_add(1);
            log[s.entry_of[c].load()] = 0;  // its get never returned: not a receipt
            reported_lost = lost_now;
        }
        spawn_consumer(c);
    }

    // Stop the producers, then close: the consumers drain what is left and leave.
    s.stop_producers = true;
    for (int p = 0; p < kProducers; ++p) reap(forget(p));
    q.close();
    for (int c = 0; c < kConsumers; ++c) reap(forget(kProducers + c));
    if (q.lost() != reported_lost) row.violations.fetch_add(1);  // no one died holding one since
    if (!q.empty()) row.violations.fetch_add(1);                 // closed and drained

    std::vector<std::uint8_t> received(kIds + 1, 0);  // per id; [kIds]: ids never put
    std::int64_t received_total = 0;
    const std::uint64_t used = std::min(s.next_entry.load(), kLogEntries);
    for (std::uint64_t e = 0; e < used; ++e) {
        if (log[e] == 0) continue;
        std::uint8_t& n = received[std::min(log[e] - 1, kIds)];
        n = static_cast<std::uint8_t>(std::min(n + 1, 255));
        ++received_total;
    }
    std::int64_t missing = 0, duplicated = 0, unexpected = 0, acked_total = 0;
    for (int p = 0; p < kProducers; ++p) {
        const std::uint64_t acked = s.acked[p];
        acked_total += static_cast<std::int64_t>(acked);
        for (std::uint64_t seq = 0; seq < kPerProducer; ++seq) {
            const int n = received[p * kPerProducer + seq];
            if (seq < acked && n == 0) ++missing;
            if (n > 1) duplicated += n - 1;
            if (seq >= acked && n > 0) ++unexpected;  // received, but its put never returned
        }
    }
    const auto lost_reported = static_cast<std::int64_t>(reported_lost);
    row.operations = acked_total + received_total;
    row.errors = lost_reported;
    // Exact: received + reported lost == acknowledged puts, item by item.
    row.lost = std::max<std::int64_t>(missing - lost_reported, 0) + duplicated;
    row.violations += unexpected + received[kIds] + (lost_reported > missing ? lost_reported - missing : 0);
    std::snprintf(row.note, sizeof row.note,
                  "%lld puts acked = %lld received + %lld reported lost by Queue::lost(); "
                  "%lld silently lost, %lld duplicated",
                  static_cast<long long>(acked_total), static_cast<long long>(received_total),
                  static_cast<long long>(lost_reported), static_cast<long long>(missing - lost_reported),
                  static_cast<long long>(duplicated));
}

}  // namespace mp::soak

// Queue, JoinableQueue, SimpleQueue: FIFO between threads and processes, maxsize
// and byte limits with timeouts, exactly-once delivery with many producers and
// consumers, close waking waiters, and processes killed inside an operation.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <thread>

#include "ipc/queue.hpp"
#include "tests/ipc/child.hpp"

namespace {

using namespace std::chrono_literals;
using mp::ipc::JoinableQueue;
using mp::ipc::Queue;
using mp::ipc::QueueClosed;
using mp::ipc::QueueEmpty;
using mp::ipc::QueueFull;
using mp::ipc::SimpleQueue;
using mp::ipc::test::fork_child;
using mp::ipc::test::wait_child;
using Clock = std::chrono::steady_clock;

// A one-shot "I got this far" signal from a child to the parent.
class Checkpoint {
public:
    Checkpoint() { EXPECT_EQ(pipe2(fds_, O_CLOEXEC), 0); }
    ~Checkpoint() {
        close(fds_[0]);
        close(fds_[1]);
    }
    void reach() { (void)!write(fds_[1], "!", 1); }
    void await() {
        char c;
        EXPECT_EQ(read(fds_[0], &c, 1), 1);
    }
    int read_end() const { return fds_[0]; }
    int write_end() const { return fds_[1]; }

private:
    int fds_[2] = {-1, -1};
};

TEST(Queue, FifoWithinOneProcess) {
    Queue<std::string> q;
    EXPECT_TRUE(q.empty());
    q.put("one");
    q.put("two");
    q.put_nowait("three");
    EXPECT_EQ(q.qsize(), 3u);
    EXPECT_FALSE(q.full()) << "no maxsize: never full by count";
    EXPECT_EQ(q.get(), "one");
    EXPECT_EQ(q.get_nowait(), "two");
    EXPECT_EQ(q.try_get(), "three");
    EXPECT_EQ(q.try_get(), std::nullopt);
}

TEST(Queue, MaxsizeBlocksAndTimesOut) {
    Queue<int> q(3);
    for (int i = 0; i < 3; ++i) q.put(i);
    EXPECT_TRUE(q.full());
    EXPECT_THROW(q.put_nowait(3), QueueFull);
    EXPECT_FALSE(q.try_put(3));
    const auto start = Clock::now();
    EXPECT_THROW(q.put(3, 50ms), QueueFull);
    EXPECT_GE(Clock::now() - start, 45ms);
    EXPECT_LT(Clock::now() - start, 5s);

    // A blocked put completes once a get makes room.
    std::atomic<bool> put_returned{false};
    std::thread blocked([&] {
        q.put(3);
        put_returned = true;
    });
    EXPECT_EQ(q.get(), 0);
    blocked.join();
    EXPECT_TRUE(put_returned);
    for (int expect = 1; expect <= 3; ++expect) EXPECT_EQ(q.get(), expect);
    EXPECT_THROW(q.get_nowait(), QueueEmpty);
    EXPECT_THROW(q.get(30ms), QueueEmpty);
}

TEST(Queue, TimedCallsBehindBlockedOnesStillTimeOut) {
    // A put (get) blocked without a timeout must not make a timed one wait past
    // its deadline: waiting never holds the queue's locks.
    Queue<int> q(1);
    q.put(0);
    Checkpoint started;
    std::thread blocked_putter([&] {
        started.reach();
        q.put(1);
    });
    started.await();
    std::this_thread::sleep_for(10ms);
    auto start = Clock::now();
    EXPECT_THROW(q.put(2, 50ms), QueueFull);
    EXPECT_LT(Clock::now() - start, 5s);
    EXPECT_EQ(q.get(), 0);
    EXPECT_EQ(q.get(5s), 1) << "the blocked put went through once there was room";
    blocked_putter.join();

    std::thread blocked_getter([&] {
        started.reach();
        EXPECT_THROW(q.get(), QueueClosed);
    });
    started.await();
    std::this_thread::sleep_for(10ms);
    start = Clock::now();
    EXPECT_THROW(q.get(50ms), QueueEmpty);
    EXPECT_LT(Clock::now() - start, 5s);
    q.close();
    blocked_getter.join();
}

TEST(Queue, ByteCapacityLimitsAndRefusesWhatCannotFit) {
    // 64 bytes of ring: records are 4 + 8 (length) + the string's characters.
    Queue<std::string> q(0, 64);
    EXPECT_THROW(q.put(std::string(60, 'x')), mp::ipc::MessageTooLarge);
    q.put(std::string(20, 'a'));  // 32 bytes
    q.put(std::string(20, 'b'));  // 64: the ring is full
    EXPECT_THROW(q.put("c", 10ms), QueueFull);
    EXPECT_EQ(q.get(), std::string(20, 'a'));
    q.put("wraps around the end");
    EXPECT_EQ(q.get(), std::string(20, 'b'));
    EXPECT_EQ(q.get(), "wraps around the end");
}

TEST(Queue, ItemsWrappingTheRingsEndArriveWhole) {
    // 61 bytes of ring and records of 13 to 52 bytes: the records start at every
    // offset, and many wrap (a get decodes those from a copy, the rest in place).
    Queue<std::string> q(0, 61);
    for (int i = 0; i < 400; ++i) {
        const std::string item(1 + i % 40, static_cast<char>('a' + i % 26));
        const bool two = item.size() <= 18 && i % 3 == 0;  // sometimes two queued at once
        q.put(item);
        if (two) q.put(item);
        ASSERT_EQ(q.get(5s), item);
        if (two) {
            ASSERT_EQ(q.get(5s), item);
        }
    }
    EXPECT_TRUE(q.empty());
}

// A type whose decode hook puts to another queue of its type (a log), as a hook
// may: the thread's encoding space is then reused while the item is decoded.
struct Logged {
    std::string text;
};
Queue<Logged>* g_decode_log = nullptr;
void mp_encode(mp::ipc::Encoder& out, const Logged& l) { out.write(l.text); }
void mp_decode(mp::ipc::Decoder& in, Logged& l) {
    g_decode_log->put(Logged{std::string(40, 'L')});  // before it reads its bytes
    in.read(l.text);
}

TEST(Queue, ADecodeHookMayPutToAnotherQueue) {
    // Items that wrap are decoded from a copy: the hook's put must not reuse it.
    Queue<Logged> log;
    g_decode_log = &log;
    Queue<Logged> q(0, 61);
    for (int i = 0; i < 60; ++i) {
        const std::string text(1 + i % 40, static_cast<char>('a' + i % 26));
        q.put(Logged{text});
        ASSERT_EQ(q.get(5s).text, text);
    }
    EXPECT_EQ(log.qsize(), 60u);
    g_decode_log = nullptr;
}

TEST(Queue, PutThatReturnedSurvivesTheProducersExit) {
    Queue<int> q(0, 1 << 20);
    const pid_t pid = fork_child([&] {
        for (int i = 0; i < 1000; ++i) q.put(i);
        return 0;  // _exit at once: nothing is left to flush
    });
    EXPECT_EQ(wait_child(pid), 0);
    EXPECT_EQ(q.qsize(), 1000u);
    for (int i = 0; i < 1000; ++i) ASSERT_EQ(q.get(), i);
}

TEST(Queue, FourProducersFourConsumersAcrossProcessesExactlyOnce) {
    constexpr int kProducers = 4, kConsumers = 4, kEach = 5000;
    Queue<int> work(64);  // small, so producers block often
    Queue<std::vector<int>> results(0, 4 << 20);
    std::vector<pid_t> pids;
    for (int p = 0; p < kProducers; ++p) {
        pids.push_back(fork_child([&, p] {
            for (int i = 0; i < kEach; ++i) work.put(p * kEach + i);
            return 0;
        }));
    }
    for (int c = 0; c < kConsumers; ++c) {
        pids.push_back(fork_child([&] {
            std::vector<int> got;
            for (int item = work.get(); item >= 0; item = work.get()) got.push_back(item);
            results.put(got);
            return 0;
        }));
    }
    for (int p = 0; p < kProducers; ++p) EXPECT_EQ(wait_child(pids[p]), 0);
    for (int c = 0; c < kConsumers; ++c) work.put(-1);  // one stop mark each
    std::vector<int> all;
    for (int c = 0; c < kConsumers; ++c) {
        const auto got = results.get(30s);
        // FIFO: each producer's items reach any one consumer in the order put.
        std::vector<int> last(kProducers, -1);
        for (const int item : got) {
            EXPECT_GT(item, last[item / kEach]) << "out of order";
            last[item / kEach] = item;
        }
        all.insert(all.end(), got.begin(), got.end());
    }
    for (int c = 0; c < kConsumers; ++c) EXPECT_EQ(wait_child(pids[kProducers + c]), 0);
    std::sort(all.begin(), all.end());
    ASSERT_EQ(all.size(), static_cast<std::size_t>(kProducers * kEach)) << "lost or duplicated items";
    for (int i = 0; i < kProducers * kEach; ++i) ASSERT_EQ(all[i], i);
}

TEST(Queue, ManyThreadsShareOneQueue) {
    Queue<int> q(16);
    std::atomic<long> sum{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&] {
            for (int i = 1; i <= 1000; ++i) q.put(i);
        });
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 1000; ++i) sum += q.get();
        });
    for (auto& t : threads) t.join();
    EXPECT_EQ(sum, 4L * 1000 * 1001 / 2);
}

TEST(Queue, CloseWakesABlockedGetter) {
    Queue<int> q;
    Checkpoint getter_started;
    std::thread getter([&] {
        getter_started.reach();
        EXPECT_THROW(q.get(), QueueClosed);
    });
    getter_started.await();
    std::this_thread::sleep_for(20ms);  // let it block (correct even if it does not)
    q.close();
    getter.join();
    EXPECT_TRUE(q.closed());
}

TEST(Queue, CloseWakesABlockedPutterAndTheRestIsStillDelivered) {
    Queue<int> q(1);
    q.put(1);  // now full
    Checkpoint about_to_put;
    const pid_t putter = fork_child([&] {
        about_to_put.reach();
        try {
            q.put(2);
        } catch (const QueueClosed&) {
            return 7;
        }
        return 1;
    });
    about_to_put.await();
    std::this_thread::sleep_for(20ms);  // let it block (correct even if it does not)
    q.close();
    EXPECT_EQ(wait_child(putter), 7);
    EXPECT_EQ(q.get(), 1);
    EXPECT_THROW(q.get(), QueueClosed);
    EXPECT_THROW(q.put(3), QueueClosed);
}

// The try_ forms report full / empty by value, but a closed queue is not a timing
// outcome: they throw QueueClosed, as every other form does, so that a polling
// loop ends instead of spinning.
TEST(Queue, TryFormsReportFullAndEmptyButThrowQueueClosed) {
    Queue<int> q(1);
    EXPECT_EQ(q.try_get(), std::nullopt);
    EXPECT_EQ(q.try_get_for(10ms), std::nullopt);
    EXPECT_TRUE(q.try_put(1));
    EXPECT_FALSE(q.try_put(2));
    EXPECT_FALSE(q.try_put_for(2, 10ms));
    q.close();
    EXPECT_THROW((void)q.try_put(2), QueueClosed);
    EXPECT_THROW((void)q.try_put_for(2, 10ms), QueueClosed);
    int out = 0;
    EXPECT_TRUE(q.try_get_into(out));  // closed, but not drained yet
    EXPECT_EQ(out, 1);
    EXPECT_THROW((void)q.try_get(), QueueClosed);
    EXPECT_THROW((void)q.try_get_for(10ms), QueueClosed);
    EXPECT_THROW((void)q.try_get_into(out), QueueClosed);
    EXPECT_THROW((void)q.try_get_into_for(out, 10ms), QueueClosed);
}

TEST(Queue, ConsumerKilledWhileBlockedLeavesTheQueueWorking) {
    Queue<int> q;
    Checkpoint about_to_get;
    const pid_t victim = fork_child([&] {
        about_to_get.reach();
        (void)q.get();
        return 1;
    });
    about_to_get.await();
    std::this_thread::sleep_for(20ms);  // let it sleep in get (correct either way)
    kill(victim, SIGKILL);
    EXPECT_EQ(wait_child(victim), 128 + SIGKILL);
    q.put(41);
    q.put(42);
    const pid_t other = fork_child([&] { return q.get(5s) == 41 ? 0 : 1; });
    EXPECT_EQ(wait_child(other), 0);
    EXPECT_EQ(q.get(5s), 42);
}

// One Ring::get, taken off the ring and returned at once, as text.
std::string take(mp::ipc::internal::Ring& ring) {
    mp::ipc::internal::Take take;
    std::vector<std::byte> scratch;
    if (!ring.get(take, scratch, Clock::time_point::max())) return "(nothing)";
    std::string text(reinterpret_cast<const char*>(take.bytes().data()), take.bytes().size());
    take.commit();
    return text;
}

// Deterministic: a child takes one of the ring's locks, scribbles a half-written
// record where the next one would go, and dies holding the lock. The survivors
// see nothing of it and carry on.
void kill_inside_operation(bool producer_side) {
    mp::ipc::internal::Ring ring(0, 4096);
    const auto bytes = [](std::string_view s) { return std::as_bytes(std::span(s)); };
    ASSERT_TRUE(ring.put(bytes("first"), Clock::time_point::max()));
    ASSERT_TRUE(ring.put(bytes("second"), Clock::time_point::max()));
    const pid_t pid = fork_child([&] {
        auto& header = ring.header();
        (void)(producer_side ? header.put_lock : header.get_lock).lock();
        const std::uint32_t tail = static_cast<std::uint32_t>(header.produced.load() >> 32);
        const std::uint32_t garbage = 0xdeadbeef;  // a record length, never completed
        std::memcpy(reinterpret_cast<std::byte*>(&header) + sizeof header + tail, &garbage, 4);
        raise(SIGKILL);
        return 1;
    });
    EXPECT_EQ(wait_child(pid), 128 + SIGKILL);
    EXPECT_EQ(take(ring), "first");
    ASSERT_TRUE(ring.put(bytes("third"), Clock::time_point::max()));
    EXPECT_EQ(ring.header().owner_deaths, 1u);
    EXPECT_EQ(take(ring), "second");
    EXPECT_EQ(take(ring), "third");
    EXPECT_EQ(ring.stats().items, 0u);
    EXPECT_EQ(ring.lost(), 0u);
}

TEST(Queue, ProducerKilledHoldingTheLockMidPut) { kill_inside_operation(true); }
TEST(Queue, ConsumerKilledHoldingTheLockMidGet) { kill_inside_operation(false); }

// Getters held inside a get: on a thread that armed it, Stall's decode hook, or
// its move assignment (what try_get_into does after the commit), says so on
// `inside` and waits up to 10 s for a byte on `gate` (a child killed there never
// gets one; a bounded wait turns a deadlocked test into a failed one).
enum class StallIn { nothing, decode, assignment };
struct StallPoint {
    StallIn where = StallIn::nothing;
    int inside = -1;
    int gate = -1;
};
thread_local StallPoint t_stall;
void stall_if(StallIn where) {
    if (t_stall.where != where) return;
    (void)!write(t_stall.inside, "!", 1);
    pollfd gate{.fd = t_stall.gate, .events = POLLIN, .revents = 0};
    (void)poll(&gate, 1, 10'000);
}
struct Stall {
    int id = 0;
    Stall() = default;
    explicit Stall(int i) : id(i) {}
    Stall(Stall&&) = default;
    Stall& operator=(Stall&& other) {
        stall_if(StallIn::assignment);
        id = other.id;
        return *this;
    }
};
void mp_encode(mp::ipc::Encoder& out, const Stall& s) { out.write(s.id); }
void mp_decode(mp::ipc::Decoder& in, Stall& s) {
    in.read(s.id);
    stall_if(StallIn::decode);
    if (s.id < 0) throw std::runtime_error("a negative id does not decode");
}

// Forks a getter that stalls `where` in a get of `q`, and kills it there.
void kill_getter_stalled_in(Queue<Stall>& q, StallIn where) {
    Checkpoint inside, gate;
    const pid_t pid = fork_child([&] {
        t_stall = {where, inside.write_end(), gate.read_end()};
        Stall out;
        (void)q.try_get_into_for(out, 5s);
        return 1;
    });
    inside.await();
    kill(pid, SIGKILL);
    EXPECT_EQ(wait_child(pid), 128 + SIGKILL);
}

TEST(Queue, GetterKilledWhileDecodingLeavesTheItemToTheNext) {
    Queue<Stall> q;
    q.put(Stall{1});
    q.put(Stall{2});
    kill_getter_stalled_in(q, StallIn::decode);  // item 1 was not yet taken off
    EXPECT_EQ(q.lost(), 0u);
    EXPECT_EQ(q.qsize(), 2u);
    EXPECT_EQ(q.get(5s).id, 1);
    EXPECT_EQ(q.get(5s).id, 2);
    EXPECT_EQ(q.lost(), 0u);
}

TEST(Queue, GetterKilledBetweenCommitAndReturnIsReportedLost) {
    Queue<Stall> q;
    for (int id = 1; id <= 4; ++id) q.put(Stall{id});
    kill_getter_stalled_in(q, StallIn::assignment);
    EXPECT_EQ(q.lost(), 1u);  // settled by lost() itself
    kill_getter_stalled_in(q, StallIn::assignment);
    EXPECT_EQ(q.get(5s).id, 3);  // settled by this get; the dead getters' items are gone
    EXPECT_EQ(q.lost(), 2u);
    EXPECT_EQ(q.get(5s).id, 4);
    EXPECT_EQ(q.lost(), 2u);
    EXPECT_TRUE(q.empty());
}

TEST(Queue, ATimedGetTimesOutBehindAGetStillDecoding) {
    // The decoding get holds the consumers' lock; a timed one must not wait it out.
    Queue<Stall> q;
    q.put(Stall{1});
    q.put(Stall{2});
    Checkpoint inside, gate;
    std::thread decoding([&] {
        t_stall = {StallIn::decode, inside.write_end(), gate.read_end()};
        EXPECT_EQ(q.get().id, 1);
    });
    inside.await();
    const auto start = Clock::now();
    EXPECT_THROW((void)q.get(50ms), QueueEmpty);
    EXPECT_LT(Clock::now() - start, 5s);
    gate.reach();
    decoding.join();
    EXPECT_EQ(q.get(5s).id, 2);
}

TEST(Queue, AnItemThatFailsToDecodeIsConsumedNotLost) {
    Queue<Stall> q;
    q.put(Stall{-1});
    q.put(Stall{2});
    EXPECT_THROW((void)q.get(), std::runtime_error);
    EXPECT_EQ(q.get(5s).id, 2) << "the consumers' lock was let go, the bad item not offered again";
    EXPECT_EQ(q.lost(), 0u);
    EXPECT_TRUE(q.empty());
}

TEST(Queue, GetterKilledWhileWaitingLosesNothing) {
    SimpleQueue<int> q;
    Checkpoint about_to_get;
    const pid_t pid = fork_child([&] {
        about_to_get.reach();
        return q.get();
    });
    about_to_get.await();
    kill(pid, SIGKILL);  // before, in or after its wait: it took nothing
    EXPECT_EQ(wait_child(pid), 128 + SIGKILL);
    q.put(7);
    EXPECT_EQ(q.get(), 7);
    EXPECT_EQ(q.lost(), 0u);
}

// A child plays a getter killed holding get_lock inside its take, just before
// its commit (the item stays) and just after it (the item is gone with the
// getter). Whoever next holds get_lock settles it, even when someone else has
// already seen the owner die (here the parent, locking get_lock first).
void kill_inside_take(bool committed, bool owner_death_seen_elsewhere) {
    mp::ipc::internal::Ring ring(0, 4096);
    const auto bytes = [](std::string_view s) { return std::as_bytes(std::span(s)); };
    ASSERT_TRUE(ring.put(bytes("first"), Clock::time_point::max()));
    ASSERT_TRUE(ring.put(bytes("second"), Clock::time_point::max()));
    auto& header = ring.header();
    const pid_t pid = fork_child([&] {
        header.get_lock.lock();
        header.take.store(mp::ipc::internal::TakeState{.commit_count = 1, .pending = true}.pack());
        if (committed) header.consumed.store(mp::ipc::internal::RingSide{4 + 5, 1}.pack());
        raise(SIGKILL);
        return 1;
    });
    EXPECT_EQ(wait_child(pid), 128 + SIGKILL);
    if (owner_death_seen_elsewhere) {
        header.get_lock.lock();
        EXPECT_TRUE(header.get_lock.owner_died());
        header.get_lock.unlock();
    }
    EXPECT_EQ(ring.lost(), committed ? 1u : 0u);
    EXPECT_EQ(take(ring), committed ? "second" : "first");
    EXPECT_EQ(ring.lost(), committed ? 1u : 0u);
    EXPECT_FALSE(mp::ipc::internal::TakeState::unpack(header.take.load()).pending);
}

TEST(Queue, GetterKilledHoldingTheLockBeforeItsCommitLosesNothing) { kill_inside_take(false, false); }
TEST(Queue, GetterKilledHoldingTheLockAfterItsCommitIsReportedLost) { kill_inside_take(true, false); }
TEST(Queue, ADeadTakeIsSettledAfterSomeoneElseSawItsOwnerDie) {
    kill_inside_take(false, true);
    kill_inside_take(true, true);
}

TEST(Queue, TryGetIntoAssignsAndTimesOut) {
    Queue<std::string> q;
    std::string out = "unchanged";
    EXPECT_FALSE(q.try_get_into_for(out, 1ms));
    EXPECT_EQ(out, "unchanged");
    q.put("item");
    EXPECT_TRUE(q.try_get_into(out));
    EXPECT_EQ(out, "item");
}

// A Queue whose ring the test can inspect.
template <class T>
struct InspectableQueue : Queue<T> {
    using Queue<T>::Queue;
    mp::ipc::internal::Ring& ring() { return this->ring_; }
};

TEST(Queue, ReadersKilledAtRandomMomentsDoNotCorruptIt) {
    // Big items keep a getter inside the lock for most of its time, so kills land
    // mid-copy: the test goes on until a few have (the next locker sees
    // EOWNERDEAD). Whatever is left must be intact and in order.
    constexpr std::size_t kItemSize = 256 * 1024;
    InspectableQueue<std::vector<std::uint32_t>> q(0, 24 << 20);
    std::uint32_t next_id = 0;
    auto& get_lock = q.ring().header().get_lock;
    int deaths_inside_get = 0;
    Checkpoint started;
    for (int round = 0; round < 300 && deaths_inside_get < 3; ++round) {
        while (q.qsize() < 20) q.put(std::vector<std::uint32_t>(kItemSize / 4, next_id++));
        const pid_t reader = fork_child([&]() -> int {
            started.reach();
            for (;;) (void)q.get();
        });
        started.await();
        std::this_thread::sleep_for(std::chrono::microseconds(100 + 50 * (round % 7)));
        kill(reader, SIGKILL);
        EXPECT_EQ(wait_child(reader), 128 + SIGKILL);
        get_lock.lock();
        if (get_lock.owner_died()) ++deaths_inside_get;
        get_lock.unlock();
    }
    EXPECT_GE(deaths_inside_get, 1) << "no kill landed inside get()";
    const std::size_t left = q.qsize();
    std::int64_t previous = -1;
    for (std::size_t i = 0; i < left; ++i) {
        const auto item = q.get(5s);
        ASSERT_EQ(item.size(), kItemSize / 4);
        ASSERT_TRUE(std::all_of(item.begin(), item.end(), [&](std::uint32_t v) { return v == item[0]; }))
            << "torn item";
        EXPECT_GT(static_cast<std::int64_t>(item[0]), previous);
        previous = item[0];
    }
    EXPECT_TRUE(q.empty());
}

TEST(JoinableQueue, JoinWaitsForEveryTaskDone) {
    JoinableQueue<int> q;
    for (int i = 0; i < 20; ++i) q.put(i);
    EXPECT_FALSE(q.join_for(20ms));
    std::vector<pid_t> workers;
    for (int w = 0; w < 2; ++w) {
        workers.push_back(fork_child([&] {
            while (auto item = q.try_get_for(100ms)) q.task_done();
            return 0;
        }));
    }
    EXPECT_TRUE(q.join_for(30s));
    EXPECT_TRUE(q.empty());
    for (const pid_t w : workers) EXPECT_EQ(wait_child(w), 0);
    EXPECT_THROW(q.task_done(), std::logic_error);
}

TEST(SimpleQueue, PutGetEmptyClose) {
    SimpleQueue<std::pair<int, std::string>> q;
    EXPECT_TRUE(q.empty());
    const pid_t pid = fork_child([&] {
        q.put({1, "one"});
        return 0;
    });
    EXPECT_EQ(q.get(), (std::pair<int, std::string>{1, "one"}));
    EXPECT_EQ(wait_child(pid), 0);
    q.close();
    EXPECT_THROW(q.get(), QueueClosed);
}

}  // namespace

// Queue, JoinableQueue, SimpleQueue: multi-producer, multi-consumer FIFO queues
// between threads and between forked processes, as Python's multiprocessing ones.
//
//     mp::ipc::Queue<std::string> q(/*maxsize=*/100);
//     if (fork() == 0) { q.put("hello from the child"); _exit(0); }
//     std::string s = q.get();
//
// Items live in a ring in anonymous shared memory: create the queue before fork()
// and every child shares it (threads share it by reference). Items are encoded with
// the codec (codec.hpp), so T is anything it can encode.
//
// Guarantees:
// - No feeder thread: put() copies the item into shared memory before it returns.
//   A put that returned is delivered to exactly one get(), even if its process
//   exits or is killed right after; nothing waits to be flushed at exit. What no one
//   gets stays visible in qsize().
// - A process SIGKILLed in the middle of put() or get() (even holding a lock)
//   leaves the queue consistent for everyone else (see internal/ring.hpp). A get()
//   killed before its commit (while decoding, say) leaves the item to the next
//   getter; one killed after it, before returning, takes the item along, and
//   lost() counts it: no item is ever gone unreported. A put() killed after its
//   commit has put its item.
// - close() wakes every blocked put() and get(): puts fail with QueueClosed, gets
//   drain what is left and then fail with QueueClosed. Unlike Python's close(),
//   which only stops this process's feeder, it closes the queue for every process.
// - Bounded: maxsize limits the item count (0: no count limit); capacity_bytes (1
//   MiB by default) limits the encoded bytes (4 + size per item). A put that finds
//   no room blocks. An item that cannot fit even in an empty ring is refused with
//   MessageTooLarge.
//
// - Any number of threads and processes may call any method at once. A waiting
//   put() or get() spins for up to 10 us before it sleeps on a futex: the other
//   side is usually that close, and a sleep and wake-up cost far more.
// - get() decodes the item where it lies in shared memory, holding the consumers'
//   lock until it returns: gets take turns, decoding included (a timed get
//   behind one still times out). So a decode hook (mp_decode) must not use the
//   same queue, and several consumers of items that are slow to decode do not
//   decode in parallel.
// - The queue exists only in processes forked after it was made (it has no name
//   to attach by); a moved-from queue is empty and must not be used.
//
// Waiting (README "Waiting and errors"): put / get wait as long as it takes;
// put(item, timeout) / get(timeout) throw QueueFull / QueueEmpty when the time runs
// out; try_put / try_get (at once) and try_put_for / try_get_for (within a timeout)
// report false / nullopt instead. Every form throws QueueClosed on a closed queue.
//
// Errors worth branching on: QueueFull, QueueEmpty, QueueClosed, MessageTooLarge.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <vector>

#include "ipc/codec.hpp"
#include "ipc/errors.hpp"
#include "sync/internal/deadline.hpp"
#include "ipc/internal/ring.hpp"

namespace mp::ipc {

template <class T>
class Queue {
public:
    static constexpr std::size_t kDefaultCapacityBytes = std::size_t{1} << 20;

    // A new, empty queue. Throws std::system_error when the shared memory cannot
    // be mapped, std::invalid_argument for a capacity under 5 bytes or over 4 GiB.
    explicit Queue(std::size_t maxsize = 0, std::size_t capacity_bytes = kDefaultCapacityBytes)
        : ring_(maxsize, capacity_bytes) {}

    // put: appends `item`, blocking while the queue is full.
    void put(const T& item) { put_until(item, sync::internal::kNoDeadline); }
    // put with a timeout: throws QueueFull when there is still no room after it.
    // Every timeout here is any std::chrono duration: zero or less polls once, one
    // too long for the clock (seconds::max()) waits without limit.
    template <class Rep, class Period>
    void put(const T& item, const std::chrono::duration<Rep, Period>& timeout) {
        if (!put_until(item, sync::internal::deadline_after(timeout)))
            throw QueueFull("ipc: Queue::put: the queue is full");
    }
    // put_nowait: throws QueueFull at once when there is no room.
    void put_nowait(const T& item) { put(item, std::chrono::nanoseconds::zero()); }
    // try_put: whether `item` was put at once; try_put_for: within `timeout`.
    // False when there was no room; a closed queue throws QueueClosed.
    [[nodiscard]] bool try_put(const T& item) { return try_put_for(item, std::chrono::nanoseconds::zero()); }
    template <class Rep, class Period>
    [[nodiscard]] bool try_put_for(const T& item, const std::chrono::duration<Rep, Period>& timeout) {
        return put_until(item, sync::internal::deadline_after(timeout));
    }

    // get: removes and returns the oldest item, blocking while the queue is empty.
    T get() {
        internal::Take take;  // the get counts as returned once this is gone
        return *get_until(sync::internal::kNoDeadline, take);
    }
    // get with a timeout: throws QueueEmpty when nothing came within it.
    template <class Rep, class Period>
    T get(const std::chrono::duration<Rep, Period>& timeout) {
        internal::Take take;
        auto item = get_until(sync::internal::deadline_after(timeout), take);
        if (!item) throw QueueEmpty("ipc: Queue::get: the queue is empty");
        return std::move(*item);
    }
    // get_nowait: throws QueueEmpty at once when the queue is empty.
    T get_nowait() { return get(std::chrono::nanoseconds::zero()); }
    // try_get: the oldest item, or nullopt when there is none now; try_get_for:
    // when none came within `timeout`. A closed and drained queue throws QueueClosed.
    [[nodiscard]] std::optional<T> try_get() { return try_get_for(std::chrono::nanoseconds::zero()); }
    template <class Rep, class Period>
    [[nodiscard]] std::optional<T> try_get_for(const std::chrono::duration<Rep, Period>& timeout) {
        internal::Take take;
        return get_until(sync::internal::deadline_after(timeout), take);
    }
    // try_get_into / try_get_into_for: as try_get / try_get_for, but assign the item
    // to `out` and return whether one came. The item is in `out` before the get
    // counts as returned, so `out` in shared memory is a receipt that survives the
    // caller being killed: a caller killed after the get counted as returned has
    // the item in `out`; one killed before has it counted by lost() (and `out` may
    // hold it already).
    [[nodiscard]] bool try_get_into(T& out) { return try_get_into_for(out, std::chrono::nanoseconds::zero()); }
    template <class Rep, class Period>
    [[nodiscard]] bool try_get_into_for(T& out, const std::chrono::duration<Rep, Period>& timeout) {
        internal::Take take;
        auto item = get_until(sync::internal::deadline_after(timeout), take);
        if (!item) return false;
        out = std::move(*item);
        return true;
    }

    // lost: the number of items, over the queue's life, that a get() took off the
    // queue and never returned because its process died inside it (SIGKILLed after
    // the take, before the return). Together with the items received and qsize(),
    // it accounts for every put that returned, exactly:
    //     puts returned + puts killed after their commit
    //         == gets returned + lost() + qsize()
    // A get() that threw after its take in a live process (an item whose decoding
    // failed) returned, with the exception: its item is not lost but consumed. A
    // dead getter is settled by the next get() and by lost() itself, so the count
    // is exact once the dead are reaped. Waits for a get() in progress to return.
    std::size_t lost() const { return ring_.lost(); }

    // The number of items (exact at the moment it is read; stale at once when
    // others put and get).
    std::size_t qsize() const { return ring_.stats().items; }
    bool empty() const { return qsize() == 0; }
    // Whether maxsize items are queued (a byte-full ring is not reported here).
    bool full() const { return maxsize() != 0 && qsize() >= maxsize(); }
    std::size_t maxsize() const noexcept { return ring_.maxsize(); }

    // close: closes the queue for every process and wakes all blocked puts and gets.
    // Idempotent.
    void close() { ring_.close(); }
    bool closed() const { return ring_.stats().closed; }

protected:
    internal::Ring ring_;

private:
    bool put_until(const T& item, sync::internal::SteadyTime deadline) {
        if constexpr (Codec<T>::bitwise) {
            return ring_.put(std::as_bytes(std::span(&item, 1)), deadline);
        } else {
            std::vector<std::byte>& bytes = space<Space::encoding>();
            bytes.clear();
            encode_into(bytes, item);
            return ring_.put(bytes, deadline);
        }
    }
    // Decodes the item where it lies (still queued: a getter killed while
    // decoding leaves it to the next), then takes it off the queue.
    std::optional<T> get_until(sync::internal::SteadyTime deadline, internal::Take& take) {
        if (!ring_.get(take, space<Space::decoding>(), deadline)) return std::nullopt;
        std::optional<T> item(decode<T>(take.bytes()));
        take.commit();
        return item;
    }
    // Space per thread, so that threads sharing a queue never share it: one to
    // encode into, one for an item that wraps around the ring's end (the rest
    // decode in place); two, so that a decode hook may put to a queue.
    enum class Space { encoding, decoding };
    template <Space>
    static std::vector<std::byte>& space() {
        thread_local std::vector<std::byte> bytes;
        return bytes;
    }
};

// JoinableQueue: a Queue that counts unfinished items. Every put() adds one;
// task_done() removes one; join() waits until none are left.
template <class T>
class JoinableQueue : public Queue<T> {
public:
    using Queue<T>::Queue;

    // task_done: marks one item taken by get() as processed. Throws
    // std::logic_error when called more times than items were put.
    void task_done() { this->ring_.task_done(); }
    // join: blocks until every item put has been marked task_done().
    void join() { (void)this->ring_.join(sync::internal::kNoDeadline); }
    // join_for: join for at most `timeout`; true when every item was finished in
    // time, false when some are still unfinished.
    template <class Rep, class Period>
    [[nodiscard]] bool join_for(const std::chrono::duration<Rep, Period>& timeout) {
        return this->ring_.join(sync::internal::deadline_after(timeout));
    }
};

// SimpleQueue: the small interface of Python's SimpleQueue (put, get, empty, close)
// over the same ring, without a count limit.
template <class T>
class SimpleQueue {
public:
    explicit SimpleQueue(std::size_t capacity_bytes = Queue<T>::kDefaultCapacityBytes)
        : queue_(0, capacity_bytes) {}

    // put: appends `item`, blocking only while the ring's bytes are used up.
    void put(const T& item) { queue_.put(item); }
    // get: removes and returns the oldest item, blocking while there is none.
    T get() { return queue_.get(); }
    bool empty() const { return queue_.empty(); }
    void close() { queue_.close(); }
    // lost: items taken by a get() whose process died inside it (Queue::lost).
    std::size_t lost() const { return queue_.lost(); }

private:
    Queue<T> queue_;
};

}  // namespace mp::ipc

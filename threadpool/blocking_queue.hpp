// BlockingQueue<T>: a thread-safe FIFO with Python's queue.Queue semantics, for
// move-only T too.
//
//   put / get                 block (while full / while empty)
//   put(x, timeout) / get(timeout)   throw QueueFull / QueueEmpty when time runs out
//   try_put / try_get         never block; report full / empty as false / nullopt
//   try_put_for / try_get_for the same within a timeout
//   put_nowait / get_nowait   never block, throw QueueFull / QueueEmpty (Python's names)
//   task_done / join          count finished items; wait until all are finished
//   join_for                  join within a timeout; false when items are unfinished
//   close                     wakes every waiter; later puts throw QueueClosed, gets
//                             drain what is left and then throw QueueClosed. Every
//                             form does, try_ ones too: closure is not a timing
//                             outcome, and a polling loop must not spin on it.
//
// Speed: producers and consumers do not share a lock. Items live in a linked list of
// fixed-size chunks; producers append under one spin lock, consumers take under
// another, and they meet only at two atomic positions, each written by one side. A getter
// that finds the queue empty spins for a few microseconds before it sleeps, and a put
// wakes someone only when someone sleeps, so a steady hand-off between two threads
// runs without system calls and without bouncing a contended lock between cores.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <new>
#include <optional>
#include <stdexcept>
#include <thread>
#include <type_traits>
#include <utility>

#include "threadpool/errors.hpp"
#include "threadpool/internal/deadline.hpp"
#include "threadpool/internal/spin.hpp"
#include "threadpool/internal/spin_lock.hpp"

namespace mp::threadpool {

template <class T>
class BlockingQueue {
    static_assert(std::is_nothrow_move_constructible_v<T>,
                  "BlockingQueue moves items out without a way back");

public:
    // maxsize 0 means unbounded (as in Python).
    explicit BlockingQueue(std::size_t maxsize = 0) : maxsize_(maxsize) {
        tail_chunk_ = head_chunk_ = new Chunk;
    }
    BlockingQueue(const BlockingQueue&) = delete;
    BlockingQueue& operator=(const BlockingQueue&) = delete;
    // Destroys the items still queued. No thread may be using the queue.
    ~BlockingQueue() {
        while (try_take()) {
        }
        delete head_chunk_;
        delete spare_.load();
    }

    // put: appends `value`, blocking while the queue is full. Throws QueueClosed
    // (the value is then left untouched).
    template <class U = T>
    void put(U&& value) {
        (void)put_until(std::forward<U>(value), internal::kNoDeadline);
    }
    // put with a timeout: throws QueueFull when no room was made in time. Timeouts
    // are any std::chrono duration: zero or less polls once, one too long for the
    // clock (seconds::max()) waits as long as it takes.
    template <class U = T, class Rep, class Period>
    void put(U&& value, const std::chrono::duration<Rep, Period>& timeout) {
        if (!put_until(std::forward<U>(value), internal::deadline_after(timeout))) throw QueueFull();
    }
    // try_put: appends `value` if there is room now; false when full (the value is
    // then left untouched). Never blocks. Throws QueueClosed on a closed queue.
    template <class U = T>
    [[nodiscard]] bool try_put(U&& value) {
        const Append outcome = try_append(std::forward<U>(value));
        if (outcome == Append::closed) throw QueueClosed();
        return outcome == Append::done;
    }
    // try_put_for: try_put, waiting up to `timeout` for room.
    template <class U = T, class Rep, class Period>
    [[nodiscard]] bool try_put_for(U&& value, const std::chrono::duration<Rep, Period>& timeout) {
        return put_until(std::forward<U>(value), internal::deadline_after(timeout));
    }
    // put_nowait: try_put that throws QueueFull (or QueueClosed).
    template <class U = T>
    void put_nowait(U&& value) {
        const Append outcome = try_append(std::forward<U>(value));
        if (outcome == Append::closed) throw QueueClosed();
        if (outcome == Append::full) throw QueueFull();
    }

    // get: removes and returns the oldest item, blocking while the queue is empty.
    // Throws QueueClosed once the queue is closed and drained.
    T get() { return *get_until(internal::kNoDeadline); }
    // get with a timeout: throws QueueEmpty when nothing arrived in time.
    template <class Rep, class Period>
    T get(const std::chrono::duration<Rep, Period>& timeout) {
        std::optional<T> item = get_until(internal::deadline_after(timeout));
        if (!item) throw QueueEmpty();
        return std::move(*item);
    }
    // try_get: the oldest item, or nullopt when the queue is empty now. Never blocks.
    // Throws QueueClosed once the queue is closed and drained.
    [[nodiscard]] std::optional<T> try_get() { return get_until(std::chrono::steady_clock::time_point::min()); }
    // try_get_for: try_get, waiting up to `timeout` for an item.
    template <class Rep, class Period>
    [[nodiscard]] std::optional<T> try_get_for(const std::chrono::duration<Rep, Period>& timeout) {
        return get_until(internal::deadline_after(timeout));
    }
    // get_nowait: try_get that throws QueueEmpty.
    T get_nowait() {
        std::optional<T> item = try_get();
        if (!item) throw QueueEmpty();
        return std::move(*item);
    }

    // task_done: marks one item taken by get as finished. Throws std::logic_error when
    // called more often than items were put (Python's ValueError).
    void task_done() {
        std::size_t done = tasks_done_.load(std::memory_order_relaxed);
        do {
            if (done == tail_.load(std::memory_order_acquire))
                throw std::logic_error("threadpool: BlockingQueue::task_done: called more times than items were put");
        } while (!tasks_done_.compare_exchange_weak(done, done + 1, std::memory_order_acq_rel));
        if (done + 1 == tail_.load(std::memory_order_seq_cst)) {
            std::lock_guard lock(wait_mutex_);
            all_done_.notify_all();
        }
    }
    // join: blocks until every item put so far has been marked task_done.
    void join() {
        std::unique_lock lock(wait_mutex_);
        all_done_.wait(lock, [&] { return all_done(); });
    }
    // join_for: join for at most `timeout`; true if everything was finished in time.
    template <class Rep, class Period>
    [[nodiscard]] bool join_for(const std::chrono::duration<Rep, Period>& timeout) {
        const auto deadline = internal::deadline_after(timeout);
        std::unique_lock lock(wait_mutex_);
        return internal::wait_until(all_done_, lock, deadline, [&] { return all_done(); });
    }

    // close: no more puts; wakes every blocked put (QueueClosed) and get (which drains
    // what is left, then throws QueueClosed). Idempotent.
    void close() {
        {
            std::lock_guard lock(tail_lock_);  // no put is half done
            closed_.store(true, std::memory_order_seq_cst);
        }
        std::lock_guard lock(wait_mutex_);
        not_empty_.notify_all();
        not_full_.notify_all();
    }
    bool closed() const noexcept { return closed_.load(std::memory_order_acquire); }

    // Sizes of a moment (Python's qsize / empty / full).
    std::size_t qsize() const noexcept {
        const std::size_t head = head_.load(std::memory_order_acquire);
        return tail_.load(std::memory_order_acquire) - head;
    }
    bool empty() const noexcept { return qsize() == 0; }
    bool full() const noexcept { return maxsize_ != 0 && qsize() >= maxsize_; }
    std::size_t maxsize() const noexcept { return maxsize_; }

private:
    // Items at positions [base, base + kSlots) of the queue's history.
    struct Chunk {
        static constexpr std::size_t kSlots = 128;
        std::atomic<Chunk*> next{nullptr};
        alignas(T) unsigned char bytes[kSlots * sizeof(T)];
        T* slot(std::size_t i) noexcept { return std::launder(reinterpret_cast<T*>(bytes) + i); }
        void* raw(std::size_t i) noexcept { return bytes + i * sizeof(T); }
    };

    enum class Append { done, full, closed };

    template <class U>
    Append try_append(U&& value) {
        {
            std::lock_guard lock(tail_lock_);
            if (closed_.load(std::memory_order_relaxed)) return Append::closed;
            const std::size_t position = tail_position_;
            if (maxsize_ != 0 && position - cached_head_ >= maxsize_) {
                cached_head_ = head_.load(std::memory_order_acquire);
                if (position - cached_head_ >= maxsize_) return Append::full;
            }
            if (position == tail_base_ + Chunk::kSlots) {
                Chunk* fresh = spare_.exchange(nullptr, std::memory_order_acquire);
                if (fresh == nullptr) fresh = new Chunk;
                fresh->next.store(nullptr, std::memory_order_relaxed);
                tail_chunk_->next.store(fresh, std::memory_order_release);
                tail_chunk_ = fresh;
                tail_base_ = position;
            }
            ::new (tail_chunk_->raw(position - tail_base_)) T(std::forward<U>(value));
            tail_position_ = position + 1;
            tail_.store(position + 1, std::memory_order_seq_cst);
        }
        // Dekker with a sleeping getter: it registers, then looks at tail_; this
        // published tail_, then looks at the registrations.
        if (getters_waiting_.load(std::memory_order_seq_cst) > 0) {
            std::lock_guard lock(wait_mutex_);
            not_empty_.notify_one();
        }
        return Append::done;
    }

    std::optional<T> try_take() {
        std::optional<T> item;
        {
            std::lock_guard lock(head_lock_);
            const std::size_t position = head_position_;
            if (position == cached_tail_) {
                cached_tail_ = tail_.load(std::memory_order_acquire);
                if (position == cached_tail_) return item;
            }
            if (position == head_base_ + Chunk::kSlots) {
                Chunk* next = head_chunk_->next.load(std::memory_order_acquire);
                delete spare_.exchange(head_chunk_, std::memory_order_acq_rel);
                head_chunk_ = next;
                head_base_ = position;
            }
            T* slot = head_chunk_->slot(position - head_base_);
            item.emplace(std::move(*slot));
            slot->~T();
            head_position_ = position + 1;
            // Only a bounded queue has putters to wake (Dekker as in try_append).
            head_.store(position + 1, maxsize_ != 0 ? std::memory_order_seq_cst : std::memory_order_release);
        }
        if (maxsize_ != 0 && putters_waiting_.load(std::memory_order_seq_cst) > 0) {
            std::lock_guard lock(wait_mutex_);
            not_full_.notify_one();
        }
        return item;
    }

    // A getter that found the queue empty waits a little for a batch rather than
    // for one item: taking items one by one as they are published makes the two
    // sides fight over the same cache lines on every item. Gives up (to sleep)
    // after some 20 microseconds; true when something arrived or the queue closed.
    bool wait_for_batch() {
        for (int round = 0; round < 32; ++round) {
            for (int k = 0; k < 32; ++k) internal::cpu_relax();
            const std::size_t head = head_.load(std::memory_order_relaxed);
            const std::size_t ready = tail_.load(std::memory_order_relaxed) - head;
            if (ready >= 32 || (ready > 0 && round >= 2) || closed_.load(std::memory_order_relaxed))
                return true;
            if (round % 8 == 7) std::this_thread::yield();
        }
        return has_item();
    }
    bool all_done() const noexcept {
        return tasks_done_.load(std::memory_order_seq_cst) == tail_.load(std::memory_order_seq_cst);
    }
    bool has_item() const noexcept {
        return tail_.load(std::memory_order_seq_cst) != head_.load(std::memory_order_seq_cst);
    }
    bool has_room() const noexcept {
        return maxsize_ == 0 ||
               tail_.load(std::memory_order_seq_cst) - head_.load(std::memory_order_seq_cst) < maxsize_;
    }

    // Sleeps on `cv` until `ready()` or close; false when `deadline` passed first.
    template <class Ready>
    bool sleep_until(std::condition_variable& cv, std::atomic<std::size_t>& waiting, Ready ready,
                     internal::SteadyTime deadline) {
        std::unique_lock lock(wait_mutex_);
        waiting.fetch_add(1, std::memory_order_seq_cst);
        auto awake = [&] { return ready() || closed_.load(std::memory_order_seq_cst); };
        const bool in_time = internal::wait_until(cv, lock, deadline, awake);
        waiting.fetch_sub(1, std::memory_order_relaxed);
        return in_time;
    }

    // Appends by `deadline`: false when still full then. Throws QueueClosed.
    template <class U>
    bool put_until(U&& value, internal::SteadyTime deadline) {
        for (;;) {
            const Append outcome = try_append(std::forward<U>(value));
            if (outcome == Append::done) return true;
            if (outcome == Append::closed) throw QueueClosed();
            if (!sleep_until(
                    not_full_, putters_waiting_, [&] { return has_room(); }, deadline)) {
                const Append last = try_append(std::forward<U>(value));
                if (last == Append::closed) throw QueueClosed();
                return last == Append::done;
            }
        }
    }

    // Takes an item by `deadline`: nullopt when still empty then. Throws QueueClosed
    // once closed and drained.
    std::optional<T> get_until(internal::SteadyTime deadline) {
        for (;;) {
            if (std::optional<T> item = try_take()) return item;
            if (closed_.load(std::memory_order_acquire)) {
                if (std::optional<T> item = try_take()) return item;
                throw QueueClosed();
            }
            // A poll (try_get, a timeout of zero or less) must not spin below.
            if (deadline != internal::kNoDeadline && std::chrono::steady_clock::now() >= deadline) return std::nullopt;
            if (wait_for_batch()) continue;
            if (!sleep_until(
                    not_empty_, getters_waiting_, [&] { return has_item(); }, deadline)) {
                if (std::optional<T> item = try_take()) return item;
                if (closed_.load(std::memory_order_acquire)) throw QueueClosed();
                return std::nullopt;
            }
        }
    }

    const std::size_t maxsize_;

    // Producer side, guarded by tail_lock_.
    alignas(64) internal::SpinLock tail_lock_;
    Chunk* tail_chunk_;
    std::size_t tail_base_ = 0;      // position of tail_chunk_'s first slot
    std::size_t tail_position_ = 0;  // == tail_, without the atomic read
    std::size_t cached_head_ = 0;    // head_ as last read; refreshed only when full

    // Consumer side, guarded by head_lock_.
    alignas(64) internal::SpinLock head_lock_;
    Chunk* head_chunk_;
    std::size_t head_base_ = 0;
    std::size_t head_position_ = 0;
    std::size_t cached_tail_ = 0;  // tail_ as last read; refreshed only when it looks empty

    // Where the two sides meet: items ever put / ever taken, each written by one side.
    alignas(64) std::atomic<std::size_t> tail_{0};
    alignas(64) std::atomic<std::size_t> head_{0};
    std::atomic<Chunk*> spare_{nullptr};      // the last drained chunk, for reuse
    std::atomic<std::size_t> tasks_done_{0};  // task_done() calls; tail_ - tasks_done_ are unfinished

    // Sleeping, rare.
    alignas(64) std::mutex wait_mutex_;
    std::condition_variable not_empty_;
    std::condition_variable not_full_;
    std::condition_variable all_done_;
    std::atomic<std::size_t> getters_waiting_{0};
    std::atomic<std::size_t> putters_waiting_{0};
    std::atomic<bool> closed_{false};
};

}  // namespace mp::threadpool

// Private: the shared state behind IMapIterator (pool/imap_iterator.hpp): the
// input is read lazily, a chunk at a time, by the reading thread, and at most
// `window` chunks are out at once (sent and not yet taken by the reader), so an
// imap over any number of items holds at most `window` chunks of items and of
// results. Chunks are delivered on the pool's result thread and taken by the
// reader in input order or in completion order.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <utility>
#include <vector>

#include "pool/errors.hpp"
#include "pool/internal/result_state.hpp"
#include "pool/internal/typed_calls.hpp"
#include "sync/internal/cv_wait.hpp"

namespace mp::pool::internal {

// The input side of an imap: sends the next chunk of the input as a task finishing
// through the given completion; false when the input has no item left (nothing is
// sent then). Throws what reading the input or submitting throws.
using ChunkFeeder = std::function<bool(Completion)>;

template <class R>
class IMapState : public std::enable_shared_from_this<IMapState<R>> {
public:
    IMapState(const void* pool, ChunkFeeder feed, std::size_t window, bool ordered)
        : pool_(pool), feed_(std::move(feed)), window_(window), ordered_(ordered) {}

    // Sends the first window; throws the error that kept it from sending any chunk
    // (PoolClosed on a closed pool, the input's own error, ...).
    void start() {
        top_up();
        std::lock_guard lock(mutex_);
        if (sent_ == 0 && input_error_) std::rethrow_exception(std::exchange(input_error_, nullptr));
    }

    // Sends chunks until `window` are out or the input ends. An error (the input's,
    // PoolClosed, BrokenPool, ...) ends the input too; next() throws it after the
    // chunks sent before it.
    void top_up() {
        std::lock_guard feeding(feed_mutex_);
        for (;;) {
            std::size_t index;
            {
                std::lock_guard lock(mutex_);
                if (!wants_input()) return;
                index = sent_++;
                if (ordered_) pending_.emplace_back();
            }
            try {
                if (feed_(completion(index))) continue;
                close_input(nullptr);
            } catch (...) {
                close_input(std::current_exception());
            }
            return;
        }
    }

    std::optional<R> next(sync::internal::SteadyTime deadline) {
        std::unique_lock lock(mutex_);
        for (;;) {
            if (current_ && offset_ < current_->values.size()) return std::move(current_->values[offset_++]);
            current_ = take_chunk(lock, deadline);
            offset_ = 0;
            if (!current_) return std::nullopt;
        }
    }

    // The next chunk whole, for a reader that takes chunks rather than items (Pool::map
    // in completion order: `index` is the chunk's place in the input); nullopt at the
    // end; throws as next() does.
    struct Chunk {
        std::size_t index = 0;
        std::vector<R> values;
        std::exception_ptr error;
    };
    std::optional<Chunk> next_chunk(sync::internal::SteadyTime deadline) {
        std::unique_lock lock(mutex_);
        return take_chunk(lock, deadline);
    }

private:
    // With `lock` held: the next finished chunk (nullopt once the input ended and
    // every chunk was taken), sending more of the input while the window has room.
    // Rethrows a chunk's error when it is its turn, and the input's at the end.
    std::optional<Chunk> take_chunk(std::unique_lock<std::mutex>& lock, sync::internal::SteadyTime deadline) {
        for (;;) {
            if (wants_input()) {
                lock.unlock();
                top_up();
                lock.lock();
                continue;
            }
            if (consumed_ == sent_) {  // the input ended and every chunk was taken
                if (input_error_) std::rethrow_exception(std::exchange(input_error_, nullptr));
                return std::nullopt;
            }
            if (!available()) {
                if (current_result_thread() == pool_)
                    throw std::logic_error("pool: IMapIterator::next: iterating imap on the pool's own result thread would deadlock");
                // Another reader may close the input meanwhile, taking the chunk it had reserved.
                if (!sync::internal::wait_until(changed_, lock, deadline, [&] { return available() || consumed_ == sent_; }))
                    throw TimeoutError("pool: IMapIterator::next: timed out");
                if (!available()) continue;
            }
            Chunk chunk;
            if (ordered_) {
                chunk = std::move(*pending_.front());
                pending_.pop_front();
            } else {
                chunk = std::move(arrived_.front());
                arrived_.pop_front();
            }
            ++consumed_;
            if (chunk.error) std::rethrow_exception(chunk.error);
            return chunk;
        }
    }


    // On the result thread: chunk `index` finished with its values or an error.
    Completion completion(std::size_t index) {
        return decode_then<std::vector<R>>(
            [self = this->shared_from_this(), index](std::vector<R>* values, std::exception_ptr error) {
                self->deliver(Chunk{index, values != nullptr ? std::move(*values) : std::vector<R>{}, error});
            });
    }
    void deliver(Chunk chunk) {
        std::lock_guard lock(mutex_);
        if (ordered_) {
            pending_[chunk.index - consumed_] = std::move(chunk);  // not taken yet, so index >= consumed_
        } else {
            arrived_.push_back(std::move(chunk));
        }
        changed_.notify_all();
    }
    // Under feed_mutex_: no more chunks; the input (which may own the items) goes now.
    void close_input(std::exception_ptr error) {
        {
            std::lock_guard lock(mutex_);
            --sent_;  // the chunk reserved last was not sent
            if (ordered_) pending_.pop_back();
            input_done_ = true;
            input_error_ = std::move(error);
            changed_.notify_all();
        }
        feed_ = nullptr;
    }
    bool wants_input() const { return !input_done_ && sent_ - consumed_ < window_; }
    bool available() const { return ordered_ ? !pending_.empty() && pending_.front().has_value() : !arrived_.empty(); }

    const void* pool_;
    std::mutex feed_mutex_;  // serialises readers feeding the input; taken before mutex_
    ChunkFeeder feed_;
    const std::size_t window_;
    const bool ordered_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::size_t sent_ = 0;      // chunks sent (or being sent)
    std::size_t consumed_ = 0;  // chunks taken by the reader
    bool input_done_ = false;
    std::exception_ptr input_error_;  // what ended the input, for the reader once it took every chunk
    std::deque<std::optional<Chunk>> pending_;  // ordered: chunks consumed_ .. sent_-1, in input order
    std::deque<Chunk> arrived_;                  // unordered: finished chunks not taken yet
    std::optional<Chunk> current_;
    std::size_t offset_ = 0;
};

}  // namespace mp::pool::internal

// Private: the shared state behind IMapIterator (pool/imap_iterator.hpp): chunks
// delivered on the pool's result thread, taken by the reader in input order or in
// completion order.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <exception>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <vector>

#include "pool/errors.hpp"
#include "pool/internal/result_state.hpp"
#include "sync/internal/cv_wait.hpp"

namespace mp::pool::internal {


template <class R>
class IMapState {
public:
    IMapState(const void* pool, std::size_t chunks, bool ordered) : pool_(pool), slots_(chunks), ordered_(ordered) {}

    // On the result thread: chunk `index` finished with `values` or `error`.
    void deliver(std::size_t index, std::vector<R> values, std::exception_ptr error) {
        std::lock_guard lock(mutex_);
        slots_[index] = Chunk{std::move(values), std::move(error)};
        arrivals_.push_back(index);
        changed_.notify_all();
    }

    std::optional<R> next(sync::internal::SteadyTime deadline) {
        std::unique_lock lock(mutex_);
        for (;;) {
            if (current_ && offset_ < current_->values.size()) return std::move(current_->values[offset_++]);
            if (consumed_ == slots_.size()) return std::nullopt;
            if (!available()) {
                if (current_result_thread() == pool_)
                    throw std::logic_error("pool: IMapIterator::next: iterating imap on the pool's own result thread would deadlock");
                if (!sync::internal::wait_until(changed_, lock, deadline, [&] { return available(); }))
                    throw TimeoutError("pool: IMapIterator::next: timed out");
            }
            const std::size_t index = ordered_ ? consumed_ : arrivals_[consumed_];
            ++consumed_;
            current_ = std::move(slots_[index]);
            offset_ = 0;
            if (current_->error) {
                std::exception_ptr error = current_->error;
                current_.reset();
                std::rethrow_exception(error);
            }
        }
    }

private:
    struct Chunk {
        std::vector<R> values;
        std::exception_ptr error;
    };
    bool available() const {
        return ordered_ ? slots_[consumed_].has_value() : arrivals_.size() > consumed_;
    }

    const void* pool_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<std::optional<Chunk>> slots_;
    std::vector<std::size_t> arrivals_;
    std::size_t consumed_ = 0;  // chunks taken by the reader
    std::optional<Chunk> current_;
    std::size_t offset_ = 0;
    const bool ordered_;
};

}  // namespace mp::pool::internal

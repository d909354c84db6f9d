// Private: the input side of Pool::imap and Pool::map (see imap_state.hpp): the
// next `chunksize` items of a range made into one task only when asked, and a
// ChunkFeeder that submits them.
#pragma once

#include <algorithm>
#include <cstddef>
#include <iterator>
#include <memory>
#include <ranges>
#include <utility>
#include <vector>

#include "pool/errors.hpp"
#include "pool/internal/core.hpp"
#include "pool/internal/imap_state.hpp"
#include "pool/internal/task.hpp"

namespace mp::pool::internal {

// Makes the task of the next `chunksize` items of a range, reading them only when
// asked. kStar: the items are argument tuples (starmap). Copies share the input.
template <bool kStar, class F, class R, std::ranges::view View>
class ChunkMaker {
public:
    ChunkMaker(F f, View view, std::size_t chunksize)
        : f_(std::move(f)), input_(std::make_shared<Input>(std::move(view))), chunksize_(chunksize) {}

    bool exhausted() const { return input_->next == input_->end; }

    // The next chunk's task, finishing through `done`; the input must not be exhausted.
    TaskSpec make(Completion done) const {
        using T = std::ranges::range_value_t<View>;
        Input& input = *input_;
        Bytes message = start_message(f_);
        if constexpr (std::sized_sentinel_for<std::ranges::sentinel_t<View>, std::ranges::iterator_t<View>>) {
            const auto left = static_cast<std::size_t>(input.end - input.next);
            const std::size_t count = std::min(chunksize_, left);
            encode_items<T>(message, input.next, count);
            std::ranges::advance(input.next, static_cast<std::ranges::range_difference_t<View>>(count));
        } else {
            // The count goes before the items, and an input range cannot be read twice.
            std::vector<T> items;
            for (; items.size() < chunksize_ && input.next != input.end; ++input.next)
                items.push_back(*input.next);
            encode_items<T>(message, items.begin(), items.size());
        }
        return {&run_chunk<F, R, T, kStar>, std::move(message), std::move(done)};
    }

private:
    // On the heap, never moved: `next` may point into `view` (an owning_view's vector).
    struct Input {
        explicit Input(View v)
            : view(std::move(v)), next(std::ranges::begin(view)), end(std::ranges::end(view)) {}
        View view;
        std::ranges::iterator_t<View> next;
        std::ranges::sentinel_t<View> end;
    };
    F f_;
    std::shared_ptr<Input> input_;
    std::size_t chunksize_;
};

template <bool kStar, class R, class F, std::ranges::view View>
ChunkMaker<kStar, F, R, View> chunk_maker(F f, View view, std::size_t chunksize) {
    return {std::move(f), std::move(view), chunksize};
}

// Submits the chunks of a ChunkMaker as an imap asks for them. Holds the weak side
// of the core: an IMapIterator may outlive its Pool, and then the rest of its input
// fails with CancelledError instead of reaching a freed core. `fed`: the chunks of a
// blocking map, sent between Core::begin_feeding and end_feeding.
template <bool kStar, class F, class R, std::ranges::view View>
ChunkFeeder chunk_feeder(ChunkMaker<kStar, F, R, View> chunks, std::weak_ptr<Core> core, bool fed = false) {
    return [chunks = std::move(chunks), core = std::move(core), fed](Completion done) {
        if (chunks.exhausted()) return false;
        const std::shared_ptr<Core> live = core.lock();
        if (!live)
            throw CancelledError(
                "pool: IMapIterator::next: the pool was destroyed before the input was all sent");
        std::vector<TaskSpec> tasks;
        tasks.push_back(chunks.make(std::move(done)));
        live->submit(std::move(tasks), fed);
        return true;
    };
}

}  // namespace mp::pool::internal

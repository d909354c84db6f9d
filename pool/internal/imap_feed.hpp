// Private: the input side of Pool::imap and Pool::map (see imap_state.hpp): a
// ChunkFeeder that reads the next `chunksize` items of a range, only when asked, and
// submits them as one task.
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

// Holds the weak side of the core: an IMapIterator may outlive its Pool, and then
// the rest of its input fails with CancelledError instead of reaching a freed core.
// kStar: the items are argument tuples (starmap). `fed`: the chunks of a blocking
// map, sent between Core::begin_feeding and end_feeding.
template <bool kStar, class F, class R, std::ranges::view View>
ChunkFeeder chunk_feeder(F f, std::weak_ptr<Core> core, View view, std::size_t chunksize, bool fed = false) {
    using T = std::ranges::range_value_t<View>;
    // On the heap, never moved: `next` may point into `view` (an owning_view's vector).
    struct Input {
        explicit Input(View v) : view(std::move(v)), next(std::ranges::begin(view)), end(std::ranges::end(view)) {}
        View view;
        std::ranges::iterator_t<View> next;
        std::ranges::sentinel_t<View> end;
    };
    return [f, core = std::move(core), input = std::make_shared<Input>(std::move(view)), chunksize, fed](Completion done) {
        if (input->next == input->end) return false;
        const std::shared_ptr<Core> live = core.lock();
        if (!live) throw CancelledError("pool: IMapIterator::next: the pool was destroyed before the input was all sent");
        Bytes message = start_message(f);
        if constexpr (std::sized_sentinel_for<std::ranges::sentinel_t<View>, std::ranges::iterator_t<View>>) {
            const auto left = static_cast<std::size_t>(input->end - input->next);
            const std::size_t count = std::min(chunksize, left);
            encode_items<T>(message, input->next, count);
            std::ranges::advance(input->next, static_cast<std::ranges::range_difference_t<View>>(count));
        } else {
            // The count goes before the items, and an input range cannot be read twice.
            std::vector<T> items;
            for (; items.size() < chunksize && input->next != input->end; ++input->next) items.push_back(*input->next);
            encode_items<T>(message, items.begin(), items.size());
        }
        std::vector<TaskSpec> tasks;
        tasks.push_back({&run_chunk<F, R, T, kStar>, std::move(message), std::move(done)});
        live->submit(std::move(tasks), fed);
        return true;
    };
}

}  // namespace mp::pool::internal

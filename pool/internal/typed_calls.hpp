// Private: the typed layer under Pool (pool/process_pool.hpp): how arguments
// travel, the result type of a call or of a map's item, how a map splits into
// chunks, and the completions that decode results and run the user's callbacks.
#pragma once

#include <algorithm>
#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <ranges>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "ipc/codec.hpp"
#include "pool/internal/core.hpp"
#include "pool/internal/result_state.hpp"
#include "pool/internal/task.hpp"

namespace mp::pool {

template <class R>
struct Callbacks;

namespace internal {

// The type of Callbacks<R>::callback: what it is given.
template <class R>
struct CallbackType {
    using type = std::function<void(const R&)>;
};
template <>
struct CallbackType<void> {
    using type = std::function<void()>;
};

// How an argument travels: by value, with C strings as std::string.
template <class T>
using Travelling = std::conditional_t<std::is_same_v<std::decay_t<T>, const char*> || std::is_same_v<std::decay_t<T>, char*>,
                                      std::string, std::decay_t<T>>;

template <class F, class... Args>
using CallResult = std::invoke_result_t<std::decay_t<F>&, Travelling<Args>&&...>;

template <class T>
inline constexpr bool kIsCallbacks = false;
template <class R>
inline constexpr bool kIsCallbacks<Callbacks<R>> = true;

void report_callback_error();

// The result type of one item of map (f(item)) or starmap (std::apply(f, item));
// std::monostate (Python's None) for a function that returns void.
template <class F, class Items, bool kStar>
struct ItemResultOf {
    using Item = std::ranges::range_value_t<Items>;
    static auto probe() {
        if constexpr (kStar) {
            return std::type_identity<decltype(std::apply(std::declval<std::decay_t<F>&>(), std::declval<Item&>()))>{};
        } else {
            return std::type_identity<std::invoke_result_t<std::decay_t<F>&, Item&>>{};
        }
    }
    using returned = typename decltype(probe())::type;
    using type = std::conditional_t<std::is_void_v<returned>, std::monostate, returned>;
};
template <class F, class Items, bool kStar>
using ItemResult = typename ItemResultOf<F, Items, kStar>::type;

// How a map splits its items: `chunks` tasks of `chunksize` items (the last shorter).
// The default chunk is CPython's (about four per worker), but no larger than this:
// a blocking map holds two chunks per worker encoded at once, and this keeps them
// small (128 KiB of longs) however long the input, for a few more round trips:
// with 65,536 the parent of a map over 10^7 longs peaked 3 MiB higher, at no gain
// in speed.
inline constexpr std::size_t kMaxDefaultChunk = 16384;

struct ChunkPlan {
    std::size_t count;
    std::size_t chunksize;
    std::size_t chunks;
};
template <class Items>
ChunkPlan plan_chunks(const Items& items, std::size_t chunksize, std::size_t workers) {
    std::size_t count;
    if constexpr (std::ranges::sized_range<Items>) {
        count = static_cast<std::size_t>(std::ranges::size(items));
    } else {
        count = static_cast<std::size_t>(std::ranges::distance(items));
    }
    if (chunksize == 0) chunksize = std::clamp<std::size_t>(default_chunksize(count, workers), 1, kMaxDefaultChunk);
    // Rounded up without `count + chunksize - 1`, which wraps for a huge chunksize.
    return {count, chunksize, count / chunksize + (count % chunksize != 0 ? 1 : 0)};
}

// Runs a user callback on the result thread; reports what it throws.
template <class Call>
void run_callback(Call&& call) {
    try {
        call();
    } catch (...) {
        report_callback_error();
    }
}

template <class Callbacks>
void run_error_callback(const Callbacks& callbacks, std::exception_ptr error) {
    if (!callbacks.error_callback) return;
    run_callback([&] {
        try {
            std::rethrow_exception(error);
        } catch (const std::exception& e) {
            callbacks.error_callback(e);
        }
    });
}

// A completion that decodes an R and hands it (or the error) to `deliver(value*,
// error)`; a result that does not decode becomes the task's error.
template <class R, class Deliver>
Completion decode_then(Deliver deliver) {
    return [deliver = std::move(deliver)](Outcome&& outcome) mutable {
        using Stored = typename ResultState<R>::Stored;
        std::exception_ptr error = outcome.error;
        Stored value{};
        if (!error) {
            try {
                if constexpr (!std::is_void_v<R>) value = ipc::decode<R>(outcome.result());
            } catch (...) {
                error = std::current_exception();
            }
        }
        deliver(error ? nullptr : &value, error);
    };
}


// The completions of a map's chunks: each decodes its chunk's results straight into
// their places; the last one (or the first failure) sets `state` and calls the
// callbacks. Completions run on the result thread only, one at a time: no lock.
template <class R, class Callbacks>
auto gather_chunks(std::shared_ptr<ResultState<std::vector<R>>> state, ChunkPlan plan, Callbacks callbacks) {
    struct Gathering {
        std::vector<R> results;
        std::size_t chunks_left = 0;
        bool finished = false;
    };
    auto gathering = std::make_shared<Gathering>();
    gathering->results.resize(plan.count);
    gathering->chunks_left = plan.chunks;
    return [state, gathering, callbacks](std::size_t, std::size_t first, std::size_t size) -> Completion {
        return [state, gathering, callbacks, first, size](Outcome&& outcome) {
            Gathering& g = *gathering;
            if (g.finished) return;
            std::exception_ptr error = outcome.error;
            if (!error) {
                try {
                    decode_chunk_into<R>(outcome.result(), g.results.begin() + static_cast<std::ptrdiff_t>(first), size);
                } catch (...) {
                    error = std::current_exception();
                }
            }
            if (error) {
                g.finished = true;
                run_error_callback(callbacks, error);
                state->set_error(error);
                return;
            }
            if (--g.chunks_left > 0) return;
            g.finished = true;
            if (callbacks.callback) run_callback([&] { callbacks.callback(g.results); });
            state->set_value(std::move(g.results));
        };
    };
}

}  // namespace internal
}  // namespace mp::pool

// Private: how a C++ callable and its arguments become a task message and run in a
// worker. Workers are forks of the pool's process, so code addresses are the same
// there: a stateless callable (a function pointer, a captureless lambda, an empty
// function object) is copied byte-wise, and the runner — a function
// template instantiated for exactly these types — rebuilds it and decodes the
// arguments with the ipc codec.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstring>
#include <functional>
#include <iterator>
#include <ranges>
#include <span>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "ipc/codec.hpp"
#include "pool/internal/wire.hpp"

namespace mp::pool::internal {

// A callable can travel to a worker when it holds no state: a function pointer, or
// an empty class (a captureless lambda, an empty function object). Workers are
// copies of this process made when the pool was constructed, so a captured
// reference or pointer would read memory as it was then: a stale answer, silently.
// C++ cannot tell a closure capturing `int&` from one capturing `int` (both are a
// few trivially copyable bytes), so every capture is refused, and values go as
// arguments, which travel through the ipc codec.
template <class F>
inline constexpr bool kTravels = (std::is_pointer_v<F> && std::is_function_v<std::remove_pointer_t<F>>) ||
                                 (std::is_class_v<F> && std::is_empty_v<F> && std::is_trivially_copyable_v<F>);

template <class F>
constexpr void require_travelling_callable() {
    static_assert(kTravels<F>,
                  "mp::pool: a task's callable must be stateless: a function, a captureless lambda or an empty "
                  "function object. Workers are copies of this process made when the pool was constructed, so a "
                  "capture would read memory as it was then. Pass values as arguments instead: "
                  "pool.apply(f, x), pool.starmap(f, tuples), executor.submit(f, x).");
}

// Task messages: TaskHeader room, the callable's bytes, then the codec payload.
template <class F>
Bytes start_message(const F& f) {
    Bytes message(TaskHeader::kSize + sizeof(F));
    std::memcpy(message.data() + TaskHeader::kSize, &f, sizeof(F));
    return message;
}

// A trivially copyable value from its bytes, wherever they lie (unaligned).
template <class T>
T load_bytes(const std::byte* at) {
    std::array<std::byte, sizeof(T)> bytes;
    std::memcpy(bytes.data(), at, sizeof(T));
    return std::bit_cast<T>(bytes);
}

template <class F>
F load_callable(std::span<const std::byte> payload) {
    return load_bytes<F>(payload.data());
}

// The encoding of std::vector<T> written straight from a slice of any range.
template <class T, class Iterator>
void encode_items(Bytes& out, Iterator first, std::size_t count) {
    ipc::Encoder encoder(out);
    encoder.write_count(count);
    if constexpr (std::contiguous_iterator<Iterator> && ipc::Codec<T>::bitwise) {
        encoder.write_raw(std::to_address(first), count * sizeof(T));
    } else {
        for (std::size_t i = 0; i < count; ++i, ++first) encoder.write(static_cast<const T&>(*first));
    }
}

// Runner for one call: f(args...).
template <class F, class R, class... Args>
void run_call(std::span<const std::byte> payload, std::span<ipc::Fd> fds, Bytes& out) {
    F f = load_callable<F>(payload);
    ipc::Decoder in(payload.subspan(sizeof(F)), fds);
    auto args = in.read<std::tuple<Args...>>();
    in.finish();
    if constexpr (std::is_void_v<R>) {
        std::apply(f, std::move(args));
    } else {
        ipc::encode_into(out, static_cast<R>(std::apply(f, std::move(args))));
    }
}

// Items and results the codec copies byte-wise (numbers, trivially copyable
// structs): a map chunk is then read where it lies in the task message and its
// results are written straight into the result message, with no vector between.
template <class T, class R>
inline constexpr bool kBitwiseChunk = ipc::Codec<T>::bitwise && ipc::Codec<R>::bitwise;

// One item's call: f(item), or std::apply(f, item) for starmap; a function that
// returns void gives std::monostate (R).
template <class R, bool kStar, class F, class T>
R call_item(F& f, T& item) {
    auto call = [&]() -> decltype(auto) {
        if constexpr (kStar) {
            return std::apply(f, item);
        } else {
            return f(item);
        }
    };
    if constexpr (std::is_same_v<R, std::monostate>) {
        call();
        return {};
    } else {
        return call();
    }
}

// Runner for a chunk of map (f(item)) or starmap (std::apply(f, item)). The result
// is the encoding of std::vector<R>.
template <class F, class R, class T, bool kStar>
void run_chunk(std::span<const std::byte> payload, std::span<ipc::Fd>, Bytes& out) {
    F f = load_callable<F>(payload);
    if constexpr (!kStar && kBitwiseChunk<T, R>) {
        ipc::Decoder in(payload.subspan(sizeof(F)));
        const std::size_t count = in.read_count(sizeof(T));
        const std::byte* items = in.take(count * sizeof(T)).data();
        in.finish();
        ipc::Encoder(out).write_count(count);
        const std::size_t at = out.size();
        out.resize(at + count * sizeof(R));
        for (std::size_t i = 0; i < count; ++i) {
            T item = load_bytes<T>(items + i * sizeof(T));
            const R result = call_item<R, false>(f, item);
            std::memcpy(out.data() + at + i * sizeof(R), &result, sizeof(R));
        }
        return;
    }
    auto items = ipc::decode<std::vector<T>>(payload.subspan(sizeof(F)));
    std::vector<R> results;
    results.reserve(items.size());
    for (T& item : items) results.push_back(call_item<R, kStar>(f, item));
    ipc::encode_into(out, results);
}

// Decodes a chunk's results (the encoding of std::vector<R> holding `count` of
// them) into the `count` places from `out` on. Throws ipc::DecodeError when they
// do not decode or are not `count`.
template <class R, class Out>
void decode_chunk_into(std::span<const std::byte> encoded, Out out, std::size_t count) {
    ipc::Decoder in(encoded);
    if constexpr (ipc::Codec<R>::bitwise && std::contiguous_iterator<Out>) {
        if (in.read_count(sizeof(R)) != count) throw ipc::DecodeError("pool: a chunk came back with another number of results");
        in.read_raw(std::to_address(out), count * sizeof(R));
    } else {
        std::vector<R> values;
        in.read(values);
        if (values.size() != count) throw ipc::DecodeError("pool: a chunk came back with another number of results");
        std::move(values.begin(), values.end(), out);
    }
    in.finish();
}

// CPython's default chunksize for map: the items split into about four chunks per
// worker, rounded up.
inline std::size_t default_chunksize(std::size_t items, std::size_t workers) {
    const std::size_t per = workers * 4;
    return items / per + (items % per != 0 ? 1 : 0);
}

}  // namespace mp::pool::internal

// The body of the cli_numbers fuzz target, shared by the libFuzzer entry point
// (cli_numbers.cpp) and by the suite that replays its corpus in `make test`
// (tests/fuzz_replay_test.cpp).
//
// The property: any text given to the demos' number and duration parsers
// (bin/cli/cli.hpp) is a value inside the documented domain or empty; never a
// crash, undefined behaviour or a value out of range.
#pragma once

#include <chrono>
#include <cmath>
#include <cstdint>
#include <string_view>

#include "bin/cli/cli.hpp"

namespace mp::cli::fuzz {

inline void numbers(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return;
    // First byte picks the range of parse_int; the rest is the text.
    const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
    static constexpr std::int64_t kBounds[][2] = {
        {0, 0}, {1, 64}, {-1, 1}, {0, INT32_MAX}, {INT64_MIN, INT64_MAX}, {-1000, -10}, {1, 1}, {5, 4}};
    const auto& bound = kBounds[data[0] % std::size(kBounds)];
    if (const auto n = parse_int(text, bound[0], bound[1]); n && (*n < bound[0] || *n > bound[1]))
        __builtin_trap();
    if (const auto d = parse_duration(text); d && d->count() < 0) __builtin_trap();
    if (const auto x = parse_double(text); x && !std::isfinite(*x)) __builtin_trap();
}

}  // namespace mp::cli::fuzz

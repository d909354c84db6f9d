// Shared command-line plumbing for the tools: strict number and duration parsing
// (a bad value is an error, never a silent 0) and uniform error messages. The rest
// of the frame: main.hpp (run_main, UsageError), args.hpp (the argument cursor),
// children.hpp (signal forwarding to children), shell.hpp (shell quoting).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace mp::cli {

// A duration as coreutils `timeout` reads one: a non-negative decimal number with an
// optional unit s (default), m, h or d, plus ms for convenience: "0.5", "2s", "1m".
// Empty for anything else (negative, NaN, trailing junk, overflow).
std::optional<std::chrono::nanoseconds> parse_duration(std::string_view text);

// A whole decimal number in [min, max], with an optional leading '-' or '+'.
// Empty for anything else (blank, junk, out of range).
std::optional<std::int64_t> parse_int(std::string_view text, std::int64_t min, std::int64_t max);

// A file mode as chmod(1) reads an octal one: 3 or 4 octal digits ("660",
// "0600"). Empty for anything else. Which modes make sense is the library's call.
std::optional<unsigned> parse_mode(std::string_view text);

// A real number (finite); empty for anything else.
std::optional<double> parse_double(std::string_view text);

// Prints "<program>: <message>" on stderr. A message that already starts with
// "<program>: " (mp's libraries prefix theirs with the library's name, which is
// the tool's) is printed once, not as "shm: shm: ...".
void print_error(std::string_view program, std::string_view message);

// `message` without a leading "<program>: ", for messages quoted inside others.
std::string_view without_program(std::string_view message, std::string_view program);

}  // namespace mp::cli

// Shared command-line plumbing for the demos: strict number and duration parsing
// (a bad value is an error, never a silent 0) and uniform error messages.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mp::cli {

// A duration as coreutils `timeout` reads one: a non-negative decimal number with an
// optional unit s (default), m, h or d, plus ms for convenience: "0.5", "2s", "1m".
// Empty for anything else (negative, NaN, trailing junk, overflow).
std::optional<std::chrono::nanoseconds> parse_duration(std::string_view text);

// A whole decimal number in [min, max], with an optional leading '-' or '+'.
// Empty for anything else (blank, junk, out of range).
std::optional<std::int64_t> parse_int(std::string_view text, std::int64_t min, std::int64_t max);

// A real number (finite); empty for anything else.
std::optional<double> parse_double(std::string_view text);

// What a demo's command-line parser returns for a command line it refuses: the
// message for "<program>: <message>" (empty: show the usage text). The parsers
// are pure (argv in, options or this out; no output, no exit), so each is fuzzed.
struct UsageError {
    std::string message;
};

// Prints "<program>: <message>" on stderr.
void print_error(std::string_view program, std::string_view message);

// Reports a refused command line on stderr: "<program>: <message>", or `usage`
// when the error has no message. Returns `exit_code`.
int report(std::string_view program, const UsageError& error, std::string_view usage, int exit_code);

// The first call of every tool's main: SIGCHLD back at its default. A disposition
// of SIG_IGN survives exec, so a tool started by a parent that ignored SIGCHLD
// (`trap "" CHLD`) would have the kernel reap its children and lose their exit
// statuses: a failing job would report success. (coreutils timeout does the same.)
void reset_inherited_signals();

}  // namespace mp::cli

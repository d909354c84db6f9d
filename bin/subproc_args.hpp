// bin/subproc's command line, parsed without side effects (fuzzed by
// tests/fuzz/demo_args.cpp).
#pragma once

#include <signal.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "bin/cli/cli.hpp"
#include "subproc/options.hpp"

namespace mp::subproc::cli {

struct Help {};
struct Tour {};
// run [OPTIONS] [--] CMD [ARG...]
struct RunArgs {
    std::chrono::nanoseconds timeout{0};
    int signal = SIGTERM;
    std::chrono::nanoseconds kill_after{0};
    bool preserve_status = false;
    bool capture = false;
    bool json = false;
    std::optional<std::string> cwd;
    Environment env;
    std::vector<std::string> command;
};
// pipe [--pipefail] 'CMD1 ARGS' 'CMD2 ARGS' ...
struct PipeArgs {
    bool pipefail = false;
    std::vector<std::vector<std::string>> stages;
};
using Command = std::variant<Help, Tour, RunArgs, PipeArgs, mp::cli::UsageError>;

// The arguments after the program name. A refused `run` command line exits 125
// (coreutils timeout's code), any other 2.
Command parse_args(const std::vector<std::string>& args);

// Splits a command line into words as a shell would, but without expansions:
// whitespace separates words; '...' is literal; "..." allows \" \\ \$ \` escapes;
// a backslash outside quotes escapes the next character. Empty (with `error` set)
// for an unterminated quote or a trailing backslash.
std::optional<std::vector<std::string>> split_words(std::string_view line, std::string& error);

// "TERM", "SIGTERM" or "15" -> 15; empty for anything else.
std::optional<int> parse_signal(std::string_view text);

}  // namespace mp::subproc::cli

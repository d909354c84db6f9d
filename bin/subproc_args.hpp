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
#include "bin/cli/main.hpp"
#include "subproc/options.hpp"

namespace mp::tools::subproc {

using cli::Help;
struct Tour {};
// run --version (coreutils timeout has it).
struct Version {};
// run [OPTIONS] [--] [DURATION] CMD [ARG...] (DURATION unless --timeout was given)
struct RunArgs {
    std::chrono::nanoseconds timeout{0};
    int signal = SIGTERM;  // 0: only check, as coreutils timeout's -s 0
    bool verbose = false;
    bool foreground = false;
    std::chrono::nanoseconds kill_after{0};
    bool preserve_status = false;
    bool capture = false;
    bool json = false;
    std::optional<std::string> cwd;
    mp::subproc::Environment env;
    std::vector<std::string> command;
};
// pipe [--pipefail] 'CMD1 ARGS' 'CMD2 ARGS' ... (stages split by cli::split_words)
struct PipeArgs {
    bool pipefail = false;
    std::vector<std::vector<std::string>> stages;
};
using Command = std::variant<Help, Tour, Version, RunArgs, PipeArgs, cli::UsageError>;

// The arguments after the program name. A refused `run` command line exits 125
// (coreutils timeout's code), any other 2.
Command parse_args(const std::vector<std::string>& args);

// "TERM", "SIGTERM" or "15" -> 15, "0" or "EXIT" -> 0 (coreutils' name for the
// null signal); empty for anything else.
std::optional<int> parse_signal(std::string_view text);
// parse_signal, or UsageError("'<text>': invalid signal").
int signal_of(const std::string& text);

}  // namespace mp::tools::subproc

// bin/threadpool's command line, parsed without side effects (fuzzed by
// tests/fuzz/demo_args.cpp).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "bin/cli/cli.hpp"
#include "bin/cli/main.hpp"

namespace mp::tools::threadpool {

using cli::Help;
struct Tour {};
// wc [-j N] [FILE...]
struct WcOptions {
    std::optional<std::size_t> threads;  // -j N; empty: the pool's default
    std::vector<std::string> names;      // empty: read the names from stdin
};
// echo-server --port N
struct EchoOptions {
    unsigned short port = 0;  // 0: any free port (printed)
};
using Command = std::variant<Help, Tour, WcOptions, EchoOptions, cli::UsageError>;

// The arguments after the program name.
Command parse_args(const std::vector<std::string>& args);

}  // namespace mp::tools::threadpool

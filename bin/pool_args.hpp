// bin/pool's command line, parsed without side effects (fuzzed by
// tests/fuzz/demo_args.cpp).
#pragma once

#include <string>
#include <variant>
#include <vector>

#include "bin/cli/cli.hpp"
#include "bin/cli/main.hpp"
#include "bin/pool_commands.hpp"

namespace mp::tools::pool {

using cli::Help;
struct Tour {};
using Command = std::variant<Help, Tour, RunnerOptions, cli::UsageError>;

// The arguments after the program name on a machine of `cores` cores (-j's value
// when absent, and the base of -j +N, -N and N%).
Command parse_args(const std::vector<std::string>& args, int cores);

}  // namespace mp::tools::pool

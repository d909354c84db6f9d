// bin/ipc's command line, parsed without side effects (fuzzed by
// tests/fuzz/demo_args.cpp).
#pragma once

#include <string>
#include <variant>
#include <vector>

#include "bin/cli/cli.hpp"
#include "bin/cli/main.hpp"
#include "bin/ipc_commands.hpp"

namespace mp::tools::ipc {

using cli::Help;
struct Tour {};
using Command = std::variant<Help, Tour, BenchOptions, cli::UsageError>;

// The arguments after the program name.
Command parse_args(const std::vector<std::string>& args);

}  // namespace mp::tools::ipc

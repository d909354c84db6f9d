// bin/ipc's command line, parsed without side effects (fuzzed by
// tests/fuzz/demo_args.cpp).
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "bin/cli/cli.hpp"
#include "bin/cli/main.hpp"
#include "bin/ipc_commands.hpp"

namespace mp::tools::ipc {

using cli::Help;
struct Tour {};
using Command = std::variant<Help, Tour, BenchOptions, ManagerAddress, DictOptions, cli::UsageError>;

// The key file of a Manager: the one given, else PATH.authkey next to a socket
// path. nullopt for HOST:PORT without one (it must be given).
std::optional<std::string> authkey_file_for(const ManagerAddress& manager);

// The arguments after the program name.
Command parse_args(const std::vector<std::string>& args);

}  // namespace mp::tools::ipc

// bin/sync's command line, parsed without side effects (fuzzed by
// tests/fuzz/demo_args.cpp). Names are checked when used, by the library.
#pragma once

#include <string>
#include <variant>
#include <vector>

#include "bin/cli/cli.hpp"
#include "bin/cli/main.hpp"
#include "bin/sync_commands.hpp"

namespace mp::tools::sync {

using cli::Help;
struct Tour {};
struct List {};
struct LockRun {  // lock NAME [-n | -w SEC] [-E CODE] [--] CMD [ARG...]
    RunOptions options;
};
struct SemaphoreRun {  // sem NAME -j N [-n | -w SEC] [-E CODE] [--] CMD [ARG...]
    RunOptions options;
    unsigned slots = 0;
};
struct EventAction {  // event NAME set|clear|wait [-n | -w SEC]
    std::string name;
    std::string action;
    Wait wait;
    mp::sync::Access access;
};
struct BarrierWait {  // barrier NAME -n PARTIES [-w SEC]
    std::string name;
    unsigned parties = 0;
    Wait wait;
    mp::sync::Access access;
};
struct Remove {  // rm NAME...
    std::vector<std::string> names;
};
using Command =
    std::variant<Help, Tour, List, LockRun, SemaphoreRun, EventAction, BarrierWait, Remove, cli::UsageError>;

// The arguments after the program name.
Command parse_args(const std::vector<std::string>& args);

}  // namespace mp::tools::sync

// The subcommands of bin/sync, one file each: lock and sem (sync_run.cpp, which
// they share), event, barrier, ls, rm and tour (sync_<name>.cpp); bin/sync.cpp
// parses the command line and dispatches. Each returns the process exit code.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "sync/access.hpp"

namespace mp::tools::sync {

inline constexpr const char* kProgram = "sync";
inline constexpr int kExitBusy = 75;   // EX_TEMPFAIL: busy, timed out, broken barrier
inline constexpr int kExitUsage = 2;
inline constexpr int kExitError = 1;   // our own failure (not CMD's)

// How long to wait for the lock, slot, event or barrier.
struct Wait {
    bool nonblock = false;                               // -n: not at all
    std::optional<std::chrono::nanoseconds> timeout;     // -w SEC; empty: forever
};

struct RunOptions {
    std::string name;
    Wait wait;
    int busy_code = kExitBusy;  // -E CODE
    mp::sync::Access access;    // --mode, --allow-other-owner
    std::vector<std::string> command;
};

// `lock NAME ... -- CMD`: runs CMD while this process holds Lock NAME.
int run_under_lock(const RunOptions& options);
// `sem NAME -j N ... -- CMD`: runs CMD holding one of N slots of Semaphore NAME.
int run_under_semaphore(const RunOptions& options, unsigned slots);

int event_command(const std::string& name, const std::string& action, const Wait& wait,
                  const mp::sync::Access& access);
int barrier_command(const std::string& name, unsigned parties, const Wait& wait, const mp::sync::Access& access);
int list_command();
int remove_command(const std::vector<std::string>& names);
int tour_command();

}  // namespace mp::tools::sync

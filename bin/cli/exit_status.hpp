// A child's end as a shell reports it, for the tools that run commands and exit
// with their status (flock(1), timeout(1) and GNU parallel do the same).
#pragma once

#include "subproc/errors.hpp"

namespace mp::cli {

// A Popen return code as a shell's $?: the code itself, or 128+N for signal N.
inline int shell_status(int returncode) { return returncode >= 0 ? returncode : 128 - returncode; }

// A command that could not be started: 127 when the program is not found, 126 when
// it cannot be run, `setup_failed` when a step before exec failed (chdir, dup2...).
inline int spawn_failure_status(const mp::subproc::SpawnError& error, int setup_failed) {
    if (error.step() != "exec") return setup_failed;
    return error.code().value() == ENOENT ? 127 : 126;
}

}  // namespace mp::cli

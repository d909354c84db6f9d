// The subcommands of bin/subproc, one file each: run (subproc_run.cpp), pipe
// (subproc_pipe.cpp), tour (subproc_tour.cpp); main and --help in subproc.cpp, the
// command line in subproc_args.cpp.
#pragma once

#include <sys/types.h>

#include <vector>

#include "bin/subproc_args.hpp"

namespace mp::subproc::cli {

inline constexpr const char* kProgram = "subproc";

// Each runs its parsed command line (bin/subproc_args.hpp) and returns the exit code.
int run_command(const RunArgs& run);
int pipe_command(const PipeArgs& pipe);
int tour_command();

// The shell's view of a return code: the exit status, or 128+N for signal N.
int shell_status(int returncode);

// Forwards SIGINT, SIGTERM, SIGHUP and SIGQUIT received by this process to each
// of `targets` (kill() targets: pid, or -pgid for a group; empty: nowhere).
// block_forwarded_signals() before spawning holds those signals until the targets
// are known, so none is lost or kills us first. With kill_then_die the targets get
// SIGKILL and this process then dies of the signal it received (for the tour).
enum class Forward { signal, kill_then_die };
void block_forwarded_signals();
void forward_signals_to(const std::vector<pid_t>& targets, Forward mode = Forward::signal);

}  // namespace mp::subproc::cli

// The subcommands of bin/subproc, one file each: run (subproc_run.cpp), pipe
// (subproc_pipe.cpp), tour (subproc_tour.cpp); main and --help in subproc.cpp, the
// command line in subproc_args.cpp.
#pragma once

#include "bin/subproc_args.hpp"

namespace mp::tools::subproc {

inline constexpr const char* kProgram = "subproc";

// Each runs its parsed command line (bin/subproc_args.hpp) and returns the exit code.
int run_command(const RunArgs& run);
int pipe_command(const PipeArgs& pipe);
int tour_command();

}  // namespace mp::tools::subproc

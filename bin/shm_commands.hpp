// The subcommands of bin/shm: the segment commands in shm.cpp, the tour in
// shm_tour.cpp.
#pragma once

namespace mp::tools::shm {

// `shm tour`: Python's multiprocessing.Value / Array examples, replayed with real
// processes and real output, on stdout; returns the exit status (0, or 1 if a
// child failed).
int tour_command();

}  // namespace mp::tools::shm

// `shm tour`: Python's multiprocessing.Value / Array examples, replayed with real
// processes and real output.
#pragma once

namespace mp::shm_demo {

// Runs the tour on stdout; returns the exit status (0, or 1 if a child failed).
int tour();

}  // namespace mp::shm_demo

// Raw syscall loops that more than one benchmark measures against.
#pragma once

#include <cstddef>

namespace mp::bench {

// posix_spawn + waitpid of /bin/true, `n` times: the limit of spawning a command.
// Exits the benchmark with a message when posix_spawn fails.
void raw_spawn_true(std::size_t n);

}  // namespace mp::bench

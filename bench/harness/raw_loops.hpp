// Raw syscall loops that more than one benchmark measures against, and the reads
// and writes of whole messages they are made of.
#pragma once

#include <cstddef>

namespace mp::bench {

// posix_spawn + waitpid of /bin/true, `n` times: the limit of spawning a command.
// Exits the benchmark with a message when posix_spawn fails.
void raw_spawn_true(std::size_t n);

// Reads the next `size` bytes into `data`: false when the stream ends before the
// first of them (the peer closed its end, as a raw worker's parent does when the
// loop is over). Exits the benchmark with a message on an error or an end mid-way.
[[nodiscard]] bool read_next(int fd, void* data, std::size_t size);
// As read_next, where the stream must not end: exits then too.
void read_exactly(int fd, void* data, std::size_t size);
// Writes all `size` bytes; exits the benchmark with a message when that fails.
void write_exactly(int fd, const void* data, std::size_t size);

}  // namespace mp::bench

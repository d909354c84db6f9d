// When bin/pool may start its next job: GNU parallel's --delay, --load and
// --memfree, checked by each job slot before it starts a job; and (--memfree) when
// memory has become so short that the youngest running job must give way.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>

namespace mp::tools::pool {

struct PacingOptions {
    std::chrono::nanoseconds delay{};  // --delay: between two job starts
    std::optional<double> max_load{};  // --load: runnable processes on the machine, at most
    std::optional<std::uint64_t> memfree{};  // --memfree: bytes of memory available, at least
};

class Pacing {
public:
    explicit Pacing(const PacingOptions& options) : options_(options) {}

    // Waits until a job may start (checking `stopped` at least every 50 ms) and
    // counts the start for --delay. False when `stopped()` turned true first.
    bool wait_turn(const std::function<bool()>& stopped);

    // --memfree SIZE: whether less than SIZE/2 is available now, GNU parallel's
    // threshold for killing the youngest running job; false without --memfree.
    bool memory_short() const;

private:
    bool machine_has_room() const;

    const PacingOptions options_;
    std::mutex mutex_;  // one slot at a time takes its turn: --delay spaces every start
    std::optional<std::chrono::steady_clock::time_point> last_start_;
};

// The machine's runnable processes now (/proc/loadavg's fourth field, before the
// '/'), and its available memory in bytes (/proc/meminfo's MemAvailable); nullopt
// when the kernel does not say. For tests only: $MP_POOL_MEMINFO names a file read
// instead of /proc/meminfo, so that a test can make memory short without using it.
std::optional<double> runnable_processes();
std::optional<std::uint64_t> available_memory();

}  // namespace mp::tools::pool

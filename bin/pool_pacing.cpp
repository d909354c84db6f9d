#include "bin/pool_pacing.hpp"

#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>

namespace mp::tools::pool {

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr auto kStep = 50ms;  // how often a waiting slot looks at the machine and at a stop

}  // namespace

std::optional<double> runnable_processes() {
    std::ifstream loadavg("/proc/loadavg");
    double one, five, fifteen;
    long runnable = 0;
    if (!(loadavg >> one >> five >> fifteen >> runnable)) return std::nullopt;
    // The count includes this process's thread that reads it.
    return static_cast<double>(std::max(0L, runnable - 1));
}

std::optional<std::uint64_t> available_memory() {
    const char* fake = std::getenv("MP_POOL_MEMINFO");
    std::ifstream meminfo(fake != nullptr ? fake : "/proc/meminfo");
    std::string key;
    std::uint64_t kib = 0;
    std::string unit;
    while (meminfo >> key >> kib >> unit)
        if (key == "MemAvailable:") return kib * 1024;
    return std::nullopt;
}

bool Pacing::machine_has_room() const {
    if (options_.max_load) {
        const auto running = runnable_processes();
        if (running && *running >= *options_.max_load) return false;
    }
    if (options_.memfree) {
        const auto free = available_memory();
        if (free && *free < *options_.memfree) return false;
    }
    return true;
}

bool Pacing::memory_short() const {
    if (!options_.memfree) return false;
    const auto free = available_memory();
    return free && *free < *options_.memfree / 2;
}

bool Pacing::wait_turn(const std::function<bool()>& stopped) {
    if (options_.delay == 0ns && !options_.max_load && !options_.memfree) return !stopped();
    std::lock_guard turn(mutex_);
    for (;;) {
        if (stopped()) return false;
        const auto now = Clock::now();
        const bool delayed = last_start_ && now < *last_start_ + options_.delay;
        if (!delayed && machine_has_room()) {
            last_start_ = now;
            return true;
        }
        const auto until_delay = delayed ? *last_start_ + options_.delay - now : Clock::duration(kStep);
        std::this_thread::sleep_for(std::min<Clock::duration>(until_delay, kStep));
    }
}

}  // namespace mp::tools::pool

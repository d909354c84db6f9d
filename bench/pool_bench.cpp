// Process creation: the cost of one fork + _exit + waitpid round trip.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

#include "bench/harness/harness.hpp"

namespace {

void raw_fork_round_trips(std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
        const pid_t pid = fork();
        if (pid == 0) _exit(0);
        int status = 0;
        waitpid(pid, &status, 0);
    }
}

}  // namespace

int main() {
    using namespace mp::bench;
    constexpr std::size_t kForks = 500;
    Table table("pool: process start");
    table.add({.scenario = "fork + _exit + waitpid",
               .ours = std::nullopt,
               .raw = measure(kForks, [] { raw_fork_round_trips(kForks); }),
               .cpython = cpython("pool_bench.py", "fork", kForks),
               .note = "ours: mp::pool::Process (not built yet)"});
    table.print();
}

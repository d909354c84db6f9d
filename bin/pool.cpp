// bin/pool: a parallel job runner for shell pipelines (GNU parallel's core), and the
// tour of mp::pool.
#include <cstdio>
#include <variant>

#include "bin/cli/main.hpp"
#include "bin/pool_args.hpp"
#include "bin/pool_commands.hpp"
#include "pool/pool.hpp"

namespace {

constexpr const char* kUsage =
    "usage: pool [-j N] [-k] [-0] [--timeout SEC] [--retries N] [--halt soon|now]\n"
    "            [--joblog [+]FILE] [--bar] [--] CMD [ARG...]\n"
    "       pool tour\n";

constexpr const char* kHelp =
    "Runs CMD once for each line of stdin, several at a time (GNU parallel's core).\n"
    "\n"
    "Each input line (NUL-terminated item with -0) is one argument: never split on\n"
    "blanks, never seen by a shell. \"{}\" in CMD or its arguments is replaced by the\n"
    "item; without \"{}\" the item is appended. CMD runs without a shell (write\n"
    "sh -c '...' for one). The first word that is not an option starts CMD.\n"
    "Each job's stdout and stderr are written whole when it ends: lines of different\n"
    "jobs never interleave.\n"
    "\n"
    "  -j, --jobs N        run N jobs at once (default: the number of cores)\n"
    "  -k, --keep-order    print outputs in input order\n"
    "  -0, --null          items are NUL-terminated\n"
    "  --timeout SEC       kill a job's process group after SEC (TERM, then KILL 1s later)\n"
    "  --retries N         rerun a failing job up to N more times (0: none)\n"
    "  --halt soon|now     after the first failure start no new job (soon), and also\n"
    "                      kill the running ones (now); exit with the job's status\n"
    "  --joblog [+]FILE    GNU parallel's tab-separated job log (+FILE appends)\n"
    "  --bar               progress on stderr\n"
    "  -h, --help          this text\n"
    "\n"
    "  pool tour           replays Python's multiprocessing examples with mp::pool\n"
    "\n"
    "Exit status: 0 all jobs succeeded; 1-100 that many failed; 101 more than 100\n"
    "failed; the failing job's status with --halt; 130/143 on SIGINT/SIGTERM (every\n"
    "job's process group is killed first); 255 usage error.\n";

// GNU parallel's code for a usage error and for its own failures.
constexpr int kUsageError = 255;

}  // namespace

int main(int argc, char** argv) {
    using namespace mp::tools::pool;
    return mp::cli::run_parsed(
        argc, argv,
        {.name = kProgram, .usage = kUsage, .help = kHelp, .usage_exit = kUsageError, .error_exit = kUsageError,
         .usage_after_message = true},
        [](const std::vector<std::string>& args) { return parse_args(args, mp::pool::cpu_count()); },
        [](const Command& command) {
            if (std::holds_alternative<Tour>(command)) return tour_command();
            return run_command(std::get<RunnerOptions>(command));
        });
}

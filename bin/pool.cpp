// bin/pool: a parallel job runner for shell pipelines (GNU parallel's core), and the
// tour of mp::pool.
#include <cstdio>
#include <string>
#include <system_error>
#include <variant>

#include "bin/cli/cli.hpp"
#include "bin/pool_args.hpp"
#include "bin/pool_runner.hpp"
#include "pool/pool.hpp"

namespace mp::pool_cli {
int run_tour();
}

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

constexpr int kUsageError = 255;

int usage_error(const std::string& message) {
    mp::cli::print_error("pool", message);
    std::fputs(kUsage, stderr);
    return kUsageError;
}

}  // namespace

int main(int argc, char** argv) {
    mp::cli::reset_inherited_signals();
    using namespace mp::pool_cli;
    const Command command = parse_args({argv + 1, argv + argc}, mp::pool::cpu_count());
    if (std::holds_alternative<Tour>(command)) return run_tour();
    if (std::holds_alternative<Help>(command)) {
        std::fputs(kUsage, stdout);
        std::fputs("\n", stdout);
        std::fputs(kHelp, stdout);
        return 0;
    }
    if (const auto* error = std::get_if<mp::cli::UsageError>(&command)) return usage_error(error->message);
    try {
        return run_jobs(std::get<RunnerOptions>(command));
    } catch (const std::exception& error) {
        mp::cli::print_error("pool", error.what());
        return kUsageError;
    }
}

// bin/pool: a parallel job runner for shell pipelines (GNU parallel's core), and the
// tour of mp::pool.
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <system_error>

#include "bin/cli/cli.hpp"
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
    using mp::pool_cli::Halt;
    if (argc == 2 && std::strcmp(argv[1], "tour") == 0) return mp::pool_cli::run_tour();

    mp::pool_cli::RunnerOptions options;
    options.jobs = mp::pool::cpu_count();
    int i = 1;
    // An option's value: "-j4", "-j 4", "--jobs=4" or "--jobs 4".
    const auto value_of = [&](std::string_view arg, std::string_view name, std::string& value) {
        if (arg == name) {
            if (i + 1 >= argc) return false;
            value = argv[++i];
            return true;
        }
        if (arg.starts_with(name) && (name.size() == 2 || arg[name.size()] == '=')) {
            value = std::string(arg.substr(name.size() + (name.size() == 2 ? 0 : 1)));
            return true;
        }
        return false;
    };
    for (; i < argc; ++i) {
        const std::string_view arg = argv[i];
        std::string value;
        if (arg == "--") {
            ++i;
            break;
        }
        if (arg.empty() || arg[0] != '-' || arg == "-") break;  // CMD starts here
        if (arg == "-h" || arg == "--help") {
            std::fputs(kUsage, stdout);
            std::fputs("\n", stdout);
            std::fputs(kHelp, stdout);
            return 0;
        }
        if (arg == "-k" || arg == "--keep-order") {
            options.keep_order = true;
        } else if (arg == "-0" || arg == "--null") {
            options.null_separated = true;
        } else if (arg == "--bar") {
            options.bar = true;
        } else if (value_of(arg, "-j", value) || value_of(arg, "--jobs", value)) {
            const auto jobs = mp::cli::parse_int(value, 1, 4096);
            if (!jobs) return usage_error("-j: not a number of jobs from 1 to 4096: '" + value + "'");
            options.jobs = static_cast<int>(*jobs);
        } else if (value_of(arg, "--timeout", value)) {
            const auto timeout = mp::cli::parse_duration(value);
            if (!timeout || timeout->count() == 0) return usage_error("--timeout: not a positive duration: '" + value + "'");
            options.timeout = *timeout;
        } else if (value_of(arg, "--retries", value)) {
            const auto retries = mp::cli::parse_int(value, 0, 1000000);
            if (!retries) return usage_error("--retries: not a count: '" + value + "'");
            options.retries = static_cast<int>(*retries);
        } else if (value_of(arg, "--halt", value)) {
            if (value == "soon" || value == "soon,fail=1") {
                options.halt = Halt::soon;
            } else if (value == "now" || value == "now,fail=1") {
                options.halt = Halt::now;
            } else {
                return usage_error("--halt: expected soon or now, not '" + value + "'");
            }
        } else if (value_of(arg, "--joblog", value)) {
            options.joblog_append = value.starts_with('+');
            options.joblog = options.joblog_append ? value.substr(1) : value;
            if (options.joblog.empty()) return usage_error("--joblog: no file name");
        } else {
            return usage_error("unknown option '" + std::string(arg) + "'");
        }
    }
    if (i >= argc) return usage_error("no command to run");
    options.command.assign(argv + i, argv + argc);
    try {
        return mp::pool_cli::run_jobs(options);
    } catch (const std::exception& error) {
        mp::cli::print_error("pool", error.what());
        return kUsageError;
    }
}

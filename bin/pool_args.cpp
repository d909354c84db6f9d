#include "bin/pool_args.hpp"

#include <string_view>

namespace mp::tools::pool {

Command parse_args(const std::vector<std::string>& args, int default_jobs) {
    if (args.size() == 1 && args[0] == "tour") return Tour{};
    RunnerOptions options;
    options.jobs = default_jobs;
    std::size_t i = 0;
    // An option's value: "-j4", "-j 4", "--jobs=4" or "--jobs 4".
    const auto value_of = [&](std::string_view arg, std::string_view name, std::string& value) {
        if (arg == name) {
            if (i + 1 >= args.size()) return false;
            value = args[++i];
            return true;
        }
        if (arg.starts_with(name) && (name.size() == 2 || arg[name.size()] == '=')) {
            value = std::string(arg.substr(name.size() + (name.size() == 2 ? 0 : 1)));
            return true;
        }
        return false;
    };
    for (; i < args.size(); ++i) {
        const std::string_view arg = args[i];
        std::string value;
        if (arg == "--") {
            ++i;
            break;
        }
        if (arg.empty() || arg[0] != '-' || arg == "-") break;  // CMD starts here
        if (arg == "-h" || arg == "--help") return Help{};
        if (arg == "-k" || arg == "--keep-order") {
            options.keep_order = true;
        } else if (arg == "-0" || arg == "--null") {
            options.null_separated = true;
        } else if (arg == "--bar") {
            options.bar = true;
        } else if (value_of(arg, "-j", value) || value_of(arg, "--jobs", value)) {
            const auto jobs = cli::parse_int(value, 1, 4096);
            if (!jobs) return cli::UsageError{"-j: not a number of jobs from 1 to 4096: '" + value + "'"};
            options.jobs = static_cast<int>(*jobs);
        } else if (value_of(arg, "--timeout", value)) {
            const auto timeout = cli::parse_duration(value);
            if (!timeout || timeout->count() == 0)
                return cli::UsageError{"--timeout: not a positive duration: '" + value + "'"};
            options.timeout = *timeout;
        } else if (value_of(arg, "--retries", value)) {
            const auto retries = cli::parse_int(value, 0, 1000000);
            if (!retries) return cli::UsageError{"--retries: not a count: '" + value + "'"};
            options.retries = static_cast<int>(*retries);
        } else if (value_of(arg, "--halt", value)) {
            if (value == "soon" || value == "soon,fail=1") {
                options.halt = Halt::soon;
            } else if (value == "now" || value == "now,fail=1") {
                options.halt = Halt::now;
            } else {
                return cli::UsageError{"--halt: expected soon or now, not '" + value + "'"};
            }
        } else if (value_of(arg, "--joblog", value)) {
            options.joblog_append = value.starts_with('+');
            options.joblog = options.joblog_append ? value.substr(1) : value;
            if (options.joblog.empty()) return cli::UsageError{"--joblog: no file name"};
        } else {
            return cli::UsageError{"unknown option '" + std::string(arg) + "'"};
        }
    }
    if (i >= args.size()) return cli::UsageError{"no command to run"};
    options.command.assign(args.begin() + static_cast<std::ptrdiff_t>(i), args.end());
    return options;
}

}  // namespace mp::tools::pool

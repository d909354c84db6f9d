#include "bin/pool_args.hpp"

#include "bin/cli/args.hpp"

namespace mp::tools::pool {

namespace {

Command parse_run(cli::Args& args, int default_jobs) {
    RunnerOptions options;
    options.jobs = default_jobs;
    while (!args.empty() && !args.accept("--")) {
        const std::string arg = args.peek();
        if (arg.empty() || arg[0] != '-' || arg == "-") break;  // CMD starts here
        // An option without its value is not that option.
        const std::string unknown = "unknown option '" + arg + "'";
        if (args.accept("-h") || args.accept("--help")) return Help{};
        if (args.accept("-k") || args.accept("--keep-order")) {
            options.keep_order = true;
        } else if (args.accept("-0") || args.accept("--null")) {
            options.null_separated = true;
        } else if (args.accept("--bar")) {
            options.bar = true;
        } else if (auto value = args.value_of("-j", unknown); value || (value = args.value_of("--jobs", unknown))) {
            const auto jobs = cli::parse_int(*value, 1, 4096);
            if (!jobs) throw cli::UsageError("-j: not a number of jobs from 1 to 4096: '" + *value + "'");
            options.jobs = static_cast<int>(*jobs);
        } else if (auto value = args.value_of("--timeout", unknown)) {
            const auto timeout = cli::parse_duration(*value);
            if (!timeout || timeout->count() == 0)
                throw cli::UsageError("--timeout: not a positive duration: '" + *value + "'");
            options.timeout = *timeout;
        } else if (auto value = args.value_of("--retries", unknown)) {
            const auto retries = cli::parse_int(*value, 0, 1000000);
            if (!retries) throw cli::UsageError("--retries: not a count: '" + *value + "'");
            options.retries = static_cast<int>(*retries);
        } else if (auto value = args.value_of("--halt", unknown)) {
            if (*value == "soon" || *value == "soon,fail=1") {
                options.halt = Halt::soon;
            } else if (*value == "now" || *value == "now,fail=1") {
                options.halt = Halt::now;
            } else {
                throw cli::UsageError("--halt: expected soon or now, not '" + *value + "'");
            }
        } else if (auto value = args.value_of("--joblog", unknown)) {
            options.joblog_append = value->starts_with('+');
            options.joblog = options.joblog_append ? value->substr(1) : *value;
            if (options.joblog.empty()) throw cli::UsageError("--joblog: no file name");
        } else {
            throw cli::UsageError(unknown);
        }
    }
    options.command = args.rest();
    if (options.command.empty()) throw cli::UsageError("no command to run");
    return options;
}

}  // namespace

Command parse_args(const std::vector<std::string>& words, int default_jobs) {
    if (words.size() == 1 && words[0] == "tour") return Tour{};
    cli::Args args(words);
    return cli::parse_or_error<Command>([&] { return parse_run(args, default_jobs); });
}

}  // namespace mp::tools::pool

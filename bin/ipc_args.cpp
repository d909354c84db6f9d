#include "bin/ipc_args.hpp"

#include <cstdint>

#include "bin/cli/args.hpp"

namespace mp::tools::ipc {

namespace {

BenchOptions parse_bench(cli::Args& args) {
    BenchOptions options;
    while (!args.empty()) {
        const std::string flag = args.next("option");
        if (args.empty()) throw cli::UsageError(flag + " needs a value");
        const std::string value = args.next("value");
        if (flag == "--transport") {
            if (value == "pipe")
                options.transport = Transport::pipe;
            else if (value == "socketpair")
                options.transport = Transport::socketpair;
            else if (value == "queue")
                options.transport = Transport::queue;
            else
                throw cli::UsageError("unknown transport '" + value + "'");
        } else if (flag == "--size") {
            const auto n = cli::parse_int(value, 1, std::int64_t{1} << 26);
            if (!n) throw cli::UsageError("--size wants a byte count in [1, 64 MiB], not '" + value + "'");
            options.size = static_cast<std::size_t>(*n);
        } else if (flag == "--count") {
            const auto n = cli::parse_int(value, 1, 100'000'000);
            if (!n) throw cli::UsageError("--count wants a number in [1, 1e8], not '" + value + "'");
            options.count = static_cast<std::size_t>(*n);
        } else {
            throw cli::UsageError("unknown option '" + flag + "'");
        }
    }
    return options;
}

Command dispatch(cli::Args& args) {
    if (args.empty()) throw cli::UsageError("a subcommand is needed");
    const std::string command = args.next("subcommand");
    if (command == "--help" || command == "-h" || command == "help") return Help{};
    if (command == "bench") return parse_bench(args);
    if (command == "tour") {
        if (!args.empty()) throw cli::UsageError("tour takes no arguments");
        return Tour{};
    }
    throw cli::UsageError("unknown subcommand '" + command + "'");
}

}  // namespace

Command parse_args(const std::vector<std::string>& words) {
    cli::Args args(words);
    return cli::parse_or_error<Command>([&] { return dispatch(args); });
}

}  // namespace mp::tools::ipc

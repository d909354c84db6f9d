#include "bin/ipc_args.hpp"

#include <cstdint>

namespace mp::tools::ipc {

namespace {

Command parse_bench(const std::vector<std::string>& args) {
    BenchOptions options;
    for (std::size_t i = 1; i < args.size(); ++i) {
        const std::string& flag = args[i];
        if (i + 1 >= args.size()) return cli::UsageError{flag + " needs a value"};
        const std::string& value = args[++i];
        if (flag == "--transport") {
            if (value == "pipe")
                options.transport = Transport::pipe;
            else if (value == "socketpair")
                options.transport = Transport::socketpair;
            else if (value == "queue")
                options.transport = Transport::queue;
            else
                return cli::UsageError{"unknown transport '" + value + "'"};
        } else if (flag == "--size") {
            const auto n = cli::parse_int(value, 1, std::int64_t{1} << 26);
            if (!n) return cli::UsageError{"--size wants a byte count in [1, 64 MiB], not '" + value + "'"};
            options.size = static_cast<std::size_t>(*n);
        } else if (flag == "--count") {
            const auto n = cli::parse_int(value, 1, 100'000'000);
            if (!n) return cli::UsageError{"--count wants a number in [1, 1e8], not '" + value + "'"};
            options.count = static_cast<std::size_t>(*n);
        } else {
            return cli::UsageError{"unknown option '" + flag + "'"};
        }
    }
    return options;
}

}  // namespace

Command parse_args(const std::vector<std::string>& args) {
    if (args.empty()) return cli::UsageError{"a subcommand is needed"};
    if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") return Help{};
    if (args[0] == "bench") return parse_bench(args);
    if (args[0] == "tour") {
        if (args.size() > 1) return cli::UsageError{"tour takes no arguments"};
        return Tour{};
    }
    return cli::UsageError{"unknown subcommand '" + args[0] + "'"};
}

}  // namespace mp::tools::ipc

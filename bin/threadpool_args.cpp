#include "bin/threadpool_args.hpp"

#include "bin/cli/args.hpp"

namespace mp::tools::threadpool {

namespace {

WcOptions parse_wc(cli::Args& args) {
    WcOptions wc;
    constexpr const char* kBadThreads = "wc: -j needs a number of threads from 1 to 1024";
    while (!args.empty()) {
        const std::string arg = args.peek();
        if (args.accept("--")) break;
        if (arg == "-j") {
            const auto n = cli::parse_int(*args.value_of("-j", kBadThreads), 1, 1024);
            if (!n) throw cli::UsageError(kBadThreads);
            wc.threads = static_cast<std::size_t>(*n);
        } else if (arg.size() > 1 && arg[0] == '-') {
            throw cli::UsageError("wc: unknown option " + arg + " (see --help)");
        } else {
            wc.names.push_back(args.next("FILE"));
        }
    }
    for (std::string& name : args.rest()) wc.names.push_back(std::move(name));
    return wc;
}

Command dispatch(cli::Args& args) {
    if (args.empty()) throw cli::UsageError();
    const std::string command = args.next("command");
    if (command == "--help" || command == "-h") return Help{};
    if (command == "wc") return parse_wc(args);
    if (command == "tour" && args.empty()) return Tour{};
    throw cli::UsageError("unknown command or arguments: " + command + " (see --help)");
}

}  // namespace

Command parse_args(const std::vector<std::string>& words) {
    cli::Args args(words);
    return cli::parse_or_error<Command>([&] { return dispatch(args); });
}

}  // namespace mp::tools::threadpool

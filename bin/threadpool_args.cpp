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
            throw cli::UsageError("wc: unknown option " + arg);
        } else {
            wc.names.push_back(args.next("FILE"));
        }
    }
    for (std::string& name : args.rest()) wc.names.push_back(std::move(name));
    return wc;
}

EchoOptions parse_echo(cli::Args& args) {
    EchoOptions echo;
    constexpr const char* kBadPort = "echo-server: --port needs a port number from 0 to 65535";
    while (!args.empty()) {
        const auto value = args.value_of("--port", kBadPort);
        if (!value) throw cli::UsageError("echo-server: unknown argument " + args.peek());
        const auto n = cli::parse_int(*value, 0, 65535);
        if (!n) throw cli::UsageError(kBadPort);
        echo.port = static_cast<unsigned short>(*n);
    }
    return echo;
}

Command dispatch(cli::Args& args) {
    if (args.empty()) throw cli::UsageError();
    const std::string command = args.next("command");
    if (command == "--help" || command == "-h") return Help{};
    if (command == "wc") return parse_wc(args);
    if (command == "tour" && args.empty()) return Tour{};
    if (command == "echo-server") return parse_echo(args);
    throw cli::UsageError("unknown command or arguments: " + command);
}

}  // namespace

Command parse_args(const std::vector<std::string>& words) {
    cli::Args args(words);
    return cli::parse_or_error<Command>([&] { return dispatch(args); });
}

}  // namespace mp::tools::threadpool

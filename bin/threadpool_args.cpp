#include "bin/threadpool_args.hpp"

namespace mp::tools::threadpool {

namespace {

Command parse_wc(const std::vector<std::string>& args) {
    WcOptions wc;
    bool options_done = false;
    for (std::size_t i = 1; i < args.size(); ++i) {
        const std::string& arg = args[i];
        if (!options_done && arg == "--") {
            options_done = true;
        } else if (!options_done && arg == "-j") {
            const auto n = i + 1 < args.size() ? cli::parse_int(args[i + 1], 1, 1024) : std::nullopt;
            if (!n) return cli::UsageError{"wc: -j needs a number of threads from 1 to 1024"};
            wc.threads = static_cast<std::size_t>(*n);
            ++i;
        } else if (!options_done && arg.size() > 1 && arg[0] == '-') {
            return cli::UsageError{"wc: unknown option " + arg + " (see --help)"};
        } else {
            wc.names.push_back(arg);
        }
    }
    return wc;
}

}  // namespace

Command parse_args(const std::vector<std::string>& args) {
    if (args.empty()) return cli::UsageError{};
    const std::string& command = args[0];
    if (command == "--help" || command == "-h") return Help{};
    if (command == "wc") return parse_wc(args);
    if (command == "tour" && args.size() == 1) return Tour{};
    return cli::UsageError{"unknown command or arguments: " + command + " (see --help)"};
}

}  // namespace mp::tools::threadpool

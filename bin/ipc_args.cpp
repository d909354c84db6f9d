#include "bin/ipc_args.hpp"

#include <cstdint>

#include "bin/cli/args.hpp"
#include "ipc/manager_address.hpp"

namespace mp::tools::ipc {

namespace {

BenchOptions parse_bench(cli::Args& args) {
    BenchOptions options;
    while (!args.empty()) {
        const std::string flag = args.next("option");
        if (flag != "--transport" && flag != "--size" && flag != "--count")
            throw cli::UsageError("unknown option '" + flag + "'");
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
        }
    }
    return options;
}

// --authkey-file F, when it is the next word; true when it was.
bool parse_authkey_file(cli::Args& args, ManagerAddress& manager) {
    if (args.empty() || args.peek() != "--authkey-file") return false;
    args.next("option");
    if (args.empty()) throw cli::UsageError("--authkey-file needs a value");
    manager.authkey_file = args.next("file");
    return true;
}

void check_address(const ManagerAddress& manager) {
    if (!authkey_file_for(manager))
        throw cli::UsageError("a HOST:PORT address needs --authkey-file (both ends read the key from a file)");
}

ManagerAddress parse_manager(cli::Args& args) {
    ManagerAddress manager;
    while (!args.empty()) {
        if (parse_authkey_file(args, manager)) continue;
        const std::string flag = args.next("option");
        if (flag != "--address") throw cli::UsageError("unknown option '" + flag + "'");
        if (args.empty()) throw cli::UsageError("--address needs a value");
        manager.address = args.next("address");
    }
    if (manager.address.empty()) throw cli::UsageError("manager needs --address PATH|HOST:PORT");
    check_address(manager);
    return manager;
}

DictOptions parse_dict(cli::Args& args) {
    DictOptions options;
    if (args.empty()) throw cli::UsageError("dict needs an ADDRESS");
    options.manager.address = args.next("address");
    for (;;) {
        if (parse_authkey_file(args, options.manager)) continue;
        if (!args.empty() && args.peek() == "--name") {
            args.next("option");
            if (args.empty()) throw cli::UsageError("--name needs a value");
            options.name = args.next("name");
            continue;
        }
        break;
    }
    check_address(options.manager);
    if (args.empty()) throw cli::UsageError("dict needs an action: get, set, del, ls or incr");
    options.action = args.next("action");
    while (!args.empty()) options.operands.push_back(args.next("operand"));
    const std::size_t n = options.operands.size();
    const auto want = [&](std::size_t low, std::size_t high, const char* shape) {
        if (n < low || n > high) throw cli::UsageError("usage: dict ADDRESS " + options.action + " " + shape);
    };
    if (options.action == "get" || options.action == "del") {
        want(1, 1, "KEY");
    } else if (options.action == "set") {
        want(2, 2, "KEY VALUE");
    } else if (options.action == "ls") {
        want(0, 0, "");
    } else if (options.action == "incr") {
        want(1, 2, "KEY [N]");
        if (n == 2) {
            const auto delta = cli::parse_int(options.operands[1], INT64_MIN, INT64_MAX);
            if (!delta) throw cli::UsageError("incr wants an integer N, not '" + options.operands[1] + "'");
            options.delta = *delta;
        }
    } else {
        throw cli::UsageError("unknown dict action '" + options.action + "' (get, set, del, ls, incr)");
    }
    return options;
}

Command dispatch(cli::Args& args) {
    if (args.empty()) throw cli::UsageError("a subcommand is needed");
    const std::string command = args.next("subcommand");
    if (command == "--help" || command == "-h" || command == "help") return Help{};
    if (command == "bench") return parse_bench(args);
    if (command == "manager") return parse_manager(args);
    if (command == "dict") return parse_dict(args);
    if (command == "tour") {
        if (!args.empty()) throw cli::UsageError("tour takes no arguments");
        return Tour{};
    }
    throw cli::UsageError("unknown subcommand '" + command + "'");
}

}  // namespace

std::optional<std::string> authkey_file_for(const ManagerAddress& manager) {
    if (!manager.authkey_file.empty()) return manager.authkey_file;
    if (mp::ipc::is_socket_path(manager.address)) return manager.address + ".authkey";
    return std::nullopt;
}

Command parse_args(const std::vector<std::string>& words) {
    cli::Args args(words);
    return cli::parse_or_error<Command>([&] { return dispatch(args); });
}

}  // namespace mp::tools::ipc

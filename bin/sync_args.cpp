#include "bin/sync_args.hpp"

#include <cstdint>
#include <optional>

#include "bin/cli/args.hpp"

namespace mp::tools::sync {

namespace {

using cli::Args;
using cli::UsageError;

std::chrono::nanoseconds duration_arg(Args& args, const std::string& option) {
    const std::string text = args.next("value of " + option);
    const auto value = cli::parse_duration(text);
    if (!value) throw UsageError("bad duration for " + option + ": '" + text + "'");
    return *value;
}

std::int64_t int_arg(Args& args, const std::string& option, std::int64_t min, std::int64_t max) {
    const std::string text = args.next("value of " + option);
    const auto value = cli::parse_int(text, min, max);
    if (!value)
        throw UsageError("bad value for " + option + ": '" + text + "' (want " + std::to_string(min) + ".." +
                         std::to_string(max) + ")");
    return *value;
}

// Reads one wait option if `option` is one; false otherwise.
bool wait_option(const std::string& option, Args& args, Wait& wait) {
    if (option == "-n" || option == "--nonblock") {
        wait.nonblock = true;
    } else if (option == "-w" || option == "--wait" || option == "--timeout") {
        wait.timeout = duration_arg(args, option);
    } else {
        return false;
    }
    if (wait.nonblock && wait.timeout) throw UsageError("-n and -w exclude each other");
    return true;
}

// Reads one option of the object's Access (--mode, --allow-other-owner) if
// `option` is one; false otherwise.
bool access_option(const std::string& option, Args& args, mp::sync::Access& access) {
    if (option == "--allow-other-owner") {
        access.allow_other_owner = true;
    } else if (option == "--mode") {
        const std::string text = args.next("value of --mode");
        const auto mode = cli::parse_mode(text);
        if (!mode) throw UsageError("bad value for --mode: '" + text + "' (want an octal mode such as 660)");
        access.mode = *mode;
    } else {
        return false;
    }
    return true;
}

// The words of a command line, options or not: a word starting with '-' (not "-"
// alone) is an option, so NAME is never one; `sync lock -w 5 NAME` is read as
// flock(1) reads its options before the file.
bool is_option(const std::string& word) { return word.size() > 1 && word[0] == '-'; }

// lock and sem: options and NAME in any order (flock(1)'s options come first, ours
// used to come after NAME: both work), then the command: after "--", or the first
// word that is not an option once NAME is known.
Command run_command(const std::string& subcommand, Args& args) {
    RunOptions options;
    bool named = false;
    std::int64_t slots = 0;
    while (!args.empty()) {
        const std::string option = args.peek();
        if (option == "--") {
            args.next("--");
            break;
        }
        if (!is_option(option)) {
            if (named) break;
            options.name = args.next("NAME");
            named = true;
            continue;
        }
        args.next(option);
        if (wait_option(option, args, options.wait) || access_option(option, args, options.access)) continue;
        if (option == "-E" || option == "--conflict-exit-code") {
            options.busy_code = static_cast<int>(int_arg(args, option, 0, 255));
        } else if (subcommand == "sem" && (option == "-j" || option == "--jobs")) {
            slots = int_arg(args, option, 1, 1'000'000);
        } else {
            throw UsageError(subcommand + ": unknown option " + option);
        }
    }
    if (!named) options.name = args.next("NAME");
    options.command = args.rest();
    if (options.command.empty()) throw UsageError(subcommand + ": missing CMD");
    if (subcommand == "lock") return LockRun{std::move(options)};
    if (slots == 0) throw UsageError("sem: missing -j N");
    return SemaphoreRun{std::move(options), static_cast<unsigned>(slots)};
}

// event: options, NAME and the action in any order (NAME first of the two).
Command event(Args& args) {
    std::optional<std::string> name;
    std::string action;
    Wait wait;
    mp::sync::Access access;
    while (!args.empty()) {
        const std::string arg = args.next("argument");
        if (wait_option(arg, args, wait) || access_option(arg, args, access)) continue;
        if (!name && !is_option(arg)) {
            name = arg;
            continue;
        }
        if (!action.empty() || (arg != "set" && arg != "clear" && arg != "wait"))
            throw UsageError("event: unexpected '" + arg + "' (want set, clear or wait)");
        action = arg;
    }
    if (!name) throw UsageError("missing NAME");
    if (action.empty()) throw UsageError("event: missing set, clear or wait");
    return EventAction{*name, action, wait, access};
}

// barrier: options and NAME in any order.
Command barrier(Args& args) {
    std::optional<std::string> name;
    std::int64_t parties = 0;
    Wait wait;
    mp::sync::Access access;
    while (!args.empty()) {
        const std::string option = args.next("option");
        if (access_option(option, args, access)) continue;
        if (!name && !is_option(option)) {
            name = option;
            continue;
        }
        if (option == "-n" || option == "--parties") {
            parties = int_arg(args, option, 1, 1'000'000);
        } else if (option == "-w" || option == "--wait" || option == "--timeout") {
            wait.timeout = duration_arg(args, option);
        } else {
            throw UsageError("barrier: unknown option " + option);
        }
    }
    if (!name) throw UsageError("missing NAME");
    if (parties == 0) throw UsageError("barrier: missing -n PARTIES");
    return BarrierWait{*name, static_cast<unsigned>(parties), wait, access};
}

Command dispatch(const std::string& command, Args& args) {
    if (command == "lock" || command == "sem") return run_command(command, args);
    if (command == "event") return event(args);
    if (command == "barrier") return barrier(args);
    if (command == "rm") {
        const auto names = args.rest();
        if (names.empty()) throw UsageError("rm: missing NAME");
        return Remove{names};
    }
    if (!args.empty()) throw UsageError(command + ": unexpected argument '" + args.peek() + "'");
    if (command == "ls") return List{};
    if (command == "tour") return Tour{};
    throw UsageError("unknown command '" + command + "'");
}

}  // namespace

Command parse_args(const std::vector<std::string>& words) {
    if (words.empty()) return UsageError();
    const std::string& command = words[0];
    if (command == "-h" || command == "--help" || command == "help") return Help{};
    Args rest({words.begin() + 1, words.end()});
    return cli::parse_or_error<Command>([&] { return dispatch(command, rest); });
}

}  // namespace mp::tools::sync

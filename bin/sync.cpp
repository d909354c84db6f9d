// bin/sync: process-shared locks, semaphores, events and barriers for shell
// scripts, by name. See `bin/sync --help`.
#include <cstdio>
#include <exception>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "bin/cli/cli.hpp"
#include "bin/sync_commands.hpp"

namespace {

using namespace mp::sync_cli;

constexpr const char* kHelp = R"(usage: sync COMMAND ...

Named, process-shared synchronization for shell scripts. A holder that dies (even
by SIGKILL) never wedges the others: its lock or slot is taken back.

  sync lock NAME [-n | -w SEC] [-E CODE] [--] CMD [ARG...]
        run CMD while holding lock NAME (like flock)
  sync sem NAME -j N [-n | -w SEC] [-E CODE] [--] CMD [ARG...]
        run CMD holding one of N slots of semaphore NAME: at most N such CMDs
        run at once, system-wide (like GNU sem, at flock's cost)
  sync event NAME set|clear|wait [-n | -w SEC]
  sync barrier NAME -n PARTIES [-w SEC]
        wait until PARTIES processes have arrived; prints the arrival index
  sync ls                    our named objects: kind, state, holders (dead ones marked)
  sync rm NAME...            delete the names
  sync tour                  the classic multiprocessing examples, live

options:
  -n, --nonblock             do not wait: busy means exit 75 at once
  -w, --wait, --timeout SEC  wait at most SEC (fractions and s/m/h/ms units allowed)
  -E, --conflict-exit-code CODE   exit with CODE instead of 75 when busy
  -j, --jobs N               the semaphore's number of slots

exit status: CMD's status; 128+N when CMD died of signal N; 127 when CMD was not
found, 126 when it could not be run; 75 (or CODE) when the lock, slot, event or
barrier could not be had in time (or the barrier broke); 2 on a usage error; 1
when sync itself failed.
SIGINT/SIGTERM/SIGHUP/SIGQUIT sent to sync are passed on to CMD; the lock or slot
is released however sync ends. Names: 1-200 of [A-Za-z0-9._-], in /dev/shm as
mp-sync-NAME.
)";

struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// The arguments after the subcommand, consumed front to back.
class Args {
public:
    Args(int argc, char** argv, int first) : args_(argv + first, argv + argc) {}
    bool empty() const { return at_ >= args_.size(); }
    const std::string& peek() const { return args_[at_]; }
    std::string next(const std::string& what) {
        if (empty()) throw UsageError("missing " + what);
        return args_[at_++];
    }
    std::vector<std::string> rest() {
        std::vector<std::string> out(args_.begin() + static_cast<std::ptrdiff_t>(at_), args_.end());
        at_ = args_.size();
        return out;
    }

private:
    std::vector<std::string> args_;
    std::size_t at_ = 0;
};

std::chrono::nanoseconds duration_arg(Args& args, const std::string& option) {
    const std::string text = args.next("value of " + option);
    const auto value = mp::cli::parse_duration(text);
    if (!value) throw UsageError("bad duration for " + option + ": '" + text + "'");
    return *value;
}

std::int64_t int_arg(Args& args, const std::string& option, std::int64_t min, std::int64_t max) {
    const std::string text = args.next("value of " + option);
    const auto value = mp::cli::parse_int(text, min, max);
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

// lock and sem: NAME, options, then the command (after "--" or the first non-option).
int run_command(const std::string& subcommand, Args& args) {
    RunOptions options;
    options.name = args.next("NAME");
    std::int64_t slots = 0;
    while (!args.empty()) {
        const std::string option = args.peek();
        if (option == "--") {
            args.next("--");
            break;
        }
        if (option.empty() || option[0] != '-') break;
        args.next(option);
        if (wait_option(option, args, options.wait)) continue;
        if (option == "-E" || option == "--conflict-exit-code") {
            options.busy_code = static_cast<int>(int_arg(args, option, 0, 255));
        } else if (subcommand == "sem" && (option == "-j" || option == "--jobs")) {
            slots = int_arg(args, option, 1, 1'000'000);
        } else {
            throw UsageError(subcommand + ": unknown option " + option);
        }
    }
    options.command = args.rest();
    if (options.command.empty()) throw UsageError(subcommand + ": missing CMD");
    if (subcommand == "lock") return run_under_lock(options);
    if (slots == 0) throw UsageError("sem: missing -j N");
    return run_under_semaphore(options, static_cast<unsigned>(slots));
}

int event(Args& args) {
    const std::string name = args.next("NAME");
    std::string action;
    Wait wait;
    while (!args.empty()) {
        const std::string arg = args.next("argument");
        if (wait_option(arg, args, wait)) continue;
        if (!action.empty() || (arg != "set" && arg != "clear" && arg != "wait"))
            throw UsageError("event: unexpected '" + arg + "' (want set, clear or wait)");
        action = arg;
    }
    if (action.empty()) throw UsageError("event: missing set, clear or wait");
    return event_command(name, action, wait);
}

int barrier(Args& args) {
    const std::string name = args.next("NAME");
    std::int64_t parties = 0;
    Wait wait;
    while (!args.empty()) {
        const std::string option = args.next("option");
        if (option == "-n" || option == "--parties") {
            parties = int_arg(args, option, 1, 1'000'000);
        } else if (option == "-w" || option == "--wait" || option == "--timeout") {
            wait.timeout = duration_arg(args, option);
        } else {
            throw UsageError("barrier: unknown option " + option);
        }
    }
    if (parties == 0) throw UsageError("barrier: missing -n PARTIES");
    return barrier_command(name, static_cast<unsigned>(parties), wait);
}

int dispatch(const std::string& command, Args& args) {
    if (command == "lock" || command == "sem") return run_command(command, args);
    if (command == "event") return event(args);
    if (command == "barrier") return barrier(args);
    if (command == "rm") {
        const auto names = args.rest();
        if (names.empty()) throw UsageError("rm: missing NAME");
        return remove_command(names);
    }
    if (!args.empty()) throw UsageError(command + ": unexpected argument '" + args.peek() + "'");
    if (command == "ls") return list_command();
    if (command == "tour") return tour();
    throw UsageError("unknown command '" + command + "'");
}

// Library messages start with "sync: " already; print_error adds it again.
std::string_view without_prefix(std::string_view message) {
    constexpr std::string_view prefix = "sync: ";
    return message.substr(0, prefix.size()) == prefix ? message.substr(prefix.size()) : message;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fputs(kHelp, stderr);
        return kExitUsage;
    }
    const std::string command = argv[1];
    if (command == "-h" || command == "--help" || command == "help") {
        std::fputs(kHelp, stdout);
        return 0;
    }
    Args args(argc, argv, 2);
    try {
        return dispatch(command, args);
    } catch (const UsageError& e) {
        mp::cli::print_error(kProgram, std::string(e.what()) + " (see: sync --help)");
        return kExitUsage;
    } catch (const std::invalid_argument& e) {  // bad name, or a name of another kind
        mp::cli::print_error(kProgram, without_prefix(e.what()));
        return kExitUsage;
    } catch (const std::exception& e) {
        mp::cli::print_error(kProgram, without_prefix(e.what()));
        return kExitError;
    }
}

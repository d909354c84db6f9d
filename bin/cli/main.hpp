// The frame every tool's main() is: one entry point with the catch-all and the exit
// codes, and the one error type for a refused command line.
#pragma once

#include <exception>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace mp::cli {

// A command line the tool refuses. A parser throws it (the argument cursor of
// bin/cli/args.hpp does) and its parse_args returns it as a value, so parsers stay
// pure (argv in, options or this out; no output, no exit) and are fuzzed. A command
// may throw it too, for an argument found wrong only when used (a bad name).
class UsageError : public std::runtime_error {
public:
    // An empty message shows the usage text alone. `exit_code` overrides the
    // tool's usage exit (subproc run exits 125 as coreutils timeout).
    explicit UsageError(const std::string& message = {}, std::optional<int> exit_code = std::nullopt)
        : std::runtime_error(message), exit_code_(exit_code) {}
    std::optional<int> exit_code() const { return exit_code_; }

private:
    std::optional<int> exit_code_;
};

// A command line that asks for the help text (each tool's Command variant holds it).
struct Help {};

// What run_main needs to know of a tool.
struct Tool {
    std::string_view name;          // "sync": every message reads "sync: ..."
    std::string_view usage;         // shown on stderr for a UsageError without message
    std::string_view help = {};     // for Help: shown after `usage` and a blank line
    int usage_exit = 2;             // a refused command line
    int error_exit = 1;             // any other exception out of the command
    bool usage_after_message = false;  // also show `usage` after a usage message
    // End a usage message with " (see: NAME --help)". Not a UsageError with its own
    // exit code: that one speaks another tool's dialect (subproc run is timeout(1)).
    bool see_help = false;
};

// A tool's main(): resets SIGCHLD to its default disposition (an ignored SIGCHLD
// survives exec and would make our children auto-reaped, their statuses lost), then
// returns body(the arguments after the program name). A UsageError out of body
// prints "<name>: <message>" (or the usage text) and returns its exit code or
// tool.usage_exit; any other std::exception prints "<name>: <what>" and returns
// tool.error_exit; a std::system_error of the machine's limits (ENOSPC, EMFILE,
// ENFILE) gets what to do appended. A message that already starts with "<name>: "
// (a library's own prefix) is not prefixed twice.
// The usage and help texts name the tool as it was started (argv[0] without its
// folder: "mp-sync" once installed) where the name begins a command line ("usage:
// sync ...", "  sync lock NAME"); messages keep "<name>: ".
int run_main(int argc, char** argv, const Tool& tool,
             const std::function<int(const std::vector<std::string>&)>& body);

// An exception's message for the user: what(), and for a std::system_error of the
// machine's limits (ENOSPC, EMFILE, ENFILE) what to do about it. For tools that
// report an error themselves and go on.
std::string error_text(const std::exception& error);

// Prints tool.usage, then a blank line and tool.help when there is one, on stdout.
void print_help(const Tool& tool);

// Turns a parser that throws UsageError into the pure parse_args every tool has:
// parse() or the UsageError it threw, as a value.
template <class Command, class Parse>
Command parse_or_error(Parse parse) {
    try {
        return parse();
    } catch (const UsageError& error) {
        return error;
    }
}

// run_main for a tool with a parser: `parse` returns a std::variant of the tool's
// commands that holds Help and UsageError too. A UsageError is reported as
// run_main does, Help prints the help text and exits 0, anything else goes to
// run(command), which returns the exit code.
template <class Parse, class Run>
int run_parsed(int argc, char** argv, const Tool& tool, Parse parse, Run run) {
    return run_main(argc, argv, tool, [&](const std::vector<std::string>& args) {
        const auto command = parse(args);
        if (const auto* error = std::get_if<UsageError>(&command)) throw *error;
        if (std::holds_alternative<Help>(command)) {
            print_help(tool);
            return 0;
        }
        return run(command);
    });
}

}  // namespace mp::cli

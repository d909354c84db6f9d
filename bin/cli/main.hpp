// The frame every tool's main() is: one entry point with the catch-all and the exit
// codes, and the one error type for a refused command line.
#pragma once

#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
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

// What run_main needs to know of a tool.
struct Tool {
    std::string_view name;          // "sync": every message reads "sync: ..."
    std::string_view usage;         // shown on stderr for a UsageError without message
    int usage_exit = 2;             // a refused command line
    int error_exit = 1;             // any other exception out of the command
    bool usage_after_message = false;  // also show `usage` after a usage message
};

// A tool's main(): resets SIGCHLD to its default disposition (an ignored SIGCHLD
// survives exec and would make our children auto-reaped, their statuses lost), then
// returns body(the arguments after the program name). A UsageError out of body
// prints "<name>: <message>" (or the usage text) and returns its exit code or
// tool.usage_exit; any other std::exception prints "<name>: <what>" and returns
// tool.error_exit. A message that already starts with "<name>: " (a library's own
// prefix) is not prefixed twice.
int run_main(int argc, char** argv, const Tool& tool,
             const std::function<int(const std::vector<std::string>&)>& body);

}  // namespace mp::cli

// The subcommands of bin/subproc, one file each: run (subproc_run.cpp), pipe
// (subproc_pipe.cpp), tour (subproc_tour.cpp); main and --help in subproc.cpp.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mp::subproc::cli {

inline constexpr const char* kProgram = "subproc";

// Each takes the arguments after the subcommand's name and returns the exit code.
int run_command(const std::vector<std::string>& args);
int pipe_command(const std::vector<std::string>& args);
int tour_command(const std::vector<std::string>& args);

// Splits a command line into words as a shell would, but without expansions:
// whitespace separates words; '...' is literal; "..." allows \" \\ \$ \` escapes;
// a backslash outside quotes escapes the next character. Empty (with `error` set)
// for an unterminated quote or a trailing backslash.
std::optional<std::vector<std::string>> split_words(std::string_view line, std::string& error);

// "TERM", "SIGTERM" or "15" -> 15; empty for anything else.
std::optional<int> parse_signal(std::string_view text);

// The shell's view of a return code: the exit status, or 128+N for signal N.
int shell_status(int returncode);

// Forwards SIGINT, SIGTERM, SIGHUP and SIGQUIT received by this process to each
// of `targets` (kill() targets: pid, or -pgid for a group; empty: nowhere).
// block_forwarded_signals() before spawning holds those signals until the targets
// are known, so none is lost or kills us first. With kill_then_die the targets get
// SIGKILL and this process then dies of the signal it received (for the tour).
enum class Forward { signal, kill_then_die };
void block_forwarded_signals();
void forward_signals_to(const std::vector<pid_t>& targets, Forward mode = Forward::signal);

}  // namespace mp::subproc::cli

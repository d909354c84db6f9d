// bin/subproc: run a command with a timeout that kills its whole process group
// (coreutils timeout's exit codes), run a pipeline without a shell, and a tour of
// Python's subprocess examples done with mp::subproc.
#include <cstdio>
#include <variant>

#include "bin/cli/main.hpp"
#include "bin/subproc_commands.hpp"

namespace {

constexpr const char* kUsage = R"(usage: subproc run [OPTIONS] DURATION CMD [ARG...]
       subproc run [OPTIONS] [--timeout DURATION] [--] CMD [ARG...]
       subproc pipe [--pipefail] 'CMD1 ARGS' 'CMD2 ARGS' ...
       subproc tour
       subproc --help

run: a drop-in for coreutils `timeout DURATION CMD`, same options and exit
statuses. It runs CMD in a process group of its own; when DURATION passes, it
sends the signal to its whole process tree (its group and any descendant that
left it with setsid: no grandchild survives) and exits as coreutils timeout:
  DURATION               0.5, 2s, 1m, 1h, 1d (0: no limit); taken when the word
                         after the options starts with a digit or '.', else the
                         word is CMD, run without a limit
  --timeout DURATION     the same, as an option (then every word left is CMD)
  -s, --signal SIGNAL    sent on timeout: TERM (default), KILL, INT, 9, ...;
                         0 or EXIT only checks (with -k the KILL follows)
  -k, --kill-after DUR   send KILL if CMD still runs this long after the signal
  --preserve-status      on timeout exit with CMD's status, not 124
  -v, --verbose          print "subproc: sending signal TERM to command 'CMD'"
                         on stderr for each signal sent on timeout (coreutils'
                         line, with our name)
  --foreground           CMD stays in our process group (it may read the
                         terminal); only CMD is signalled, not its children
  --version              what this is, exit 0
  (short options take attached values too: -sINT, -k5, --signal=INT)
  --capture              collect CMD's stdout and stderr and print each whole
                         at the end (with --json: count them, print nothing)
  --json                 print {"returncode", "signal", "timed_out", "killed",
                         "duration", "stdout_bytes", "stderr_bytes", "exit_status"}
                         on stdout when CMD has finished (byte counts need --capture)
  --cwd DIR              run CMD in DIR
  --env NAME=VALUE       add to CMD's environment (repeatable)
  exit status: CMD's; 124 timed out; 125 subproc failed or was misused; 126 CMD
  not executable; 127 CMD not found; 128+N CMD died of signal N; 137 KILL needed.
  SIGINT, SIGTERM, SIGHUP and SIGQUIT sent to subproc are forwarded to CMD's group.

pipe: runs the stages connected stdout to stdin, words split with shell-like
quotes but no shell; stdin goes to the first stage, the last stage writes to
stdout. Exit status: the last stage's (with --pipefail the rightmost non-zero);
128+N for signal N; 126/127 when a stage cannot start; 2 for a usage error.

tour: replays the classic subprocess examples with real output.
)";

}  // namespace

int main(int argc, char** argv) {
    using namespace mp::tools::subproc;
    // run's own failures exit 125, as coreutils timeout's.
    return mp::cli::run_parsed(argc, argv, {.name = kProgram, .usage = kUsage, .error_exit = 125, .see_help = true}, parse_args,
                               [](const Command& command) {
                                   if (const auto* run = std::get_if<RunArgs>(&command)) return run_command(*run);
                                   if (const auto* pipe = std::get_if<PipeArgs>(&command)) return pipe_command(*pipe);
                                   if (std::holds_alternative<Version>(command)) {
                                       std::puts("subproc run (mp): coreutils timeout's command line and exit "
                                                 "statuses; the timeout signals CMD's whole process group");
                                       return 0;
                                   }
                                   return tour_command();
                               });
}

// run() and its family: start a command, feed it, collect its output, wait, and turn
// failure and timeouts into exceptions, in one call.
//
//   CompletedProcess r = run({"ls", "-l"}, {.capture_output = true, .timeout = 5s});
//   std::string out = check_output({"git", "rev-parse", "HEAD"});
//   auto [status, text] = getstatusoutput("make -q");
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "subproc/options.hpp"

namespace mp::subproc {

// What run() returns. `out`/`err` are Python's stdout/stderr (empty unless
// captured; `stdout` is a C macro and cannot name a member portably).
struct CompletedProcess {
    std::vector<std::string> args;
    int returncode = 0;  // exit status, or -N when signal N ended the command
    std::string out;
    std::string err;

    // Throws CalledProcessError when returncode != 0.
    void check_returncode() const;
};

// Starts `args` with `options` (see Options: the run-only fields input,
// capture_output, timeout and check apply here), writes `input`, collects what is
// piped, waits and reaps. Blocks until the command and its pipes are done. When
// options.timeout passes first, the command's whole process group is killed with
// SIGKILL (with Group::inherit only the command), the pipes are drained for at most
// options.wait_delay, the command is reaped, and TimeoutExpired carries what it had
// printed. Throws SpawnError when it cannot start, CalledProcessError (with the
// output) for a non-zero status when options.check.
CompletedProcess run(std::vector<std::string> args, Options options = {});

// run() with stdout captured and check=true; returns stdout.
std::string check_output(std::vector<std::string> args, Options options = {});
// run() with check=true; returns 0.
int check_call(std::vector<std::string> args, Options options = {});
// run(); returns the return code.
int call(std::vector<std::string> args, Options options = {});
// `command` under /bin/sh -c with stderr merged into stdout; returns the return code
// and the output without its final '\n'. Never throws for a failing command.
std::pair<int, std::string> getstatusoutput(const std::string& command);
// getstatusoutput(command).second.
std::string getoutput(const std::string& command);

}  // namespace mp::subproc

// bin/subproc run: coreutils timeout's contract, but the signal goes to the
// command's whole process tree (its group, and descendants that called setsid:
// subproc_tree.hpp), so no grandchild outlives the timeout.
#include <signal.h>
#include <string.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "bin/cli/children.hpp"
#include "bin/cli/cli.hpp"
#include "bin/cli/exit_status.hpp"
#include "bin/subproc_commands.hpp"
#include "bin/subproc_tree.hpp"
#include "subproc/subproc.hpp"

namespace mp::tools::subproc {

using namespace mp::subproc;

namespace {

using std::chrono::nanoseconds;

// coreutils timeout's exit statuses.
constexpr int kTimedOut = 124;
constexpr int kFailed = 125;  // the spawn failed before exec

struct Outcome {
    int returncode = 0;
    bool timed_out = false;
    bool killed = false;  // the KILL of --kill-after was needed
    double seconds = 0;
    Output output;
};

// -v: the line coreutils timeout prints, with our name where it prints its own:
// "subproc: sending signal TERM to command 'sleep'".
void say_sending(const RunArgs& run, int signal) {
    if (!run.verbose) return;
    const char* name = signal == 0 ? "EXIT" : sigabbrev_np(signal);
    const std::string shown = name != nullptr ? name : std::to_string(signal);
    std::fprintf(stderr, "%s: sending signal %s to command '%s'\n", kProgram, shown.c_str(), run.command[0].c_str());
    std::fflush(stderr);
}

// coreutils' 0 means "no limit": the wait without a timeout.
Timeout limit(nanoseconds duration) { return duration.count() > 0 ? Timeout(duration) : Timeout(); }

Outcome supervise(Popen& child, const RunArgs& run) {
    Outcome outcome;
    const auto start = std::chrono::steady_clock::now();
    try {
        child.wait(limit(run.timeout));  // drains captured pipes meanwhile
    } catch (const TimeoutExpired&) {
        outcome.timed_out = true;
        // --foreground: the command shares our group (so it may use the terminal)
        // and only it is signalled, as coreutils does.
        const Scope scope = run.foreground ? Scope::process : Scope::group;
        say_sending(run, run.signal);
        child.send_signal(run.signal, scope);
        if (!run.foreground) signal_descendants(run.signal);  // also those that left the group
        try {
            child.wait(limit(run.kill_after));
        } catch (const TimeoutExpired&) {
            outcome.killed = true;
            say_sending(run, SIGKILL);
            child.kill(scope);
            if (!run.foreground) signal_descendants(SIGKILL);
            child.wait();
        }
    }
    outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (run.capture) outcome.output = child.kill_and_collect();  // bounded: a grandchild may hold a pipe
    outcome.returncode = *child.returncode();
    return outcome;
}

int exit_status(const Outcome& outcome, const RunArgs& run) {
    // As coreutils: a command that timed out and died of KILL reports 137 even
    // without --preserve-status, so a forced kill is distinguishable.
    if (outcome.timed_out && !run.preserve_status && outcome.returncode != -SIGKILL) return kTimedOut;
    return cli::shell_status(outcome.returncode);
}

void print_json(const Outcome& outcome, const RunArgs& run, int status) {
    const std::string signal = outcome.returncode < 0 ? std::to_string(-outcome.returncode) : "null";
    const std::string out_bytes = run.capture ? std::to_string(outcome.output.out.size()) : "null";
    const std::string err_bytes = run.capture ? std::to_string(outcome.output.err.size()) : "null";
    std::printf(
        "{\"returncode\": %d, \"signal\": %s, \"timed_out\": %s, \"killed\": %s, \"duration\": %.6f, "
        "\"stdout_bytes\": %s, \"stderr_bytes\": %s, \"exit_status\": %d}\n",
        outcome.returncode, signal.c_str(), outcome.timed_out ? "true" : "false", outcome.killed ? "true" : "false",
        outcome.seconds, out_bytes.c_str(), err_bytes.c_str(), status);
}

}  // namespace

int run_command(const RunArgs& run) {
    Options options{.out = run.capture ? PIPE : INHERIT, .err = run.capture ? PIPE : INHERIT, .cwd = run.cwd,
                    .extra_env = run.env, .group = run.foreground ? Group::inherit() : Group::own(),
                    .on_destroy = OnDestroy::stop};
    // Descendants that leave the command's group (setsid) stay ours to find and kill.
    if (!run.foreground) adopt_orphans();
    std::optional<Popen> child;
    std::optional<cli::ChildRegistration> forwarding;
    {
        const cli::SignalHold hold;  // a signal before the registration waits for it
        try {
            child.emplace(run.command, std::move(options));
        } catch (const SpawnError& e) {
            // coreutils' line for a command that cannot be run; other steps (chdir...) named.
            cli::print_error(kProgram, e.step() == "exec" ? "failed to run command '" + run.command[0] + "': " +
                                                                e.code().message()
                                                          : std::string("failed to run command: ") + e.what());
            return cli::spawn_failure_status(e, kFailed);
        }
        forwarding.emplace(run.foreground ? child->pid() : -child->pid(), cli::OnSignal::forward);
    }
    // An exception out of here exits 125 (run_main); ~Popen stops and reaps the command.
    const Outcome outcome = supervise(*child, run);
    forwarding.reset();
    const int status = exit_status(outcome, run);
    if (run.json) {
        print_json(outcome, run, status);
    } else if (run.capture) {
        std::fwrite(outcome.output.out.data(), 1, outcome.output.out.size(), stdout);
        std::fflush(stdout);
        std::fwrite(outcome.output.err.data(), 1, outcome.output.err.size(), stderr);
    }
    return status;
}

}  // namespace mp::tools::subproc

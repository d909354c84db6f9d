// `bin/sync lock` and `bin/sync sem`: run a command while holding a lock or a
// semaphore slot, with flock(1)'s exit rules.
//
// Who holds what, and what happens when the runner is killed:
// - lock: the runner holds the Lock while CMD runs (a lock cannot pass through
//   exec). If the runner is SIGKILLed, the kernel frees the lock (the next holder
//   is told its owner died) and CMD is killed too (die_with_parent, Linux), so
//   two CMDs never run under one lock for longer than CMD takes to die.
// - sem: the child takes the slot itself, then execs CMD, so the slot is recorded
//   against CMD's pid. If the runner is SIGKILLed, CMD keeps running and keeps its
//   slot; when CMD ends, the slot is reclaimed by the next acquirer.
//
// CMD runs in our process group, so the terminal's signals reach it directly, and
// it inherits our fds as under flock(1).
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include "bin/cli/children.hpp"
#include "bin/cli/cli.hpp"
#include "bin/cli/exit_status.hpp"
#include "bin/sync_commands.hpp"
#include "subproc/popen.hpp"
#include "sync/lock.hpp"
#include "sync/semaphore.hpp"

namespace mp::tools::sync {

namespace {

// Runs the command (after `preexec_fn` in the child, when given), passes on the
// signals sent to the runner alone (kill, a job runner), and returns its exit status
// in flock's terms: 127 when the command is not found, 126 when it cannot be run,
// 128+N when it died of signal N.
int run_command(const std::vector<std::string>& command, bool die_with_parent, std::function<void()> preexec_fn) {
    std::optional<mp::subproc::Popen> child;
    std::optional<cli::ChildRegistration> forwarding;
    {
        const cli::SignalHold hold;  // a signal before the registration waits for it
        try {
            child.emplace(command, mp::subproc::Options{.group = mp::subproc::Group::inherit(),
                                                        .close_fds = false,
                                                        .die_with_parent = die_with_parent,
                                                        .preexec_fn = std::move(preexec_fn)});
        } catch (const mp::subproc::SpawnError& e) {
            // As a shell says it: "sync: CMD: No such file or directory".
            cli::print_error(kProgram, e.step() == "exec" ? e.program() + ": " + e.code().message() : e.what());
            return cli::spawn_failure_status(e, kExitError);
        }
        forwarding.emplace(child->pid(), cli::OnSignal::forward);
    }
    const int returncode = child->wait();
    forwarding.reset();
    return cli::shell_status(returncode);
}

// Undoes die_with_parent in the child (Linux).
void stop_dying_with_parent() {
#ifdef __linux__
    prctl(PR_SET_PDEATHSIG, 0);
#endif
}

template <class TryTake, class Take>
bool take(const Wait& wait, TryTake try_take, Take block) {
    if (wait.nonblock) return try_take(std::chrono::nanoseconds(0));
    if (wait.timeout) return try_take(*wait.timeout);
    block();
    return true;
}

}  // namespace

int run_under_lock(const RunOptions& options) {
    mp::sync::Lock lock = mp::sync::Lock::open(options.name, options.access);
    const bool held = take(
        options.wait, [&](auto timeout) { return lock.try_lock_for(timeout); }, [&] { lock.lock(); });
    if (!held) return options.busy_code;
    // Released on every path: a command that cannot be started (no descriptors left)
    // throws, and the next holder must not be told that we died.
    const std::unique_lock holding(lock, std::adopt_lock);
    if (lock.owner_died())
        cli::print_error(kProgram, "lock " + options.name + ": its previous holder died holding it");
    // No preexec_fn: the child is made with vfork, which is most of what `sync lock`
    // saves over a fork (no page tables to copy, no copy-on-write faults).
    return run_command(options.command, true, nullptr);
}

int run_under_semaphore(const RunOptions& options, unsigned slots) {
    mp::sync::Semaphore sem = mp::sync::Semaphore::open(options.name, slots, mp::sync::SlotOwnership::process,
                                                             options.access);
    // The child waits for the slot dying with the runner; once it holds one, it
    // execs CMD, and CMD outlives a killed runner (it owns the slot).
    const int status = run_command(options.command, true, [&] {
        try {
            const bool got = take(
                options.wait, [&](auto timeout) { return sem.try_acquire_for(timeout); }, [&] { sem.acquire(); });
            if (!got) _exit(options.busy_code);
        } catch (const std::exception& e) {
            cli::print_error(kProgram, e.what());
            _exit(kExitError);
        }
        stop_dying_with_parent();
    });
    // CMD's process is reaped: its slot is a dead holder's, so give it back now.
    sem.reclaim_dead_holders();
    return status;
}

}  // namespace mp::tools::sync

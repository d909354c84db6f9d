// `bin/sync lock` and `bin/sync sem`: run a command while holding a lock or a
// semaphore slot, with flock(1)'s exit rules.
//
// Who holds what, and what happens when the runner is killed:
// - lock: the runner holds the Lock while CMD runs (a lock cannot pass through
//   exec). If the runner is SIGKILLed, the kernel frees the lock (the next holder
//   is told its owner died) and CMD is killed too (PR_SET_PDEATHSIG, Linux), so
//   two CMDs never run under one lock for longer than CMD takes to die.
// - sem: the forked child takes the slot itself, then execs CMD, so the slot is
//   recorded against CMD's pid. If the runner is SIGKILLed, CMD keeps running and
//   keeps its slot; when CMD ends, the slot is reclaimed by the next acquirer.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "bin/cli/children.hpp"
#include "bin/cli/cli.hpp"
#include "bin/sync_commands.hpp"
#include "sync/lock.hpp"
#include "sync/semaphore.hpp"

namespace mp::tools::sync {

namespace {

// The child dies with the runner (Linux); returns false if the runner is gone.
bool die_with_parent(pid_t parent) {
#ifdef __linux__
    prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
    return getppid() == parent;
}

void stop_dying_with_parent() {
#ifdef __linux__
    prctl(PR_SET_PDEATHSIG, 0);
#endif
}

int exit_status_of(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return kExitError;
}

// How the child is made. A child that only makes a few system calls before exec
// can share our memory until then (vfork): no page tables to copy, no
// copy-on-write faults, which is most of what `sync lock` costs beyond flock.
// A child that does real work first (waiting for a semaphore slot) needs fork.
enum class ChildStart { vfork_then_exec, fork };

// Starts the child (see ChildStart); it runs `prepare` (which may _exit with its
// own code), then execs the command. The parent forwards signals to the child, reaps it, and returns its
// exit status in flock's terms: 127 when the command is not found, 126 when it
// cannot be run, 128+N when it died of signal N.
int start_and_run(const std::vector<std::string>& command, ChildStart start, const std::function<void()>& prepare) {
    int error_pipe[2];
    if (pipe2(error_pipe, O_CLOEXEC) != 0) {
        cli::print_error(kProgram, std::string("pipe2: ") + std::strerror(errno));
        return kExitError;
    }
    // Built before the child exists: a vfork child must not allocate.
    std::vector<char*> argv;
    for (const std::string& arg : command) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    std::optional<cli::SignalHold> hold(std::in_place);  // no signal between fork and the registration
    std::fflush(nullptr);
    const pid_t pid = start == ChildStart::vfork_then_exec ? vfork() : fork();
    if (pid == 0) {
        hold->in_child();
        try {
            prepare();
        } catch (const std::exception& e) {
            cli::print_error(kProgram, e.what());
            _exit(kExitError);
        }
        execvp(argv[0], argv.data());
        const int error = errno;
        (void)!write(error_pipe[1], &error, sizeof error);
        _exit(error == ENOENT ? 127 : 126);
    }
    close(error_pipe[1]);
    if (pid < 0) {
        close(error_pipe[0]);
        cli::print_error(kProgram, std::string("fork: ") + std::strerror(errno));
        return kExitError;
    }
    // CMD is in our process group: the terminal's signals reach it directly; one sent
    // to the runner alone (kill, a job runner) is passed on.
    std::optional<cli::ChildRegistration> forwarding(std::in_place, pid, cli::OnSignal::forward);
    hold.reset();

    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    forwarding.reset();
    // Read only after the child is gone: an exec error is in the pipe by then, and
    // the runner sleeps once (in waitpid) instead of twice, which counts on a busy
    // machine, where every wake-up waits for a CPU.
    int exec_error = 0;
    ssize_t n;
    while ((n = read(error_pipe[0], &exec_error, sizeof exec_error)) < 0 && errno == EINTR) {
    }
    close(error_pipe[0]);
    if (n == sizeof exec_error)
        cli::print_error(kProgram, command[0] + ": " + std::strerror(exec_error));
    return exit_status_of(status);
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
    mp::sync::Lock lock = mp::sync::Lock::open(options.name);
    const bool held = take(
        options.wait, [&](auto timeout) { return lock.try_lock_for(timeout); }, [&] { lock.lock(); });
    if (!held) return options.busy_code;
    if (lock.owner_died())
        cli::print_error(kProgram, "lock " + options.name + ": its previous holder died holding it");
    const pid_t runner = getpid();
    // This child only calls prctl and getppid before exec: safe under vfork.
    const int status = start_and_run(options.command, ChildStart::vfork_then_exec, [&] {
        if (!die_with_parent(runner)) _exit(kExitError);
    });
    lock.unlock();
    return status;
}

int run_under_semaphore(const RunOptions& options, unsigned slots) {
    mp::sync::Semaphore sem = mp::sync::Semaphore::open(options.name, slots, mp::sync::SlotOwnership::process);
    const pid_t runner = getpid();
    const int status = start_and_run(options.command, ChildStart::fork, [&] {
        // Waiting for a slot: die with the runner. Holding one: CMD owns it.
        if (!die_with_parent(runner)) _exit(kExitError);
        const bool got = take(
            options.wait, [&](auto timeout) { return sem.try_acquire_for(timeout); }, [&] { sem.acquire(); });
        if (!got) _exit(options.busy_code);
        stop_dying_with_parent();
    });
    // CMD's process is reaped: its slot is a dead holder's, so give it back now.
    sem.reclaim_dead_holders();
    return status;
}

}  // namespace mp::tools::sync

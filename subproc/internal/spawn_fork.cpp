// The fork+exec spawner, for what posix_spawn cannot express (umask, dying with the
// parent, preexec_fn, or a libc without the _np extensions). Between fork and exec
// the child makes only async-signal-safe calls: the parent may be multithreaded, and
// another thread may have held the malloc lock at the moment of fork. Without a
// preexec_fn the child is made with vfork, as glibc's posix_spawn makes its own: it
// only makes system calls and writes its own stack, and its signal dispositions, fd
// table, cwd and umask are its own, so sharing our memory until exec is safe and
// spares copying our page tables. A step that fails writes
// {step, errno} to a close-on-exec pipe and _exits; the parent reads the pipe to EOF
// (EOF alone means exec succeeded), reaps the child and throws.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <cerrno>
#include <system_error>

#include "subproc/errors.hpp"
#include "subproc/internal/spawn.hpp"

namespace mp::subproc::internal {

namespace {

enum class Step : int { prctl, setpgid, setsid, chdir, umask, dup2, preexec_fn, exec };

const char* step_name(Step step) {
    switch (step) {
        case Step::prctl: return "prctl";
        case Step::setpgid: return "setpgid";
        case Step::setsid: return "setsid";
        case Step::chdir: return "chdir";
        case Step::umask: return "umask";
        case Step::dup2: return "dup2";
        case Step::preexec_fn: return "preexec_fn";
        case Step::exec: return "exec";
    }
    return "exec";
}

struct Report {
    Step step;
    int error;
};

[[noreturn]] void fail(int report_fd, Step step, int error = errno) {
    const Report report{step, error};
    // A short write cannot happen for 8 bytes on a pipe; nothing else to do here.
    [[maybe_unused]] const ssize_t n = ::write(report_fd, &report, sizeof report);
    ::_exit(127);
}

void close_range_in_child(unsigned first, unsigned last) {
#ifdef SYS_close_range
    if (::syscall(SYS_close_range, first, last, 0) == 0) return;
#endif
    // Only without close_range (Linux < 5.9, other systems): a bounded loop.
    const long limit = ::sysconf(_SC_OPEN_MAX);
    const unsigned stop = last < static_cast<unsigned>(limit > 0 ? limit : 1024) ? last : static_cast<unsigned>(limit - 1);
    for (unsigned fd = first; fd <= stop; ++fd) ::close(static_cast<int>(fd));
}

// Closes every fd >= 3 except the kept ones (sorted) and the report pipe.
void close_all_but(const std::vector<int>& keep, int report_fd) {
    unsigned next = 3;
    auto close_below = [&next](int fd) {
        if (static_cast<unsigned>(fd) > next) close_range_in_child(next, static_cast<unsigned>(fd) - 1);
        if (static_cast<unsigned>(fd) + 1 > next) next = static_cast<unsigned>(fd) + 1;
    };
    bool report_done = false;
    for (int fd : keep) {
        if (!report_done && report_fd < fd) {
            close_below(report_fd);
            report_done = true;
        }
        close_below(fd);
    }
    if (!report_done) close_below(report_fd);
    close_range_in_child(next, ~0U);
}

// What posix_spawn's dup2(fd, fd) does: keep `fd` across exec; EBADF if not open.
bool clear_cloexec(int fd) {
    const int flags = ::fcntl(fd, F_GETFD);
    return flags >= 0 && ::fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC) == 0;
}

// Only in a real fork child (never under vfork: it may allocate and throw).
void run_preexec(const std::function<void()>& preexec_fn, int report_fd) {
    try {
        preexec_fn();
    } catch (const std::system_error& e) {
        fail(report_fd, Step::preexec_fn, e.code().value());
    } catch (...) {
        fail(report_fd, Step::preexec_fn, ECANCELED);
    }
}

[[noreturn]] void run_child(const PreparedSpawn& spawn, int report_fd) {
    // Handlers of the parent must not run here: back to defaults (ignored signals
    // stay ignored across exec, as with posix_spawn, except SIGPIPE and SIGXFSZ).
    for (int sig = 1; sig < NSIG; ++sig) {
        struct sigaction action;
        if (::sigaction(sig, nullptr, &action) != 0) continue;
        const bool ignored = action.sa_handler == SIG_IGN;
        if ((ignored && sig != SIGPIPE && sig != SIGXFSZ) || action.sa_handler == SIG_DFL) continue;
        action.sa_handler = SIG_DFL;
        action.sa_flags = 0;
        ::sigaction(sig, &action, nullptr);
    }
    // With every handler at its default, no code of ours can run on a signal.
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
#ifdef __linux__
    if (spawn.die_with != 0) {
        if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) fail(report_fd, Step::prctl);
        // We may have died before prctl: then nobody would ever kill the child.
        if (::getppid() != spawn.die_with) fail(report_fd, Step::prctl, ESRCH);
    }
#endif
    switch (spawn.group.kind()) {
        case Group::Kind::own:
        case Group::Kind::join:
            if (::setpgid(0, spawn.group.pgid()) != 0) fail(report_fd, Step::setpgid);
            break;
        case Group::Kind::session:
            if (::setsid() < 0) fail(report_fd, Step::setsid);
            break;
        case Group::Kind::inherit: break;
    }
    if (spawn.cwd != nullptr && ::chdir(spawn.cwd) != 0) fail(report_fd, Step::chdir);
    if (spawn.umask) ::umask(*spawn.umask);
    for (int target = 0; target < 3; ++target) {
        const int source = spawn.stdio[target];
        if (source == target && !clear_cloexec(target)) fail(report_fd, Step::dup2);
        if (source >= 0 && source != target && ::dup2(source, target) < 0) fail(report_fd, Step::dup2);
    }
    for (int fd : spawn.pass_fds)
        if (!clear_cloexec(fd)) fail(report_fd, Step::dup2);
    if (spawn.preexec_fn != nullptr) run_preexec(*spawn.preexec_fn, report_fd);
    if (spawn.close_fds) close_all_but(spawn.pass_fds, report_fd);
    ::execve(spawn.path.c_str(), spawn.argv.data(), spawn.envp);
    fail(report_fd, Step::exec);
}

}  // namespace

pid_t spawn_with_fork(const PreparedSpawn& spawn) {
    PipeEnds report = make_pipe();
    // All signals blocked across fork, so no handler runs in the child before it has
    // reset the dispositions. stdio buffers need no flush: the child never returns
    // to code that could write them (it execs or _exits).
    sigset_t all, old;
    sigfillset(&all);
    ::pthread_sigmask(SIG_SETMASK, &all, &old);
    const pid_t pid = spawn.preexec_fn != nullptr ? ::fork() : ::vfork();
    if (pid == 0) run_child(spawn, report.write.get());
    const int fork_error = errno;
    ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
    if (pid < 0) throw SpawnError(fork_error, "fork", spawn.program);
    report.write.reset();

    Report failure{};
    ssize_t n;
    do n = ::read(report.read.get(), &failure, sizeof failure);
    while (n < 0 && errno == EINTR);
    if (n == 0) return pid;  // EOF: exec closed the pipe

    int status;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (n != static_cast<ssize_t>(sizeof failure)) throw SpawnError(EIO, "exec", spawn.program);
    const std::string object = failure.step == Step::chdir && spawn.cwd != nullptr ? spawn.cwd : "";
    throw SpawnError(failure.error, step_name(failure.step), spawn.program, object);
}

}  // namespace mp::subproc::internal

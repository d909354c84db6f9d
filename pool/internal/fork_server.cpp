#include "pool/internal/fork_server.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <initializer_list>
#include <system_error>

#include "ipc/connection.hpp"
#include "ipc/errors.hpp"
#include "pool/internal/child.hpp"
#include "sync/internal/os_error.hpp"
#include "pool/internal/stream_end.hpp"

namespace mp::pool::internal {

namespace {

// Control messages, one ipc frame each; a kSpawned message is followed by the
// pool's ends of the worker's channel as two fd frames (SCM_RIGHTS): results, tasks.
enum Command : int { kSpawn = 1, kSignalAll = 2, kSpawned = 3, kExited = 4, kRetire = 5 };
struct Message {
    int kind;
    int pid;
    int value;
};

using sync::internal::throw_errno;

// Sends without throwing: a peer that is gone notices by itself (EOF).
void send_quietly(ipc::Connection& control, const Message& message, std::initializer_list<int> passed_fds = {}) {
    try {
        control.send(message);
        for (int fd : passed_fds) control.send_fd(fd);
    } catch (const std::exception&) {
    }
}

void on_sigchld(int) {}  // only interrupts ppoll

// The server's whole life; never returns.
[[noreturn]] void serve(ipc::Connection& control, int initial, int first_number,
                        const std::function<void(WorkerChannel)>& worker_main, const std::vector<int>& first_workers) {
    struct sigaction quiet {}, original_chld {};
    quiet.sa_handler = on_sigchld;
    sigemptyset(&quiet.sa_mask);
    sigaction(SIGCHLD, &quiet, &original_chld);
    sigset_t chld, original_mask, polling_mask;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, &original_mask);
    polling_mask = original_mask;
    sigdelset(&polling_mask, SIGCHLD);

    std::vector<pid_t> workers;
    int next_number = first_number;
    const auto spawn_worker = [&] {
        try {
            StartedWorker worker = start_worker(
                next_number++,
                [&](WorkerChannel) {
                    control.close();
                    for (int pidfd : first_workers) close(pidfd);
                    sigaction(SIGCHLD, &original_chld, nullptr);
                    sigprocmask(SIG_SETMASK, &original_mask, nullptr);
                },
                worker_main);
            workers.push_back(worker.pid);
            send_quietly(control, {kSpawned, worker.pid, 0}, {worker.ends.results.get(), worker.ends.tasks.get()});
        } catch (const std::system_error& error) {
            send_quietly(control, {kSpawned, -error.code().value(), 0});  // a failure is an answer too
        }
    };
    const auto reap = [&] {
        int status;
        pid_t pid;
        while ((pid = waitpid(-1, &status, WNOHANG)) > 0 || (pid < 0 && errno == EINTR)) {
            if (pid < 0) continue;
            std::erase(workers, pid);
            send_quietly(control, {kExited, pid, status});
        }
    };

    for (int i = 0; i < initial; ++i) spawn_worker();
    bool retiring = false;
    try {
        for (;;) {
            reap();
            if (retiring && workers.empty()) break;
            pollfd entry{control.fileno(), POLLIN, 0};
            if (ppoll(&entry, 1, nullptr, &polling_mask) <= 0) continue;  // SIGCHLD: reap
            do {
                const auto message = control.recv<Message>();  // EOFError: the pool closed us
                if (message.kind == kSpawn) {
                    spawn_worker();
                } else if (message.kind == kSignalAll) {
                    for (pid_t pid : workers) kill(pid, message.value);
                } else if (message.kind == kRetire) {
                    retiring = true;
                }
            } while (control.poll());
        }
    } catch (const std::exception&) {
        // The pool is gone or shut us down: take the workers along, the ones it
        // forked itself too (by pidfd: those are not ours to reap, so their pids
        // may have been reused already) unless it retired us: then they were told
        // to stop, and may be gone and reaped already.
        if (!retiring)
            for (int pidfd : first_workers) signal_pidfd(pidfd, SIGKILL);
    }
    // Retired, or the pool is gone: take any worker left along.
    for (pid_t pid : workers) kill(pid, SIGKILL);
    int status;
    while (waitpid(-1, &status, 0) > 0 || errno == EINTR) {
    }
    exit_child(0);
}

}  // namespace

ForkServer::ForkServer(int initial_workers, int first_number, std::function<void(WorkerChannel)> worker_main,
                       std::vector<int> pass_fds,
                       const std::vector<int>& first_workers) {
    int pair[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) throw_errno("socketpair(fork server)");
    pid_t pid;
    try {
        pid = fork_flushed();
    } catch (...) {
        close(pair[0]);
        close(pair[1]);
        throw;
    }
    if (pid == 0) {
        pass_fds.push_back(pair[1]);
        pass_fds.insert(pass_fds.end(), first_workers.begin(), first_workers.end());
        close_all_but(pass_fds);
        ipc::Connection control{ipc::Fd(pair[1])};
        serve(control, initial_workers, first_number, worker_main, first_workers);
    }
    close(pair[1]);
    pid_ = pid;
    pidfd_ = open_pidfd(pid);
    control_ = ipc::Connection(ipc::Fd(pair[0]));
}

ForkServer::~ForkServer() { shutdown(std::chrono::seconds(2)); }

std::optional<ForkServer::Event> ForkServer::next_event(bool& closed) {
    closed = false;
    try {
        if (control_.closed()) {
            closed = true;
            return std::nullopt;
        }
        if (!control_.poll()) return std::nullopt;
        if (at_end_of_stream(control_)) {
            closed = true;  // it left (retired, or died)
            return std::nullopt;
        }
        const auto message = control_.recv<Message>();
        if (message.kind == kExited) return Event{Event::kExited, message.pid, {}, message.value};
        if (message.pid <= 0) return Event{Event::kSpawned, message.pid, {}, 0};
        // The fd frames follow their message at once (the server sends them in a row).
        return Event{Event::kSpawned, message.pid, receive_channel(), 0};
    } catch (const std::exception&) {
        closed = true;  // the server died (or sent nonsense): either way it is gone
        return std::nullopt;
    }
}

std::optional<PoolEnds> ForkServer::receive_channel() {
    // At this process's fd limit the kernel drops a descriptor in transit: its frame
    // arrives without it. The stream is still in step; the worker, whose peer ends
    // are then closed, exits and is reported like any other.
    const auto receive_one = [&]() -> ipc::Fd {
        try {
            return control_.recv_fd();
        } catch (const ipc::DecodeError&) {
            return ipc::Fd();
        }
    };
    ipc::Fd results = receive_one();
    ipc::Fd tasks = receive_one();
    if (!results || !tasks) return std::nullopt;
    return PoolEnds{std::move(results), std::move(tasks)};
}

void ForkServer::send_command(int kind, int value) {
    if (!control_.closed()) send_quietly(control_, {kind, 0, value});
}

void ForkServer::spawn() { send_command(kSpawn, 0); }
void ForkServer::signal_all(int signal) { send_command(kSignalAll, signal); }
void ForkServer::retire() { send_command(kRetire, 0); }

void ForkServer::shutdown(std::chrono::milliseconds grace) {
    if (pid_ < 0) return;
    control_.close();
    try {
        if (!wait_for_exit(pid_, pidfd_, Clock::now() + grace)) {
            kill(pid_, SIGKILL);
            wait_for_exit(pid_, pidfd_, std::nullopt);
        }
    } catch (const std::system_error&) {
        // Not ours to reap: SIGCHLD is ignored, so the kernel reaped it at its exit.
    }
    if (pidfd_ >= 0) close(pidfd_);
    pidfd_ = -1;
    pid_ = -1;
}

}  // namespace mp::pool::internal

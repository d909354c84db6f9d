#include "pool/internal/fork_server.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>

#include "pool/internal/child.hpp"

namespace mp::pool::internal {

namespace {

// Fixed-size control messages over a SOCK_SEQPACKET socketpair.
enum Command : int { kSpawn = 1, kSignalAll = 2, kSpawned = 3, kExited = 4 };
struct Message {
    int kind;
    int pid;
    int value;
};

[[noreturn]] void throw_errno(const char* what) { throw std::system_error(errno, std::generic_category(), what); }

void send_message(int fd, const Message& message, int passed_fd = -1) {
    iovec part{const_cast<Message*>(&message), sizeof message};
    msghdr header{};
    header.msg_iov = &part;
    header.msg_iovlen = 1;
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
    if (passed_fd >= 0) {
        header.msg_control = control;
        header.msg_controllen = sizeof control;
        cmsghdr* rights = CMSG_FIRSTHDR(&header);
        rights->cmsg_level = SOL_SOCKET;
        rights->cmsg_type = SCM_RIGHTS;
        rights->cmsg_len = CMSG_LEN(sizeof(int));
        std::memcpy(CMSG_DATA(rights), &passed_fd, sizeof(int));
    }
    while (sendmsg(fd, &header, MSG_NOSIGNAL) < 0)
        if (errno != EINTR) return;  // the other side is gone; it will notice by itself
}

// Reads one message; 0 on EOF, -1 when none is waiting (with `flags` MSG_DONTWAIT).
ssize_t recv_message(int fd, Message& message, int& passed_fd, int flags) {
    iovec part{&message, sizeof message};
    msghdr header{};
    header.msg_iov = &part;
    header.msg_iovlen = 1;
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
    header.msg_control = control;
    header.msg_controllen = sizeof control;
    ssize_t n;
    while ((n = recvmsg(fd, &header, flags | MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR) {
    }
    passed_fd = -1;
    for (cmsghdr* c = CMSG_FIRSTHDR(&header); n > 0 && c != nullptr; c = CMSG_NXTHDR(&header, c))
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) std::memcpy(&passed_fd, CMSG_DATA(c), sizeof(int));
    return n;
}

// Closes every fd except 0-2 and `keep` (sorted).
void close_all_but(std::vector<int> keep) {
    keep.push_back(2);
    std::sort(keep.begin(), keep.end());
    int from = 3;
    for (int fd : keep) {
        if (fd >= from) {
            if (fd > from) close_range(static_cast<unsigned>(from), static_cast<unsigned>(fd - 1), 0);
            from = fd + 1;
        }
    }
    close_range(static_cast<unsigned>(from), ~0u, 0);
}

void on_sigchld(int) {}  // only interrupts ppoll

// The server's whole life; never returns.
[[noreturn]] void serve(int control, int initial, const std::function<void(int)>& worker_main) {
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
    const auto spawn_worker = [&] {
        int pair[2];
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) {
            send_message(control, {kSpawned, -errno, 0});  // a failure is an answer too
            return;
        }
        const pid_t pid = fork();
        if (pid == 0) {
            close(control);
            close(pair[0]);
            sigaction(SIGCHLD, &original_chld, nullptr);
            sigprocmask(SIG_SETMASK, &original_mask, nullptr);
            worker_main(pair[1]);
            _exit(70);  // worker_main must not return
        }
        const int fork_error = errno;
        close(pair[1]);
        if (pid > 0) {
            workers.push_back(pid);
            send_message(control, {kSpawned, pid, 0}, pair[0]);
        } else {
            send_message(control, {kSpawned, -fork_error, 0});
        }
        close(pair[0]);
    };
    const auto reap = [&] {
        int status;
        pid_t pid;
        while ((pid = waitpid(-1, &status, WNOHANG)) > 0 || (pid < 0 && errno == EINTR)) {
            if (pid < 0) continue;
            std::erase(workers, pid);
            send_message(control, {kExited, pid, status});
        }
    };

    for (int i = 0; i < initial; ++i) spawn_worker();
    for (;;) {
        reap();
        pollfd entry{control, POLLIN, 0};
        if (ppoll(&entry, 1, nullptr, &polling_mask) <= 0) continue;  // SIGCHLD: reap
        Message message;
        int unused_fd;
        if (recv_message(control, message, unused_fd, 0) <= 0) break;  // the pool closed us
        if (message.kind == kSpawn) {
            spawn_worker();
        } else if (message.kind == kSignalAll) {
            for (pid_t pid : workers) kill(pid, message.value);
        }
    }
    for (pid_t pid : workers) kill(pid, SIGKILL);
    int status;
    while (waitpid(-1, &status, 0) > 0 || errno == EINTR) {
    }
    _exit(0);
}

}  // namespace

ForkServer::ForkServer(int initial_workers, std::function<void(int)> worker_main, std::vector<int> pass_fds) {
    int pair[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0) throw_errno("socketpair(fork server)");
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
        close_all_but(pass_fds);
        serve(pair[1], initial_workers, worker_main);
    }
    close(pair[1]);
    pid_ = pid;
    pidfd_ = open_pidfd(pid);
    control_ = pair[0];
}

ForkServer::~ForkServer() { shutdown(std::chrono::seconds(2)); }

std::optional<ForkServer::Event> ForkServer::next_event(bool& closed) {
    closed = false;
    if (control_ < 0) {
        closed = true;
        return std::nullopt;
    }
    Message message;
    int channel;
    const ssize_t n = recv_message(control_, message, channel, MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) closed = true;
    if (n != static_cast<ssize_t>(sizeof message)) {
        if (channel >= 0) close(channel);
        return std::nullopt;
    }
    if (message.kind == kSpawned) return Event{Event::kSpawned, message.pid, channel, 0};
    if (channel >= 0) close(channel);
    return Event{Event::kExited, message.pid, -1, message.value};
}

void ForkServer::send_command(int kind, int value) {
    if (control_ >= 0) send_message(control_, {kind, 0, value});
}

void ForkServer::spawn() { send_command(kSpawn, 0); }
void ForkServer::signal_all(int signal) { send_command(kSignalAll, signal); }

void ForkServer::shutdown(std::chrono::milliseconds grace) {
    if (pid_ < 0) return;
    close(control_);
    control_ = -1;
    if (!wait_for_exit(pid_, pidfd_, Clock::now() + grace)) {
        kill(pid_, SIGKILL);
        wait_for_exit(pid_, pidfd_, std::nullopt);
    }
    if (pidfd_ >= 0) close(pidfd_);
    pidfd_ = -1;
    pid_ = -1;
}

}  // namespace mp::pool::internal

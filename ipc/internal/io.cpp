#include "ipc/internal/io.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>

#include "ipc/errors.hpp"
#include "sync/internal/deadline.hpp"

namespace mp::ipc::internal {
namespace {

// Blocks SIGPIPE in this thread while a pipe is written, so that a closed reader
// gives EPIPE instead of killing the process; a SIGPIPE our write raised is
// consumed before the old mask returns. (Sockets use MSG_NOSIGNAL instead.)
// No SIGPIPE can be pending for a thread that did not block it, so one that is
// pending after our EPIPE is ours; a thread that blocked it already keeps its own.
class SigpipeBlock {
public:
    SigpipeBlock() {
        sigemptyset(&sigpipe_);
        sigaddset(&sigpipe_, SIGPIPE);
        pthread_sigmask(SIG_BLOCK, &sigpipe_, &old_mask_);
    }
    ~SigpipeBlock() {
        if (raised_ && sigismember(&old_mask_, SIGPIPE) == 0) {
            const timespec zero{};
            while (sigtimedwait(&sigpipe_, nullptr, &zero) < 0 && errno == EINTR) {
            }
        }
        pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
    }
    void note_epipe() { raised_ = true; }

private:
    sigset_t sigpipe_;
    sigset_t old_mask_;
    bool raised_ = false;
};

void wait_for(int fd, short events) {
    pollfd p{fd, events, 0};
    while (::poll(&p, 1, -1) < 0) {
        if (errno != EINTR) throw_errno("poll(fd " + std::to_string(fd) + ")");
    }
}

// Takes the descriptors of every SCM_RIGHTS message in `control` (each now ours,
// to close), and appends them to `received_fds` unless the control data breaks the
// rules (see read_some): then they are closed and DecodeError thrown.
void collect_fds(msghdr& message, std::vector<Fd>& received_fds) {
    std::vector<Fd> fds;
    bool stray = false;
    for (cmsghdr* c = CMSG_FIRSTHDR(&message); c != nullptr; c = CMSG_NXTHDR(&message, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) {
            stray = true;
            continue;
        }
        const std::size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (std::size_t i = 0; i < count; ++i) {
            int fd;
            std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
            fds.emplace_back(fd);
        }
    }
    if ((message.msg_flags & MSG_CTRUNC) != 0)
        throw DecodeError("ipc: Connection::recv: more than " + std::to_string(kMaxFdsPerRead) +
                          " descriptors came in one read (control data truncated); the " + std::to_string(fds.size()) +
                          " that arrived were closed");
    if (stray)
        throw DecodeError("ipc: Connection::recv: control data other than descriptors (SCM_RIGHTS) arrived; the " +
                          std::to_string(fds.size()) + " descriptors with it were closed");
    for (Fd& fd : fds) received_fds.push_back(std::move(fd));
}

// sendmsg with MSG_NOSIGNAL, and `pass_fds` as SCM_RIGHTS.
ssize_t send_some(int fd, iovec* iov, int iov_count, std::span<const int> pass_fds) {
    msghdr message{};
    message.msg_iov = iov;
    message.msg_iovlen = static_cast<std::size_t>(iov_count);
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxFdsPerRead)];
    if (!pass_fds.empty()) {
        message.msg_control = control;
        message.msg_controllen = CMSG_SPACE(sizeof(int) * pass_fds.size());
        cmsghdr* c = CMSG_FIRSTHDR(&message);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * pass_fds.size());
        std::memcpy(CMSG_DATA(c), pass_fds.data(), sizeof(int) * pass_fds.size());
    }
    return ::sendmsg(fd, &message, MSG_NOSIGNAL);
}

// RWF_NOSIGNAL (recent Linux): a pipe write that finds no reader fails with EPIPE
// without raising SIGPIPE, as MSG_NOSIGNAL does for sockets, and saves the two
// sigprocmask calls of SigpipeBlock. A kernel that does not know the flag says
// EOPNOTSUPP (ENOSYS without pwritev2): then pipes fall back to SigpipeBlock.
#ifdef __linux__
constexpr int kRwfNoSignal = 0x00000100;
std::atomic<bool> g_rwf_nosignal{true};
ssize_t write_some_nosignal(int fd, const iovec* iov, int iov_count) {
    return ::pwritev2(fd, iov, iov_count, -1, kRwfNoSignal);
}
#else
std::atomic<bool> g_rwf_nosignal{false};
ssize_t write_some_nosignal(int, const iovec*, int) {
    errno = ENOSYS;
    return -1;
}
#endif

}  // namespace

std::size_t read_some(Endpoint end, const iovec* iov, int iov_count, std::vector<Fd>& received_fds) {
    for (;;) {
        ssize_t n;
        if (end.socket) {
            alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxFdsPerRead)];
            msghdr message{};
            message.msg_iov = const_cast<iovec*>(iov);
            message.msg_iovlen = static_cast<std::size_t>(iov_count);
            message.msg_control = control;
            message.msg_controllen = sizeof control;
            n = ::recvmsg(end.fd, &message, MSG_CMSG_CLOEXEC);
            if (n >= 0) collect_fds(message, received_fds);
        } else {
            // read(2) spares the kernel importing an iovec array (~40 ns a call).
            n = iov_count == 1 ? ::read(end.fd, iov->iov_base, iov->iov_len) : ::readv(end.fd, iov, iov_count);
        }
        if (n >= 0) return static_cast<std::size_t>(n);
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            wait_for(end.fd, POLLIN);
            continue;
        }
        // A socket whose peer vanished with unread data reports a reset: that is
        // the end of the stream as far as the reader can tell.
        if (errno == ECONNRESET) return 0;
        throw_errno(std::string(end.socket ? "recvmsg" : "read") + "(fd " + std::to_string(end.fd) + ")");
    }
}

void write_all(Endpoint end, iovec* iov, int iov_count, std::span<const int> pass_fds) {
    if (pass_fds.size() > kMaxFdsPerRead)
        throw std::invalid_argument("ipc: Connection::send: " + std::to_string(pass_fds.size()) +
                                    " descriptors in one message, over the maximum of " + std::to_string(kMaxFdsPerRead));
    std::optional<SigpipeBlock> sigpipe_block;
    while (iov_count > 0) {
        ssize_t n;
        const char* call_name;
        if (end.socket && iov_count == 1 && pass_fds.empty()) {
            call_name = "send";  // cheaper than sendmsg: no msghdr or iovec array to import
            n = ::send(end.fd, iov->iov_base, iov->iov_len, MSG_NOSIGNAL);
        } else if (end.socket) {
            call_name = "sendmsg";
            n = send_some(end.fd, iov, iov_count, pass_fds);
        } else if (g_rwf_nosignal.load(std::memory_order_relaxed)) {
            call_name = "pwritev2";
            n = write_some_nosignal(end.fd, iov, iov_count);
            if (n < 0 && (errno == EOPNOTSUPP || errno == ENOSYS)) {
                g_rwf_nosignal.store(false, std::memory_order_relaxed);  // an older kernel
                continue;
            }
        } else {
            call_name = "writev";
            if (!sigpipe_block) sigpipe_block.emplace();
            n = ::writev(end.fd, iov, iov_count);
        }
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                wait_for(end.fd, POLLOUT);
                continue;
            }
            const std::string call = std::string(call_name) + "(fd " + std::to_string(end.fd) + ")";
            if (errno == EPIPE || errno == ECONNRESET) {
                if (sigpipe_block) sigpipe_block->note_epipe();
                throw BrokenPipeError(errno, call + ": the reading end is closed");
            }
            throw_errno(call);
        }
        pass_fds = {};  // they went with the bytes just written
        auto written = static_cast<std::size_t>(n);
        while (iov_count > 0 && written >= iov->iov_len) {
            written -= iov->iov_len;
            ++iov;
            --iov_count;
        }
        if (iov_count > 0) {
            iov->iov_base = static_cast<char*>(iov->iov_base) + written;
            iov->iov_len -= written;
        }
    }
}

void use_rwf_nosignal(bool use) noexcept { g_rwf_nosignal.store(use, std::memory_order_relaxed); }

namespace {
// Room for three 64 KiB frames with their headers: a writer of large messages can
// run ahead of the reader instead of waking it for each 64 KiB (the default pipe,
// 64 KiB, cannot even hold one such frame). Small enough that many pipes stay
// far below the per-user allowance (pipe-user-pages-soft, 64 MiB by default).
std::atomic<std::size_t> g_pipe_buffer_request{256 * 1024};
}  // namespace

std::size_t pipe_buffer_request() noexcept { return g_pipe_buffer_request.load(std::memory_order_relaxed); }
void set_pipe_buffer_request(std::size_t bytes) noexcept {
    g_pipe_buffer_request.store(bytes, std::memory_order_relaxed);
}

bool grow_pipe_buffer(int fd, std::size_t bytes) noexcept {
#ifdef F_SETPIPE_SZ
    if (bytes > static_cast<std::size_t>(std::numeric_limits<int>::max())) return false;
    const int now = ::fcntl(fd, F_GETPIPE_SZ);
    if (now >= 0 && static_cast<std::size_t>(now) >= bytes) return true;
    return ::fcntl(fd, F_SETPIPE_SZ, static_cast<int>(bytes)) >= 0;
#else
    (void)fd;
    (void)bytes;
    return false;  // a system without resizable pipes keeps its size
#endif
}

void grow_send_buffer(int fd, std::size_t bytes) noexcept {
    int now = 0;
    socklen_t size = sizeof now;
    if (::getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &now, &size) == 0 && static_cast<std::size_t>(now) >= bytes) return;
    const int request = static_cast<int>(std::min<std::size_t>(bytes, std::numeric_limits<int>::max()));
    (void)::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &request, sizeof request);
}

bool wait_readable(std::span<pollfd> fds, sync::internal::SteadyTime deadline) {
    for (pollfd& p : fds) p.events = POLLIN;
    for (;;) {
        timespec ts{};
        timespec* limit = nullptr;
        if (deadline != sync::internal::kNoDeadline) {
            const auto left = sync::internal::time_left(deadline);
            ts.tv_sec = static_cast<time_t>(left.count() / 1'000'000'000);
            ts.tv_nsec = static_cast<long>(left.count() % 1'000'000'000);
            limit = &ts;
        }
        const int n = ::ppoll(fds.data(), fds.size(), limit, nullptr);
        if (n > 0) return true;
        if (n == 0) return false;
        if (errno != EINTR) throw_errno("ppoll(" + std::to_string(fds.size()) + " fds)");
    }
}

}  // namespace mp::ipc::internal

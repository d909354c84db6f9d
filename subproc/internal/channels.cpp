#include "subproc/internal/channels.hpp"

#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace mp::subproc::internal {

namespace {

// Bytes asked of one read(): the default pipe capacity, so one read usually
// empties the pipe.
constexpr std::size_t kReadChunk = 64 * 1024;

// Zero-wait polls pump() still makes once the deadline has passed, while they find
// something ready: a timeout (zero included) reports only after what the pipes
// already hold has been taken. Two suffice for a pipe filled to its default
// capacity and closed (the data, then EOF); the bound keeps a child that never
// stops writing from holding a timed call.
constexpr int kLatePolls = 4;

// Blocks SIGPIPE in this thread while we write to a child's stdin: a write to a
// pipe whose reader is gone then fails with EPIPE, and the SIGPIPE it raised stays
// pending instead of killing the process. On the way out the pending SIGPIPE is
// consumed, unless one was already pending before (that one is not ours).
class SigpipeBlock {
public:
    SigpipeBlock() {
        sigemptyset(&pipe_);
        sigaddset(&pipe_, SIGPIPE);
        ::pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
        sigset_t pending;
        ::sigpending(&pending);
        was_pending_ = sigismember(&pending, SIGPIPE) == 1;
    }
    ~SigpipeBlock() {
        if (raised_ && !was_pending_) {
            const timespec no_wait{};
            while (::sigtimedwait(&pipe_, nullptr, &no_wait) < 0 && errno == EINTR) {
            }
        }
        ::pthread_sigmask(SIG_SETMASK, &old_, nullptr);
    }
    SigpipeBlock(const SigpipeBlock&) = delete;
    SigpipeBlock& operator=(const SigpipeBlock&) = delete;
    void note_epipe() { raised_ = true; }

private:
    sigset_t pipe_;
    sigset_t old_;
    bool was_pending_ = false;
    bool raised_ = false;
};

bool input_pending(const Channels& c) { return c.in && c.input_written < c.input.size(); }

bool goal_reached(const Channels& c, Until goal, ExitWatch* watch) {
    switch (goal) {
        case Until::all_closed: return !c.in && !c.out && !c.err;
        case Until::line_ready:
            return !c.out || std::memchr(c.out_data.data() + c.out_consumed, '\n',
                                         c.out_data.size() - c.out_consumed) != nullptr;
        case Until::exited: return watch->exited();
    }
    return true;
}

// One read into `data` through `buffer`; closes `fd` at EOF.
void read_some(UniqueFd& fd, std::string& data, std::unique_ptr<char[]>& buffer) {
    if (!buffer) buffer = std::make_unique_for_overwrite<char[]>(kReadChunk);
    const ssize_t n = ::read(fd.get(), buffer.get(), kReadChunk);
    if (n > 0) data.append(buffer.get(), static_cast<std::size_t>(n));
    else if (n == 0) fd.reset();
    else if (errno != EAGAIN && errno != EINTR) throw_errno("read(child output)");
}

void write_some(Channels& c, SigpipeBlock& sigpipe) {
    const ssize_t n = ::write(c.in.get(), c.input.data() + c.input_written, c.input.size() - c.input_written);
    if (n > 0) c.input_written += static_cast<std::size_t>(n);
    else if (n < 0 && errno == EPIPE) {
        sigpipe.note_epipe();
        c.input_written = c.input.size();  // the child will read no more
    } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
        throw_errno("write(child stdin)");
    }
    if (c.input_written == c.input.size()) {
        c.in.reset();  // EOF for the child
        c.input = {};
        c.input_written = 0;  // nothing left for keep_input() to keep on a timeout
        std::string().swap(c.input_storage);
    }
}

}  // namespace

void Channels::adopt(UniqueFd stdin_end, UniqueFd stdout_end, UniqueFd stderr_end) {
    for (UniqueFd* fd : {&stdin_end, &stdout_end, &stderr_end})
        if (*fd) set_nonblocking(fd->get());
    in = std::move(stdin_end);
    out = std::move(stdout_end);
    err = std::move(stderr_end);
}

std::string Channels::take_out() {
    std::string rest = out_consumed == 0 ? std::move(out_data) : out_data.substr(out_consumed);
    out_data.clear();
    out_consumed = 0;
    return rest;
}

std::string Channels::take_err() {
    std::string all = std::move(err_data);
    err_data.clear();
    return all;
}

void Channels::keep_input() {
    if (input.data() == input_storage.data()) return;
    input_storage.assign(input.substr(input_written));
    input = input_storage;
    input_written = 0;
}

void Channels::close_all() {
    in.reset();
    out.reset();
    err.reset();
}

bool pump(Channels& c, Until goal, Deadline deadline, ExitWatch* watch) {
    std::optional<SigpipeBlock> sigpipe;
    Backoff backoff;
    int late_polls = 0;
    for (;;) {
        if (goal_reached(c, goal, watch)) return true;
        const bool late = passed(deadline);
        if (late && ++late_polls > kLatePolls) return false;

        pollfd fds[4];
        nfds_t count = 0;
        const int in_index = input_pending(c) ? static_cast<int>(count++) : -1;
        if (in_index >= 0) {
            fds[in_index] = {c.in.get(), POLLOUT, 0};
            if (!sigpipe) sigpipe.emplace();
        }
        const int out_index = c.out ? static_cast<int>(count++) : -1;
        if (out_index >= 0) fds[out_index] = {c.out.get(), POLLIN, 0};
        const int err_index = c.err ? static_cast<int>(count++) : -1;
        if (err_index >= 0) fds[err_index] = {c.err.get(), POLLIN, 0};
        int cap = -1;
        if (goal == Until::exited) {
            if (const int pidfd = watch->fd(); pidfd >= 0) fds[count++] = {pidfd, POLLIN, 0};
            else cap = backoff.next_ms();
        }
        if (goal == Until::all_closed && in_index < 0 && c.in) c.in.reset();  // nothing (left) to write
        if (count == 0 && goal != Until::exited) continue;                    // goal_reached() holds now

        const int ready = ::poll(fds, count, poll_timeout_ms(deadline, cap));
        if (ready < 0 && errno != EINTR) throw_errno("poll");
        if (ready == 0 && late) return goal_reached(c, goal, watch);  // nothing more is there
        if (ready <= 0) continue;
        if (out_index >= 0 && fds[out_index].revents != 0) read_some(c.out, c.out_data, c.read_buffer);
        if (err_index >= 0 && fds[err_index].revents != 0) read_some(c.err, c.err_data, c.read_buffer);
        if (in_index >= 0 && fds[in_index].revents != 0) write_some(c, *sigpipe);
    }
}

}  // namespace mp::subproc::internal

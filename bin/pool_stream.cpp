#include "bin/pool_stream.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <string>
#include <system_error>

namespace mp::tools::pool {

bool stream_job(mp::subproc::Popen& job, const JobInput& input, mp::subproc::Timeout timeout, bool whole_lines,
                const std::function<void(int fd, std::string_view text)>& emit) {
    using Clock = std::chrono::steady_clock;
    const auto deadline = timeout ? Clock::now() + *timeout : Clock::time_point::max();
    if (input.empty() && job.stdin_fd() >= 0) job.close_stdin();
    // Non-blocking stdin: a job that reads slowly never keeps us from its output.
    if (job.stdin_fd() >= 0) ::fcntl(job.stdin_fd(), F_SETFL, ::fcntl(job.stdin_fd(), F_GETFL) | O_NONBLOCK);
    std::array<int, 2> fds = {job.stdout_fd(), job.stderr_fd()};
    std::array<bool, 2> open = {fds[0] >= 0, fds[1] >= 0};
    std::array<std::string, 2> partial;  // whole_lines: a line not yet ended
    std::size_t written = 0;
    char buffer[65536];
    while (open[0] || open[1] || job.stdin_fd() >= 0) {
        std::array<pollfd, 3> polled{};
        nfds_t count = 0;
        for (int i = 0; i < 2; ++i)
            if (open[i]) polled[count++] = {fds[i], POLLIN, 0};
        if (job.stdin_fd() >= 0) polled[count++] = {job.stdin_fd(), POLLOUT, 0};
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
        if (timeout && left.count() <= 0) return false;
        const int ready = ::poll(polled.data(), count, timeout ? static_cast<int>(std::min<long long>(left.count(), 1 << 30)) : -1);
        if (ready < 0 && errno == EINTR) continue;
        if (ready < 0) throw std::system_error(errno, std::generic_category(), "poll");
        for (nfds_t p = 0; p < count; ++p) {
            if (polled[p].revents == 0) continue;
            if (polled[p].fd == job.stdin_fd()) {
                const ssize_t n = input.write_to(polled[p].fd, written);
                if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
                if (n < 0 && errno != EPIPE) throw std::system_error(errno, std::generic_category(), "write(job stdin)");
                if (n > 0) written += static_cast<std::size_t>(n);
                if (n <= 0 || written == input.size()) job.close_stdin();  // done, EPIPE, or a file that shrank
                continue;
            }
            const int i = polled[p].fd == fds[0] ? 0 : 1;
            const ssize_t n = ::read(fds[i], buffer, sizeof buffer);
            if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
            if (n < 0) throw std::system_error(errno, std::generic_category(), "read");
            if (n == 0) {
                open[i] = false;
                if (!partial[i].empty()) emit(i + 1, partial[i]);
                continue;
            }
            const std::string_view got(buffer, static_cast<std::size_t>(n));
            if (!whole_lines) {
                emit(i + 1, got);
                continue;
            }
            const std::size_t last = got.rfind('\n');
            if (last == std::string_view::npos) {
                partial[i] += got;
                continue;
            }
            partial[i] += got.substr(0, last + 1);
            emit(i + 1, partial[i]);
            partial[i].assign(got.substr(last + 1));
        }
    }
    try {
        job.wait(timeout ? mp::subproc::Timeout(std::max(deadline - Clock::now(), Clock::duration::zero()))
                         : mp::subproc::Timeout());
    } catch (const mp::subproc::TimeoutExpired&) {
        return false;
    }
    return true;
}

}  // namespace mp::tools::pool

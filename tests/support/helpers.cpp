#include "tests/support/helpers.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <thread>
#include <stdexcept>
#include <system_error>

namespace mp::test {

namespace {

constexpr const char* kHelperFlag = "--mp-test-helper=";

std::map<std::string, HelperMain>& helpers() {
    static std::map<std::string, HelperMain> registry;
    return registry;
}

[[noreturn]] void throw_errno(const std::string& what) {
    throw std::system_error(errno, std::generic_category(), what);
}

void make_pipe(int fds[2]) {
    if (pipe2(fds, O_CLOEXEC) != 0) throw_errno("pipe2");
}

// Writes without letting SIGPIPE kill the suite when the command closed its stdin.
ssize_t write_without_sigpipe(int fd, const char* data, size_t size) {
    sigset_t pipe_signal, old;
    sigemptyset(&pipe_signal);
    sigaddset(&pipe_signal, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_signal, &old);
    const ssize_t n = write(fd, data, size);
    const int saved = errno;
    if (n < 0 && saved == EPIPE) {
        const timespec no_wait{};
        sigtimedwait(&pipe_signal, nullptr, &no_wait);
    }
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
    errno = saved;
    return n;
}

}  // namespace

CommandResult run_command(const std::vector<std::string>& argv, const std::string& input,
                          std::chrono::milliseconds limit) {
    int in[2], out[2], err[2];
    make_pipe(in);
    make_pipe(out);
    make_pipe(err);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);

    const pid_t pid = fork();
    if (pid < 0) throw_errno("fork");
    if (pid == 0) {
        setpgid(0, 0);
        dup2(in[0], 0);
        dup2(out[1], 1);
        dup2(err[1], 2);
        signal(SIGPIPE, SIG_DFL);
        execvp(args[0], args.data());
        dprintf(2, "run_command: exec %s: %s\n", args[0], strerror(errno));
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    close(err[1]);
    fcntl(in[1], F_SETFL, O_NONBLOCK);

    CommandResult result;
    size_t written = 0;
    int to_child = in[1];
    if (input.empty()) {
        close(to_child);
        to_child = -1;
    }
    const auto deadline = std::chrono::steady_clock::now() + limit;
    int open_outputs = 2;
    while (open_outputs > 0 || to_child >= 0) {
        pollfd fds[3] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}, {to_child, POLLOUT, 0}};
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            result.timed_out = true;
            kill(-pid, SIGKILL);
            kill(pid, SIGKILL);
            break;
        }
        const int ready = poll(fds, 3, static_cast<int>(left.count()));
        if (ready < 0 && errno != EINTR) throw_errno("poll");
        if (ready <= 0) continue;
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || fds[i].revents == 0) continue;
            char buffer[65536];
            const ssize_t n = read(fds[i].fd, buffer, sizeof buffer);
            if (n > 0) {
                (i == 0 ? result.out : result.err).append(buffer, static_cast<size_t>(n));
            } else if (n == 0 || errno != EINTR) {
                close(fds[i].fd);
                (i == 0 ? out[0] : err[0]) = -1;
                --open_outputs;
            }
        }
        if (to_child >= 0 && fds[2].revents != 0) {
            const ssize_t n = write_without_sigpipe(to_child, input.data() + written, input.size() - written);
            if (n > 0) written += static_cast<size_t>(n);
            if ((n < 0 && errno != EAGAIN && errno != EINTR) || written == input.size()) {
                close(to_child);
                to_child = -1;
            }
        }
    }
    for (int fd : {out[0], err[0], to_child})
        if (fd >= 0) close(fd);

    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
    return result;
}

bool path_exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

void write_file(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

std::string bin_path(const std::string& name) {
    const char* dir = std::getenv("MP_BIN_DIR");
    return std::string(dir != nullptr ? dir : "bin") + "/" + name;
}

bool register_helper(const std::string& name, HelperMain body) {
    helpers()[name] = std::move(body);
    return true;
}

std::vector<std::string> helper_command(const std::string& name, const std::vector<std::string>& args) {
    char self[4096];
    const ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n < 0) throw_errno("readlink(/proc/self/exe)");
    std::vector<std::string> argv{std::string(self, static_cast<size_t>(n)), kHelperFlag + name};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
}

int run_helper_if_requested(int argc, char** argv) {
    if (argc < 2 || std::strncmp(argv[1], kHelperFlag, std::strlen(kHelperFlag)) != 0) return -1;
    const std::string name = argv[1] + std::strlen(kHelperFlag);
    const auto found = helpers().find(name);
    if (found == helpers().end()) {
        dprintf(2, "test helper: no helper named %s\n", name.c_str());
        return 125;
    }
    return found->second(std::vector<std::string>(argv + 2, argv + argc));
}

std::string unique_name(const std::string& tag) {
    return "mp-test-" + std::to_string(getpid()) + "-" + tag;
}

bool has_exited(pid_t pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string skip_pid, skip_name;
    char state = 'Z';
    if (stat >> skip_pid >> skip_name >> state) return state == 'Z' || state == 'X';
    return true;
}

bool exits_within(pid_t pid, std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!has_exited(pid)) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return true;
}

}  // namespace mp::test

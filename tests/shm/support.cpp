#include "tests/shm/support.hpp"

#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <exception>
#include <memory>
#include <system_error>
#include <thread>
#include <vector>

#include "shm/shared_memory.hpp"
#include "tests/support/helpers.hpp"

namespace mp::shm::test {

Child::Child(const std::function<int()>& body) {
    std::fflush(nullptr);
    pid_ = fork();
    if (pid_ < 0) throw std::system_error(errno, std::generic_category(), "fork");
    if (pid_ == 0) {
        int code = 99;
        try {
            code = body();
        } catch (const std::exception& error) {
            std::fprintf(stderr, "child: %s\n", error.what());
        } catch (...) {
        }
        _exit(code);
    }
}

Child::~Child() {
    if (pid_ > 0) {
        kill(pid_, SIGKILL);
        join();
    }
}

int Child::join(std::chrono::milliseconds limit) {
    if (pid_ <= 0) return -1;
    const auto deadline = std::chrono::steady_clock::now() + limit;
    int status = 0;
    for (;;) {
        const pid_t done = waitpid(pid_, &status, WNOHANG);
        if (done == pid_) break;
        if (done < 0 && errno != EINTR) return -1;
        if (std::chrono::steady_clock::now() > deadline) kill(pid_, SIGKILL);
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    pid_ = -1;
    if (WIFSIGNALED(status)) return -1000 - WTERMSIG(status);
    return WEXITSTATUS(status);
}

int run_children(int count, const std::function<int(int)>& body) {
    std::vector<std::unique_ptr<Child>> children;
    for (int i = 0; i < count; ++i) children.push_back(std::make_unique<Child>([&body, i] { return body(i); }));
    int failed = 0;
    for (auto& child : children) failed += child->join() != 0;
    return failed;
}

bool wait_until_set(const mp::shm::Value<int>& flag, std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (flag.load() == 0) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        sched_yield();
    }
    return true;
}

CliResult shm_cli(const std::vector<std::string>& args) { return shm_cli(mp::test::bin_path("shm"), args); }

CliResult shm_cli(const std::string& tool, const std::vector<std::string>& args) {
    std::vector<std::string> argv{tool};
    argv.insert(argv.end(), args.begin(), args.end());
    const mp::test::CommandResult r = mp::test::run_command(argv);
    return {r.signal != 0 ? -1000 - r.signal : r.exit_code, r.out, r.err};
}

bool segment_exists(const std::string& name) {
    return access(("/dev/shm" + segment_path(name)).c_str(), F_OK) == 0;
}

}  // namespace mp::shm::test

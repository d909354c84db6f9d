// Plumbing shared by the soak scenarios: shared memory, the SIGUSR1 hammer, fd and
// child accounting.
#include <dirent.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <random>
#include <string>
#include <system_error>
#include <vector>

#include "tests/soak/soak.hpp"

namespace mp::soak {

namespace {
Row* g_signal_row = nullptr;
void on_sigusr1(int) {
    if (g_signal_row != nullptr) g_signal_row->signals.fetch_add(1, std::memory_order_relaxed);
}
}  // namespace

void* shared_bytes(std::size_t bytes) {
    void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::system_error(errno, std::generic_category(), "mmap(soak shared memory)");
    return p;
}

void install_noop_sigusr1() {
    struct sigaction sa {};
    sa.sa_handler = on_sigusr1;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // no SA_RESTART: every blocking call sees EINTR
    ::sigaction(SIGUSR1, &sa, nullptr);
}

Hammer::Hammer(Row* row) : row_(row) {
    g_signal_row = row;
    install_noop_sigusr1();
    thread_ = std::thread([this] { loop(); });
}

Hammer::~Hammer() {
    stop_ = true;
    thread_.join();
}

void Hammer::loop() {
    sigset_t usr1;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &usr1, nullptr);
    while (!stop_) {
        ::kill(::getpid(), SIGUSR1);
        {
            std::lock_guard hold(children_lock_);
            for (int i = 0; i < child_count_; ++i) {
                const pid_t pid = child_pids_[i].load();
                if (pid > 0) ::kill(pid, SIGUSR1);
            }
        }
        sleep_for(std::chrono::milliseconds(2));
    }
}

int count_open_fds() {
    DIR* dir = ::opendir("/proc/self/fd");
    if (dir == nullptr) return -1;
    int n = 0;
    while (const dirent* e = ::readdir(dir)) {
        if (e->d_name[0] != '.') ++n;
    }
    ::closedir(dir);
    return n - 1;
}

namespace {
// The pids of this process's live children, from /proc/self/task/*/children.
std::vector<pid_t> live_children() {
    std::vector<pid_t> pids;
    DIR* dir = ::opendir("/proc/self/task");
    if (dir == nullptr) return pids;
    while (const dirent* e = ::readdir(dir)) {
        if (e->d_name[0] == '.') continue;
        std::ifstream in(std::string("/proc/self/task/") + e->d_name + "/children");
        for (pid_t pid; in >> pid;) pids.push_back(pid);
    }
    ::closedir(dir);
    return pids;
}
}  // namespace

int reap_leftover_children() {
    // Zombies are listed too; a live one is not ours to leave running: kill it.
    const std::vector<pid_t> listed = live_children();
    for (const pid_t pid : listed) ::kill(pid, SIGKILL);
    int reaped = 0;
    for (;;) {
        if (::waitpid(-1, nullptr, 0) > 0) {
            ++reaped;
        } else if (errno != EINTR) {
            return std::max(reaped, static_cast<int>(listed.size()));
        }
    }
}

bool kill_and_reap(pid_t pid) {
    if (pid <= 0) return false;  // never kill(0) or kill(-1): that is a whole group
    ::kill(pid, SIGKILL);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return WIFEXITED(status) && WEXITSTATUS(status) == kChildThrew;
}

std::int64_t random_between(std::int64_t lo, std::int64_t hi) {
    thread_local std::mt19937_64 rng{std::random_device{}()};
    return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng);
}

void sleep_for(std::chrono::nanoseconds d) {
    timespec ts{static_cast<time_t>(d.count() / 1000000000), static_cast<long>(d.count() % 1000000000)};
    while (::nanosleep(&ts, &ts) < 0 && errno == EINTR) {
    }
}

}  // namespace mp::soak

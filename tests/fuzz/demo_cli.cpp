// libFuzzer target over the demos' command lines, from the outside: each input is
// an argv for one of bin/{ipc,pool,shm,subproc,sync,threadpool}, run as a real
// process. The parsers live inside each demo's main(), so they are exercised as
// users meet them: the property is that no command line makes a demo die of a
// signal (segfault, abort, uncaught exception) or answer a usage error (exit 2)
// without its "<demo>:" message. A run still going after 1 s is stopped: waiting
// is legitimate for some commands (`sync event NAME wait`).
//
// Input: byte 0 picks the demo, the rest is its arguments separated by '\n'.
// Safety: each run gets a private /dev/shm (a new mount namespace with a tmpfs: it
// can neither see nor remove anyone's segments), an empty temporary cwd, stdin from
// /dev/null, and PATH pointing nowhere; arguments holding '/' are skipped, so a
// demo cannot run any program. Without the privilege for a mount namespace the
// target does nothing and says so. Needs the demos built (make).
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr const char* kDemos[] = {"ipc", "pool", "shm", "subproc", "sync", "threadpool"};
constexpr std::size_t kMaxArgs = 10;
constexpr std::size_t kMaxArgLength = 80;
// Subcommands that take long on purpose (or serve until stopped): not parsers.
constexpr std::string_view kSlow[] = {"tour", "bench", "echo-server"};

std::string g_bin_dir = "bin";
char g_workdir[] = "/tmp/mp-fuzz-demo-XXXXXX";
bool g_usable = false;

bool can_isolate() {
    const pid_t pid = fork();
    if (pid == 0)
        _exit(unshare(CLONE_NEWNS) == 0 && mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) == 0 &&
                      mount("tmpfs", "/dev/shm", "tmpfs", 0, "size=16m") == 0
                  ? 0
                  : 1);
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

// In the child: isolate, then exec the demo. Never returns.
[[noreturn]] void exec_demo(const std::string& path, const std::vector<std::string>& args, int err_fd) {
    setpgid(0, 0);
    if (unshare(CLONE_NEWNS) != 0 || mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0 ||
        mount("tmpfs", "/dev/shm", "tmpfs", 0, "size=16m") != 0 || chdir(g_workdir) != 0)
        _exit(125);
    const int null_fd = open("/dev/null", O_RDWR);
    dup2(null_fd, 0);
    dup2(null_fd, 1);
    dup2(err_fd, 2);
    std::vector<char*> argv{const_cast<char*>(path.c_str())};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    char path_env[] = "PATH=/nonexistent-mp-fuzz";
    char* envp[] = {path_env, nullptr};
    execve(path.c_str(), argv.data(), envp);
    _exit(126);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    if (const char* dir = std::getenv("MP_BIN_DIR")) g_bin_dir = dir;
    for (const char* demo : kDemos) {
        if (access((g_bin_dir + "/" + demo).c_str(), X_OK) != 0) {
            std::fprintf(stderr, "demo_cli: %s/%s missing: build the demos first (make)\n", g_bin_dir.c_str(),
                         demo);
            std::exit(1);
        }
    }
    if (mkdtemp(g_workdir) == nullptr) std::exit(1);
    std::atexit([] {
        std::error_code ignored;
        std::filesystem::remove_all(g_workdir, ignored);
    });
    g_usable = can_isolate();
    if (!g_usable)
        std::fprintf(stderr, "demo_cli: no private mount namespace here (needs root): target skipped\n");
    ::signal(SIGPIPE, SIG_IGN);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (!g_usable || size < 1) return 0;
    const std::string demo = kDemos[data[0] % std::size(kDemos)];
    std::vector<std::string> args;
    std::string current;
    for (std::size_t i = 1; i <= size; ++i) {
        if (i == size || data[i] == '\n') {
            if (current.size() > kMaxArgLength || args.size() == kMaxArgs) return 0;
            for (std::string_view slow : kSlow)
                if (current == slow) return 0;
            args.push_back(current);
            current.clear();
        } else if (data[i] == '/' || data[i] == '\0') {
            return 0;
        } else {
            current.push_back(static_cast<char>(data[i]));
        }
    }

    int err[2];
    if (pipe2(err, O_CLOEXEC) != 0) return 0;
    std::fflush(nullptr);
    const pid_t pid = fork();
    if (pid == 0) exec_demo(g_bin_dir + "/" + demo, args, err[1]);
    close(err[1]);
    std::string err_text;
    bool stopped = false;
    const auto limit = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    for (;;) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(limit - std::chrono::steady_clock::now());
        pollfd p{err[0], POLLIN, 0};
        if (left.count() <= 0 || poll(&p, 1, static_cast<int>(left.count())) == 0) {
            stopped = true;
            break;
        }
        char buffer[4096];
        const ssize_t n = read(err[0], buffer, sizeof buffer);
        if (n <= 0) break;
        if (err_text.size() < 65536) err_text.append(buffer, static_cast<std::size_t>(n));
    }
    close(err[0]);
    // Whatever the demo left in its group; before the reap, while the unreaped
    // leader keeps the group id from being reused.
    kill(-pid, SIGKILL);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (stopped) return 0;
    const bool died = WIFSIGNALED(status);
    const bool usage_without_message = WIFEXITED(status) && WEXITSTATUS(status) == 2 &&
                                       err_text.find(demo + ":") == std::string::npos &&
                                       err_text.find("usage") == std::string::npos;
    const bool uncaught = err_text.find("terminate called") != std::string::npos;
    if (died || usage_without_message || uncaught) {
        std::fprintf(stderr, "demo_cli: bin/%s", demo.c_str());
        for (const auto& a : args) std::fprintf(stderr, " '%s'", a.c_str());
        std::fprintf(stderr, " -> %s %d\n%s\n", died ? "signal" : "exit",
                     died ? WTERMSIG(status) : WEXITSTATUS(status), err_text.c_str());
        __builtin_trap();
    }
    return 0;
}

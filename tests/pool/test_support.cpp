#include "tests/pool/test_support.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>

namespace mp::pool::test {

using namespace std::chrono_literals;

int square(int x) { return x * x; }
pid_t worker_pid() { return getpid(); }
std::string shout(const std::string& text, int times) {
    std::string out;
    for (int i = 0; i < times; ++i) out += text + "!";
    return out;
}
pid_t worker_pid_of_item(int) { return getpid(); }
int fail_with(int code) {
    if (code == 1) throw std::out_of_range("index 7 is out of range");
    if (code == 2) throw 42;
    return code;
}

// A task that reports its worker's pid on `fd` and then waits forever.
int report_pid_and_hang(int fd) {
    const pid_t pid = getpid();
    (void)!write(fd, &pid, sizeof pid);
    for (;;) pause();
}

pid_t read_pid(int fd) {
    pid_t pid = 0;
    EXPECT_EQ(read(fd, &pid, sizeof pid), static_cast<ssize_t>(sizeof pid));
    return pid;
}

// How the worker that ran `r` died, as an exitcode: minus the signal, or the exit
// code; 1000 when `r` did not fail with WorkerDied.
int died_of(AsyncResult<int>& r) {
    try {
        r.get(10s);
    } catch (const mp::pool::WorkerDied& died) {
        return died.signal() != 0 ? -died.signal() : died.exit_code();
    }
    return 1000;
}

bool process_gone(pid_t pid) {
    for (int i = 0; i < 200; ++i) {
        if (kill(pid, 0) != 0 && errno == ESRCH) return true;
        std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
        std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
        const std::size_t name_end = text.rfind(')');
        if (name_end != std::string::npos && text.compare(name_end, 4, ") Z ") == 0) return true;
        usleep(10000);
    }
    return false;
}

mp::test::CommandResult pool_cli(const std::vector<std::string>& args, const std::string& input) {
    std::vector<std::string> argv{mp::test::bin_path("pool")};
    argv.insert(argv.end(), args.begin(), args.end());
    return mp::test::run_command(argv, input, std::chrono::seconds(60));
}

TempDir::TempDir() {
    char pattern[] = "/tmp/mp-pool-test-XXXXXX";
    if (mkdtemp(pattern) == nullptr) throw std::runtime_error("mkdtemp");
    path = pattern;
}

TempDir::~TempDir() { mp::test::run_command({"rm", "-rf", path}); }

std::string fake_ssh(const TempDir& dir) {
    const std::string path = dir.file("ssh");
    std::ofstream script(path);
    script << "#!/bin/sh\n"
              "host=$1; shift; [ \"$1\" = -- ] && shift\n"
              "case $host in down*) echo \"ssh: connect to host $host port 22: Connection refused\" >&2; exit 255;; esac\n"
              "home=\"${0%/*}/h/$host\"\n"
              "mkdir -p \"$home\" && cd \"$home\" || exit 255\n"
              "exec env -i HOME=\"$PWD\" PATH=\"$PATH\" /bin/sh -c \"$*\"\n";
    script.close();
    chmod(path.c_str(), 0755);
    return path;
}

std::vector<std::string> joblog_rows_in_order(const std::string& log) {
    std::vector<std::string> rows;
    std::istringstream in(log);
    std::string line;
    std::getline(in, line);  // the header
    while (std::getline(in, line)) {
        std::vector<std::string> fields;
        std::istringstream split(line);
        for (std::string field; std::getline(split, field, '\t');) fields.push_back(field);
        if (fields.size() >= 7) rows.push_back(fields[0] + "/" + fields[6]);
    }
    return rows;
}

std::vector<std::string> joblog_rows(const std::string& log) {
    std::vector<std::string> rows = joblog_rows_in_order(log);
    std::sort(rows.begin(), rows.end());
    return rows;
}

std::string slurp(const std::string& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace mp::pool::test

// Helpers shared by the pool suite's files: tasks the tests submit, a pipe to hear
// from children, and ways to watch workers die.
#pragma once

#include <fcntl.h>
#include <sys/types.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

#include "pool/pool.hpp"
#include "tests/support/helpers.hpp"

namespace mp::pool::test {

using Clock = std::chrono::steady_clock;

// Tasks.
int square(int x);
pid_t worker_pid();
pid_t worker_pid_of_item(int);
std::string shout(const std::string& text, int times);
// 1: throws std::out_of_range("index 7 is out of range"); 2: throws an int; else returns code.
int fail_with(int code);
// Reports its worker's pid on `fd`, then waits forever.
int report_pid_and_hang(int fd);

// Reads a pid that report_pid_and_hang wrote.
pid_t read_pid(int fd);
// How the worker that ran `r` died, as an exitcode: minus the signal, or the exit
// code; 1000 when `r` did not fail with WorkerDied.
int died_of(AsyncResult<int>& r);
// Whether `pid` is dead, waiting up to 2 s: gone, or a zombie (an orphan waits for
// init to reap it, and init may take its time).
bool process_gone(pid_t pid);

// bin/pool with `args`, `input` on stdin, within a generous time limit.
mp::test::CommandResult pool_cli(const std::vector<std::string>& args, const std::string& input = "");

// A scratch directory removed with its files.
struct TempDir {
    std::string path;
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    std::string file(const std::string& name) const { return path + "/" + name; }
};

// Writes DIR/ssh, a stand-in for ssh that needs no network, and returns its path:
// `ssh HOST [--] COMMAND...` runs COMMAND (its words joined by blanks, as ssh does)
// with sh -c in DIR/h/HOST, made if missing, with HOME there and a clean environment
// as a new login has; a HOST named down* fails as ssh does for an unreachable one
// (a message, exit 255).
std::string fake_ssh(const TempDir& dir);

// The Seq and Exitval of each line of a joblog after its header, as "seq/exitval":
// in the log's order, or sorted (jobs are logged as they end).
std::vector<std::string> joblog_rows_in_order(const std::string& log);
std::vector<std::string> joblog_rows(const std::string& log);

// The contents of a file ("" when it cannot be read).
std::string slurp(const std::string& path);

// A pipe whose ends close themselves; tests use it to hear from children.
struct TestPipe {
    int read_end = -1, write_end = -1;
    TestPipe() {
        int fds[2];
        if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2");
        read_end = fds[0];
        write_end = fds[1];
    }
    ~TestPipe() {
        if (read_end >= 0) close(read_end);
        if (write_end >= 0) close(write_end);
    }
    void close_write() {
        close(write_end);
        write_end = -1;
    }
    std::string read_all() {
        std::string text;
        char buffer[4096];
        ssize_t n;
        while ((n = read(read_end, buffer, sizeof buffer)) > 0) text.append(buffer, static_cast<size_t>(n));
        return text;
    }
};

}  // namespace mp::pool::test

// Every error a user can cause with the six tools reads as one line on stderr that
// names the tool and the problem, with the documented exit code: no crash, no
// C++ exception text, no usage screen, nothing left behind (the leak guard checks
// /dev/shm, children and descriptors after each test).
#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/support/helpers.hpp"

namespace {

using mp::test::bin_path;
using mp::test::run_command;
using mp::test::unique_name;

struct ErrorCase {
    std::vector<std::string> argv;  // argv[0]: the tool's name in bin/
    int exit_code;                  // the one its --help documents
    std::string says;               // a part of the one line
};

const std::string kLong(300, 'x');

// Runs `argv` (the tool's name first) through `prefix` (e.g. a shell that lowers a
// limit first) and checks the error report.
void expect_one_line_error(const ErrorCase& c, const std::vector<std::string>& prefix = {}) {
    std::vector<std::string> argv = prefix;
    argv.push_back(bin_path(c.argv[0]));
    argv.insert(argv.end(), c.argv.begin() + 1, c.argv.end());
    const auto r = run_command(argv, "", std::chrono::seconds(60));
    std::string shown;
    for (const auto& word : c.argv) shown += word + " ";
    SCOPED_TRACE(shown);
    ASSERT_FALSE(r.timed_out);
    EXPECT_EQ(r.signal, 0) << r.err;
    EXPECT_EQ(r.exit_code, c.exit_code) << r.err;
    EXPECT_EQ(r.err.rfind(c.argv[0] + ": ", 0), 0u) << r.err;
    EXPECT_NE(r.err.find(c.says), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << "not one line:\n" << r.err;
    EXPECT_EQ(r.err.find("terminate called"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("what():"), std::string::npos) << r.err;
}

TEST(ToolErrors, WrongCommandLines) {
    const std::vector<ErrorCase> cases = {
        // unknown option or command
        {{"sync", "--bogus"}, 2, "unknown command '--bogus' (see: sync --help)"},
        {{"shm", "--bogus"}, 2, "unknown option --bogus (negative numbers are fine: -5) (see: shm --help)"},
        {{"subproc", "--bogus"}, 2, "unknown command '--bogus' (see: subproc --help)"},
        {{"threadpool", "--bogus"}, 2, "unknown command or arguments: --bogus (see: threadpool --help)"},
        {{"ipc", "--bogus"}, 2, "unknown subcommand '--bogus' (see: ipc --help)"},
        {{"ipc", "bench", "--bogus"}, 2, "unknown option '--bogus'"},
        // missing argument
        {{"sync", "lock"}, 2, "missing NAME"},
        {{"shm", "create"}, 2, "usage: shm create NAME TYPECODE LEN"},
        {{"subproc", "run"}, 125, "no command to run"},
        {{"subproc", "pipe"}, 2, "pipe: no stages"},
        {{"ipc", "manager"}, 2, "manager needs --address"},
        {{"ipc", "bench", "--count"}, 2, "--count needs a value"},
        // bad number or duration
        {{"sync", "sem", "n", "-j", "abc", "true"}, 2, "bad value for -j: 'abc'"},
        {{"sync", "lock", "n", "-w", "soon", "true"}, 2, "bad duration for -w: 'soon'"},
        {{"sync", "barrier", "n", "-n", "0"}, 2, "bad value for -n: '0'"},
        {{"shm", "create", "n", "i", "abc"}, 2, "LEN must be a whole number"},
        {{"shm", "create", "n", "i", "99999999999999"}, 2, "LEN must be a whole number"},
        {{"threadpool", "wc", "-j", "0"}, 2, "-j needs a number of threads from 1 to 1024"},
        {{"subproc", "run", "--timeout", "abc", "true"}, 125, "invalid time interval 'abc'"},
        {{"subproc", "run", "-s", "BOGUS", "--timeout", "1", "true"}, 125, "'BOGUS': invalid signal"},
        {{"ipc", "bench", "--size", "abc"}, 2, "--size wants a byte count"},
        // a name too long or with a bad character
        {{"sync", "lock", kLong, "true"}, 2, "longer than 200 characters"},
        {{"sync", "lock", "a/b", "true"}, 2, "only letters, digits"},
        {{"shm", "create", kLong, "i", "3"}, 2, "must be 1..200 bytes long, not 300"},
    };
    for (const ErrorCase& c : cases) expect_one_line_error(c);
}

TEST(ToolErrors, FilesNotFoundOrNotPermitted) {
    const std::vector<ErrorCase> cases = {
        {{"threadpool", "wc", "/nonexistent/file"}, 1, "/nonexistent/file: No such file or directory"},
        {{"threadpool", "wc", "/"}, 1, "/: Is a directory"},
        {{"subproc", "run", "/nonexistent/cmd"}, 127, "No such file or directory"},
        {{"subproc", "run", "/etc/passwd"}, 126, "Permission denied"},
        {{"subproc", "pipe", "true", "/nonexistent/cmd"}, 127, "No such file or directory"},
        {{"pool", "echo", "::::", "/nonexistent/file"}, 255, "cannot read input file '/nonexistent/file'"},
        {{"pool", "--joblog", "/nonexistent/dir/log", "echo", ":::", "a"}, 255, "/nonexistent/dir/log"},
        {{"ipc", "dict", "/nonexistent/sock", "ls"}, 2, "authkey file /nonexistent/sock.authkey"},
        {{"shm", "get", unique_name("absent")}, 1, "no segment named"},
        {{"sync", "rm", unique_name("absent")}, 1, "no such object"},
    };
    for (const ErrorCase& c : cases) expect_one_line_error(c);
}

// A name that holds an object of another kind: a sync Event used as a Lock, a file
// that is no typed segment read as one. Neither is changed or removed.
TEST(ToolErrors, ObjectsOfTheWrongKind) {
    const std::string event = unique_name("event");
    ASSERT_EQ(run_command({bin_path("sync"), "event", event, "set"}).exit_code, 0);
    expect_one_line_error({{"sync", "lock", event, "true"}, 2, "is an Event, not a Lock"});
    expect_one_line_error({{"sync", "sem", event, "-j", "2", "true"}, 2, "is an Event, not a Semaphore"});
    EXPECT_EQ(run_command({bin_path("sync"), "rm", event}).exit_code, 0);

    const std::string junk = unique_name("junk");
    const std::string path = "/dev/shm/mp-" + junk;
    const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(write(fd, "junk\n", 5), 5);
    close(fd);
    expect_one_line_error({{"shm", "get", junk}, 1, "too small for a typed segment header"});
    unlink(path.c_str());
}

// With few descriptors left the tools that need more report it and what to do.
TEST(ToolErrors, TooFewOpenFiles) {
    const std::vector<std::string> ulimit = {"/bin/sh", "-c", "ulimit -n 4 && exec \"$@\"", "sh"};
    expect_one_line_error({{"subproc", "pipe", "true", "true", "true"}, 1, "raise the limit"}, ulimit);
    expect_one_line_error({{"ipc", "bench", "--count", "10"}, 1, "raise the limit"}, ulimit);
    expect_one_line_error({{"subproc", "run", "--capture", "true"}, 125, "raise the limit"}, ulimit);
    expect_one_line_error({{"shm", "ls"}, 1, "raise the limit"}, ulimit);
    // A job that cannot start fails (GNU parallel's exit status: the failed jobs).
    expect_one_line_error({{"pool", "echo", ":::", "a"}, 1, "echo: cannot start: pipe2: Too many open files"}, ulimit);
    const std::string lock = unique_name("lock");
    expect_one_line_error({{"sync", "lock", lock, "true"}, 1, "raise the limit"}, ulimit);
    // The lock was given back: the next holder gets it at once, not told of a death.
    const auto next = run_command({bin_path("sync"), "lock", lock, "-w", "5", "true"});
    EXPECT_EQ(next.exit_code, 0);
    EXPECT_EQ(next.err, "");
    EXPECT_EQ(run_command({bin_path("sync"), "rm", lock}).exit_code, 0);
}

// wc reports each file it could not open, as coreutils wc: with four threads and one
// descriptor to spare, some files fail, each on its own line with the advice.
TEST(ToolErrors, TooFewOpenFilesForWc) {
    std::vector<std::string> argv = {"/bin/sh", "-c", "ulimit -n 4 && exec \"$@\"", "sh", bin_path("threadpool"), "wc",
                                     "-j", "4"};
    for (int i = 0; i < 16; ++i) argv.push_back(bin_path("threadpool"));  // a few MB each: the reads overlap
    const auto r = run_command(argv);
    ASSERT_FALSE(r.timed_out);
    EXPECT_EQ(r.exit_code, 1) << r.err;
    ASSERT_FALSE(r.err.empty());
    std::size_t start = 0;
    for (std::size_t end; (end = r.err.find('\n', start)) != std::string::npos; start = end + 1) {
        const std::string line = r.err.substr(start, end - start);
        EXPECT_EQ(line.rfind("threadpool: ", 0), 0u) << line;
        EXPECT_NE(line.find("Too many open files (too many open files: raise the limit"), std::string::npos) << line;
    }
    EXPECT_EQ(start, r.err.size()) << "an unfinished line";
}

// /dev/shm full: a tmpfs of 64 KiB mounted over it in a mount namespace of the
// test's own (unshare -m), filled, then each tool that creates a named object.
TEST(ToolErrors, AFullDevShm) {
    const auto probe = run_command({"unshare", "-m", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /dev/shm"});
    if (probe.exit_code != 0) GTEST_SKIP() << "cannot mount a tmpfs in a mount namespace here: " << probe.err;
    const std::string fill =
        "mount --make-rprivate / && mount -t tmpfs -o size=64k tmpfs /dev/shm && "
        "dd if=/dev/zero of=/dev/shm/fill bs=4k count=16 2>/dev/null; exec \"$@\"";
    const std::vector<std::string> full = {"unshare", "-m", "sh", "-c", fill, "sh"};
    expect_one_line_error({{"shm", "create", "big", "d", "100000"}, 1, "No space left on device (the file system is full"},
                          full);
    expect_one_line_error({{"sync", "lock", "busy", "true"}, 1, "No space left on device (the file system is full"},
                          full);
}

// Output to a full disk: each tool says it could not write and fails, as coreutils
// tools do, instead of exit 0 with the output lost.
TEST(ToolErrors, AFullStdout) {
    const std::vector<std::string> to_full = {"/bin/sh", "-c", "exec \"$@\" > /dev/full", "sh"};
    const std::string lost = "cannot write to stdout: No space left on device";
    expect_one_line_error({{"sync", "--help"}, 1, lost}, to_full);
    expect_one_line_error({{"shm", "tour"}, 1, lost}, to_full);
    expect_one_line_error({{"ipc", "bench", "--count", "10"}, 1, lost}, to_full);
    expect_one_line_error({{"subproc", "--help"}, 125, lost}, to_full);
    expect_one_line_error({{"threadpool", "--help"}, 1, lost}, to_full);
    expect_one_line_error({{"pool", "echo", ":::", "a"}, 255, lost}, to_full);
}

}  // namespace

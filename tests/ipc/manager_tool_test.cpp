// `bin/ipc manager` and `bin/ipc dict`: a dict shared between shell commands, over
// a socket path and over TCP, with the exit codes scripts branch on.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <string>
#include <vector>

#include "subproc/popen.hpp"
#include "tests/support/helpers.hpp"

namespace {

using namespace std::chrono_literals;
using mp::test::bin_path;
using mp::test::CommandResult;
using mp::test::path_exists;
using mp::test::run_command;

// A scratch directory, emptied and removed at the end of the test.
struct ToolDir {
    std::string path;
    ToolDir() {
        char pattern[] = "/tmp/mp-ipc-tool-XXXXXX";
        path = mkdtemp(pattern);
    }
    ~ToolDir() { run_command({"rm", "-rf", path}); }
};

// `ipc manager` running in the background; stopped with SIGTERM and reaped.
class ManagerTool {
public:
    explicit ManagerTool(std::vector<std::string> options) : process_(command(std::move(options)), {.out = mp::subproc::PIPE}) {
        address_ = process_.readline(30s).value_or("");  // printed once clients can connect
    }
    ~ManagerTool() { stop(); }
    const std::string& address() const { return address_; }
    int stop() {
        if (process_.returncode()) return *process_.returncode();
        process_.send_signal(SIGTERM);
        return process_.wait(30s);
    }

private:
    static std::vector<std::string> command(std::vector<std::string> options) {
        options.insert(options.begin(), {bin_path("ipc"), "manager"});
        return options;
    }
    mp::subproc::Popen process_;
    std::string address_;
};

CommandResult dict(const std::string& address, std::vector<std::string> args) {
    args.insert(args.begin(), {bin_path("ipc"), "dict", address});
    return run_command(args, "", 30s);
}

TEST(IpcManagerTool, ShellCommandsShareADictThroughASocketPath) {
    ToolDir dir;
    const std::string socket = dir.path + "/jobs.sock";
    {
        ManagerTool manager({"--address", socket});
        EXPECT_EQ(manager.address(), socket);
        struct stat st {};
        ASSERT_EQ(stat((socket + ".authkey").c_str(), &st), 0) << "no default key file";
        EXPECT_EQ(st.st_mode & 0777, 0600u);

        EXPECT_EQ(dict(socket, {"set", "status", "running"}).exit_code, 0);
        const CommandResult got = dict(socket, {"get", "status"});
        EXPECT_EQ(got.exit_code, 0) << got.err;
        EXPECT_EQ(got.out, "running\n");
        EXPECT_EQ(dict(socket, {"incr", "done", "5"}).out, "5\n");
        EXPECT_EQ(dict(socket, {"incr", "done"}).out, "6\n");
        EXPECT_EQ(dict(socket, {"ls"}).out, "status\trunning\ndone\t6\n");
        EXPECT_EQ(dict(socket, {"--name", "other", "ls"}).out, "");
        EXPECT_EQ(dict(socket, {"del", "status"}).exit_code, 0);

        const CommandResult missing = dict(socket, {"get", "status"});
        EXPECT_EQ(missing.exit_code, 1);
        EXPECT_NE(missing.err.find("no key status"), std::string::npos) << missing.err;
        EXPECT_EQ(dict(socket, {"del", "status"}).exit_code, 1);
        dict(socket, {"set", "word", "text"});
        EXPECT_EQ(dict(socket, {"incr", "word"}).exit_code, 1);
        EXPECT_EQ(manager.stop(), 0);
    }
    EXPECT_FALSE(path_exists(socket)) << "the socket was left behind";
    EXPECT_FALSE(path_exists(socket + ".authkey")) << "the key file made for the run was left behind";
    const CommandResult gone = dict(socket, {"--authkey-file", "/dev/null", "get", "x"});
    EXPECT_EQ(gone.exit_code, 2) << "an unreadable key file is misuse";
}

TEST(IpcManagerTool, ParallelIncrementsCountExactly) {
    ToolDir dir;
    const std::string socket = dir.path + "/count.sock";
    ManagerTool manager({"--address", socket});
    const std::string ipc = bin_path("ipc");
    const CommandResult r = run_command(
        {"sh", "-c", "for i in 1 2 3 4; do (for j in 1 2 3 4 5 6 7 8 9 10; do \"$0\" dict \"$1\" incr n >/dev/null; done) & done; wait",
         ipc, socket},
        "", 60s);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(dict(socket, {"get", "n"}).out, "40\n");
}

TEST(IpcManagerTool, TcpWithAKeyFileAndTheKernelsPort) {
    ToolDir dir;
    const std::string key_file = dir.path + "/key";
    std::ofstream(key_file) << "a shared secret\n";
    chmod(key_file.c_str(), 0600);
    ManagerTool manager({"--address", "127.0.0.1:0", "--authkey-file", key_file});
    ASSERT_EQ(manager.address().rfind("127.0.0.1:", 0), 0u) << manager.address();
    EXPECT_NE(manager.address(), "127.0.0.1:0");
    EXPECT_EQ(dict(manager.address(), {"--authkey-file", key_file, "set", "k", "v"}).exit_code, 0);
    EXPECT_EQ(dict(manager.address(), {"--authkey-file", key_file, "get", "k"}).out, "v\n");

    const std::string wrong_key = dir.path + "/wrong";
    std::ofstream(wrong_key) << "another secret\n";
    chmod(wrong_key.c_str(), 0600);
    const CommandResult refused = dict(manager.address(), {"--authkey-file", wrong_key, "get", "k"});
    EXPECT_EQ(refused.exit_code, 3);
    EXPECT_NE(refused.err.find("wrong authkey"), std::string::npos) << refused.err;

    chmod(key_file.c_str(), 0644);
    EXPECT_EQ(dict(manager.address(), {"--authkey-file", key_file, "get", "k"}).exit_code, 2)
        << "a key file others can read is refused";
}

TEST(IpcManagerTool, UnreachableAndMisuse) {
    ToolDir dir;
    const std::string key_file = dir.path + "/key";
    std::ofstream(key_file) << "k\n";
    chmod(key_file.c_str(), 0600);
    EXPECT_EQ(dict(dir.path + "/none.sock", {"--authkey-file", key_file, "get", "x"}).exit_code, 3);
    EXPECT_EQ(dict("127.0.0.1:1", {"--authkey-file", key_file, "get", "x"}).exit_code, 3);
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"manager"}, {"manager", "--address", "127.0.0.1:0"}, {"dict"},
          {"dict", "127.0.0.1:5", "get", "x"}, {"dict", "/p", "frob"}, {"dict", "/p", "get"},
          {"dict", "/p", "set", "k"}, {"dict", "/p", "incr", "k", "x"}, {"dict", "/p", "ls", "extra"}}) {
        std::vector<std::string> argv{bin_path("ipc")};
        argv.insert(argv.end(), args.begin(), args.end());
        const CommandResult r = run_command(argv);
        EXPECT_EQ(r.exit_code, 2) << args.at(0) << " " << r.err;
    }
}

}  // namespace

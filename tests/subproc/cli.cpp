// bin/subproc against coreutils timeout: the same case must give the same status.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <utility>
#include <vector>

#include "subproc/subproc.hpp"
#include "tests/support/helpers.hpp"

namespace {

using namespace std::chrono_literals;
using mp::test::CommandResult;
using mp::test::run_command;
namespace sp = mp::subproc;

std::string subproc_bin() { return mp::test::bin_path("subproc"); }

// What a shell would show as $?.
int shell_status(const CommandResult& r) { return r.signal != 0 ? 128 + r.signal : r.exit_code; }

bool have_coreutils_timeout() { return sp::call({"sh", "-c", "command -v timeout >/dev/null"}) == 0; }

struct Case {
    const char* name;
    std::vector<std::string> timeout_options;  // coreutils spelling, before DURATION
    std::vector<std::string> our_options;      // ours, before --
    std::string duration;
    std::vector<std::string> command;
    int expected;
};

TEST(CliRun, ExitCodesMatchCoreutilsTimeout) {
    if (!have_coreutils_timeout()) GTEST_SKIP() << "coreutils timeout is not installed";
    const std::string not_executable = "/tmp/" + mp::test::unique_name("not-executable");
    std::ofstream(not_executable) << "#!/bin/sh\n";
    chmod(not_executable.c_str(), 0644);
    const std::vector<Case> cases = {
        {"success", {}, {}, "5", {"true"}, 0},
        {"own status", {}, {}, "5", {"sh", "-c", "exit 3"}, 3},
        {"timed out", {}, {}, "0.2", {"sleep", "5"}, 124},
        {"preserve status", {"--preserve-status"}, {"--preserve-status"}, "0.2", {"sleep", "5"}, 128 + SIGTERM},
        {"signal KILL", {"-s", "KILL"}, {"-s", "KILL"}, "0.2", {"sleep", "5"}, 137},
        {"signal by number", {"-s", "2"}, {"-s", "2"}, "0.2", {"sleep", "5"}, 124},
        // 0.5 s: time enough for the shell to install its trap before the TERM comes.
        {"kill after", {"-k", "0.3"}, {"-k", "0.3"}, "0.5", {"sh", "-c", "trap '' TERM; sleep 5"}, 137},
        {"term caught, exit 0", {}, {}, "0.2", {"sh", "-c", "trap 'exit 0' TERM; sleep 5 & wait"}, 124},
        {"not found", {}, {}, "5", {"mp-no-such-program-anywhere"}, 127},
        {"not executable", {}, {}, "5", {not_executable}, 126},
        {"died of a signal", {}, {}, "5", {"sh", "-c", "kill -USR1 $$"}, 128 + SIGUSR1},
        {"bad duration", {}, {}, "abc", {"true"}, 125},
        {"zero disables", {}, {}, "0", {"sh", "-c", "sleep 0.2; exit 4"}, 4},
        {"minutes", {}, {}, "1m", {"true"}, 0},
    };
    // Four cases at a time (mp::test::map_at_once): most of them wait for a timeout.
    using Both = std::pair<CommandResult, CommandResult>;  // coreutils', ours
    const std::vector<Both> results = mp::test::map_at_once(cases, 4, [&](const Case& c) {
        std::vector<std::string> theirs = {"timeout"};
        theirs.insert(theirs.end(), c.timeout_options.begin(), c.timeout_options.end());
        theirs.push_back(c.duration);
        theirs.insert(theirs.end(), c.command.begin(), c.command.end());
        std::vector<std::string> ours = {subproc_bin(), "run", "--timeout", c.duration};
        ours.insert(ours.end(), c.our_options.begin(), c.our_options.end());
        ours.push_back("--");
        ours.insert(ours.end(), c.command.begin(), c.command.end());
        return Both(run_command(theirs, "", 20s), run_command(ours, "", 20s));
    });
    for (std::size_t i = 0; i < cases.size(); ++i) {
        const Case& c = cases[i];
        const auto& [coreutils, mine] = results[i];
        EXPECT_EQ(shell_status(coreutils), c.expected) << c.name << " (coreutils) " << coreutils.err;
        EXPECT_EQ(shell_status(mine), c.expected) << c.name << " (ours) " << mine.err;
        EXPECT_EQ(mine.signal, 0) << c.name << ": subproc reports statuses, it does not die of them";
    }
    unlink(not_executable.c_str());
}

TEST(CliRun, UsageErrorsAre125) {
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"run"}, {"run", "--"}, {"run", "--bogus", "--", "true"},
          {"run", "-s", "NOSUCH", "--", "true"}, {"run", "--timeout"}, {"run", "--env", "=x", "--", "true"},
          {"run", "--cwd", "/nonexistent-mp", "--", "true"}}) {
        std::vector<std::string> argv = {subproc_bin()};
        argv.insert(argv.end(), args.begin(), args.end());
        const CommandResult r = run_command(argv);
        EXPECT_EQ(r.exit_code, 125) << sp::join_args(args);
        EXPECT_EQ(r.err.rfind("subproc: ", 0), 0u) << r.err;
    }
}

TEST(CliRun, TimeoutKillsTheWholeGroupPromptly) {
    const auto start = std::chrono::steady_clock::now();
    // The grandchild holds our stdout pipe: run_command waits for its EOF too.
    const CommandResult r =
        run_command({subproc_bin(), "run", "--timeout", "0.3", "--", "sh", "-c", "sleep 100 & sleep 100"}, "", 20s);
    EXPECT_FALSE(r.timed_out);
    EXPECT_EQ(r.exit_code, 124);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

// A descendant that left the command's group and session (setsid) is still part of
// the tree the timeout kills; coreutils timeout leaves it running.
TEST(CliRun, TimeoutKillsADescendantThatCalledSetsid) {
    const std::string pid_file = "/tmp/" + mp::test::unique_name("setsid-pid");
    const CommandResult r = run_command(
        {subproc_bin(), "run", "0.5", "sh", "-c",
         "setsid sh -c 'echo $$ > \"$1\"; exec sleep 100' sh \"$1\" </dev/null >/dev/null 2>&1 & sleep 100", "sh",
         pid_file},
        "", 20s);
    EXPECT_EQ(r.exit_code, 124) << r.err;
    pid_t escapee = 0;
    std::ifstream(pid_file) >> escapee;
    unlink(pid_file.c_str());
    ASSERT_GT(escapee, 0) << "the setsid child did not start in time";
    const bool gone = mp::test::exits_within(escapee, 10s);
    if (!gone) kill(escapee, SIGKILL);
    EXPECT_TRUE(gone) << "the setsid child outlived the timeout";
}

TEST(CliRun, JsonReportAndCapture) {
    const CommandResult r = run_command(
        {subproc_bin(), "run", "--json", "--capture", "--", "sh", "-c", "printf abc; printf de >&2; exit 3"});
    EXPECT_EQ(r.exit_code, 3);
    for (const char* field : {"\"returncode\": 3", "\"signal\": null", "\"timed_out\": false", "\"stdout_bytes\": 3",
                              "\"stderr_bytes\": 2", "\"exit_status\": 3", "\"duration\": "})
        EXPECT_NE(r.out.find(field), std::string::npos) << field << " in " << r.out;
    EXPECT_EQ(r.out.find("abc"), std::string::npos) << "--json --capture prints only the report";

    const CommandResult timed =
        run_command({subproc_bin(), "run", "--json", "--timeout", "0.2", "--", "sleep", "5"});
    EXPECT_EQ(timed.exit_code, 124);
    EXPECT_NE(timed.out.find("\"timed_out\": true"), std::string::npos) << timed.out;
    EXPECT_NE(timed.out.find("\"signal\": 15"), std::string::npos) << timed.out;
    EXPECT_NE(timed.out.find("\"stdout_bytes\": null"), std::string::npos) << timed.out;

    const CommandResult captured =
        run_command({subproc_bin(), "run", "--capture", "--", "sh", "-c", "printf abc; printf de >&2"});
    EXPECT_EQ(captured.out, "abc");
    EXPECT_EQ(captured.err, "de");
}

TEST(CliRun, CwdAndEnv) {
    const CommandResult r = run_command(
        {subproc_bin(), "run", "--cwd", "/tmp", "--env", "MP_A=b=c", "--", "sh", "-c", "pwd; echo $MP_A"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "/tmp\nb=c\n");
}

TEST(CliRun, ForwardsTermToTheCommandsGroup) {
    sp::Popen cli({subproc_bin(), "run", "--", "sh", "-c", "echo ready; sleep 100 & wait"}, {.out = sp::PIPE});
    ASSERT_EQ(cli.readline(10s), "ready");
    cli.terminate();
    EXPECT_EQ(cli.wait(10s), 128 + SIGTERM);
}

TEST(CliPipe, RunsStagesWithShellLikeQuotingButNoShell) {
    CommandResult r = run_command({subproc_bin(), "pipe", "printf 'b\\na\\n'", "sort"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "a\nb\n");
    r = run_command({subproc_bin(), "pipe", R"(printf '%s|' 'a b' "c\"d" e\ f '$HOME')"});
    EXPECT_EQ(r.out, "a b|c\"d|e f|$HOME|");
    r = run_command({subproc_bin(), "pipe", "tr a-z A-Z"}, "stdin goes to the first stage\n");
    EXPECT_EQ(r.out, "STDIN GOES TO THE FIRST STAGE\n");
}

TEST(CliPipe, StatusIsTheLastStagesOrPipefail) {
    EXPECT_EQ(run_command({subproc_bin(), "pipe", "sh -c 'exit 3'", "cat"}).exit_code, 0);
    EXPECT_EQ(run_command({subproc_bin(), "pipe", "--pipefail", "sh -c 'exit 3'", "cat"}).exit_code, 3);
    EXPECT_EQ(run_command({subproc_bin(), "pipe", "cat", "sh -c 'kill -TERM $$'"}).exit_code, 128 + SIGTERM);
    EXPECT_EQ(run_command({subproc_bin(), "pipe", "cat", "mp-no-such-program-anywhere"}).exit_code, 127);
}

TEST(CliPipe, UsageErrors) {
    for (const std::vector<std::string>& args : {std::vector<std::string>{"pipe"}, {"pipe", "echo 'unterminated"},
                                                 {"pipe", "cat", "  "}, {"pipe", "echo \\"}, {"no-such-command"}}) {
        std::vector<std::string> argv = {subproc_bin()};
        argv.insert(argv.end(), args.begin(), args.end());
        const CommandResult r = run_command(argv);
        EXPECT_EQ(r.exit_code, 2) << sp::join_args(args);
        EXPECT_EQ(r.err.rfind("subproc: ", 0), 0u) << r.err;
    }
    EXPECT_EQ(run_command({subproc_bin(), "--help"}).exit_code, 0);
}

TEST(CliTour, RunsAndShowsEveryExample) {
    const CommandResult r = run_command({subproc_bin(), "tour"}, "", 30s);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    for (const char* expected : {"line: two", "HELLO, SUBPROCESS", "TimeoutExpired", "CalledProcessError: returncode",
                                 "SpawnError", "3 b"})
        EXPECT_NE(r.out.find(expected), std::string::npos) << expected;
}

}  // namespace

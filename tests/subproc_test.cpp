// mp::subproc: real children, real pipes, the unhappy paths on purpose. The leak
// guard fails any test that leaves a child (zombie or alive) or an fd behind.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <thread>
#include <set>
#include <sstream>

#include "subproc/subproc.hpp"
#include "tests/support/helpers.hpp"

namespace {

using namespace std::chrono_literals;
namespace sp = mp::subproc;
using Clock = std::chrono::steady_clock;

std::vector<std::string> helper(const std::string& name, const std::vector<std::string>& args = {}) {
    return mp::test::helper_command(name, args);
}

std::set<int> fd_list(const std::string& text) {
    std::set<int> fds;
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) fds.insert(std::stoi(line));
    return fds;
}

// A scratch directory removed at the end of the test.
struct TempDir {
    std::string path;
    TempDir() {
        char name[] = "/tmp/mp-subproc-test-XXXXXX";
        path = mkdtemp(name);
    }
    ~TempDir() { sp::call({"rm", "-rf", path}); }
};

// ---- run and its family ----

TEST(Run, CapturesStdoutAndStderrSeparately) {
    const sp::CompletedProcess r = sp::run({"sh", "-c", "echo out; echo err >&2; exit 3"}, {.capture_output = true});
    EXPECT_EQ(r.returncode, 3);
    EXPECT_EQ(r.out, "out\n");
    EXPECT_EQ(r.err, "err\n");
    EXPECT_EQ(r.args, (std::vector<std::string>{"sh", "-c", "echo out; echo err >&2; exit 3"}));
}

TEST(Run, InputGoesToStdin) {
    EXPECT_EQ(sp::run({"tr", "a-z", "A-Z"}, {.input = "hello\n", .capture_output = true}).out, "HELLO\n");
}

TEST(Run, CheckThrowsCalledProcessErrorWithTheOutput) {
    try {
        sp::run({"sh", "-c", "echo partial; echo 'no such thing' >&2; exit 4"}, {.capture_output = true, .check = true});
        FAIL() << "no exception";
    } catch (const sp::CalledProcessError& e) {
        EXPECT_EQ(e.returncode(), 4);
        EXPECT_EQ(e.out(), "partial\n");
        EXPECT_EQ(e.err(), "no such thing\n");
        EXPECT_NE(std::string(e.what()).find("non-zero exit status 4: no such thing"), std::string::npos) << e.what();
    }
}

TEST(Run, CheckOutputCheckCallCall) {
    EXPECT_EQ(sp::check_output({"echo", "a b"}), "a b\n");
    EXPECT_THROW(sp::check_output({"false"}), sp::CalledProcessError);
    EXPECT_EQ(sp::check_call({"true"}), 0);
    EXPECT_THROW(sp::check_call({"sh", "-c", "exit 9"}), sp::CalledProcessError);
    EXPECT_EQ(sp::call({"sh", "-c", "exit 9"}), 9);
}

TEST(Run, GetoutputAndGetstatusoutputMergeStderrAndStripTheNewline) {
    EXPECT_EQ(sp::getoutput("echo one; echo two >&2"), "one\ntwo");
    EXPECT_EQ(sp::getstatusoutput("echo hi; exit 3"), (std::pair<int, std::string>{3, "hi"}));
    EXPECT_EQ(sp::getstatusoutput("no-such-command-mp-test 2>/dev/null").first, 127);  // the shell's answer
}

TEST(Run, RunOnlyOptionsAreRejectedByPopen) {
    EXPECT_THROW(sp::Popen({"true"}, {.timeout = 1s}), std::invalid_argument);
    EXPECT_THROW(sp::run({"true"}, {.out = sp::PIPE, .capture_output = true}), std::invalid_argument);
}

// The pain this library exists for: a child that fills stdout and stderr while we
// still feed its stdin. Any order of blocking reads and writes deadlocks here.
TEST(Run, SixtyFourMiBOnEveryPipeAtOnceDoesNotDeadlock) {
    constexpr std::size_t kBytes = 64u << 20;
    const auto start = Clock::now();
    const sp::CompletedProcess r = sp::run(helper("flood", {std::to_string(kBytes)}),
                                           {.input = std::string(kBytes, 'i'), .capture_output = true, .timeout = 120s});
    EXPECT_EQ(r.returncode, 0) << "the child did not receive all of stdin";
    EXPECT_EQ(r.out.size(), kBytes);
    EXPECT_EQ(r.err.size(), kBytes);
    EXPECT_EQ(r.out.substr(0, 5), "abcde");
    EXPECT_LT(Clock::now() - start, 120s);
}

TEST(Run, ChildThatClosesStdinEarlyDoesNotKillUsWithSigpipe) {
    const sp::CompletedProcess r = sp::run({"true"}, {.input = std::string(4u << 20, 'x')});
    EXPECT_EQ(r.returncode, 0);
    const sp::CompletedProcess head = sp::run({"head", "-c", "3"}, {.input = std::string(4u << 20, 'y'), .capture_output = true});
    EXPECT_EQ(head.out, "yyy");
}

// ---- timeouts ----

TEST(Timeout, KillsGrandchildrenHoldingThePipeAndReturnsPromptly) {
    const auto start = Clock::now();
    try {
        sp::run({"echo started; sleep 100 & echo $!; sleep 100"},
                {.shell = true, .capture_output = true, .timeout = 300ms});
        FAIL() << "no timeout";
    } catch (const sp::TimeoutExpired& e) {
        const auto took = Clock::now() - start;
        EXPECT_LT(took, 5s) << "a grandchild holding stdout kept the call waiting";
        EXPECT_GE(took, 300ms);
        ASSERT_EQ(e.out().rfind("started\n", 0), 0u) << e.out();
        const pid_t grandchild = std::stoi(e.out().substr(8));
        EXPECT_TRUE(mp::test::exits_within(grandchild, 2000ms)) << "grandchild " << grandchild << " survived";
        EXPECT_EQ(e.timeout(), 300ms);
        EXPECT_NE(std::string(e.what()).find("timed out after 0.3 seconds"), std::string::npos) << e.what();
    }
}

TEST(Timeout, GrandchildThatLeftTheGroupCannotHangTheDrain) {
    // setsid puts the grandchild out of reach of the group kill; it keeps stdout
    // open, and the post-kill drain must give up after wait_delay.
    const auto start = Clock::now();
    std::string pid_line;
    try {
        sp::run({"setsid sh -c 'echo $$; exec sleep 30' & sleep 100"},
                {.shell = true, .wait_delay = 200ms, .capture_output = true, .timeout = 300ms});
        FAIL() << "no timeout";
    } catch (const sp::TimeoutExpired& e) {
        EXPECT_LT(Clock::now() - start, 5s);
        pid_line = e.out();
    }
    if (!pid_line.empty()) ::kill(std::stoi(pid_line), SIGKILL);  // not ours to reap: init does
}

TEST(Timeout, WaitAndCommunicateLeaveTheChildRunningAndCanBeRepeated) {
    sp::Popen p({"sh", "-c", "echo first; sleep 1; echo second"}, {.out = sp::PIPE});
    EXPECT_THROW(p.wait(50ms), sp::TimeoutExpired);
    EXPECT_EQ(p.poll(), std::nullopt);
    std::string partial = "none";
    try {
        p.communicate({}, 100ms);
        ADD_FAILURE() << "finished within 100 ms despite sleep 1";
    } catch (const sp::TimeoutExpired& e) {
        partial = e.out();
    }
    EXPECT_TRUE(partial.empty() || partial == "first\n") << partial;
    const sp::Output rest = p.communicate({}, 10s);  // continues where the first call stopped
    EXPECT_EQ(rest.out, "first\nsecond\n");
    EXPECT_EQ(p.returncode(), 0);
}

TEST(Timeout, InputNotYetWrittenSurvivesTheCallersBuffer) {
    // The child reads nothing for a while, so most of the input is still ours when
    // the first call times out; the caller's buffer is gone before the retry.
    sp::Popen p({"sh", "-c", "sleep 0.3; exec cat"}, {.in = sp::PIPE, .out = sp::PIPE});
    {
        const std::string input(1u << 20, 'z');
        EXPECT_THROW(p.communicate(input, 50ms), sp::TimeoutExpired);
    }
    const std::string scribble(1u << 20, 'q');  // likely reuses the freed memory
    const sp::Output output = p.communicate({}, 30s);
    EXPECT_EQ(output.out, std::string(1u << 20, 'z'));
    EXPECT_EQ(scribble.size(), 1u << 20);
}

TEST(Timeout, ReadlineHasATimedForm) {
    sp::Popen p({"sleep", "100"}, {.out = sp::PIPE});
    EXPECT_THROW(p.readline(50ms), sp::TimeoutExpired);
    p.kill();
    EXPECT_EQ(p.wait(), -SIGKILL);
}

// ---- spawn failures ----

TEST(Spawn, MissingProgramIsAnErrorNamingItNotExit127) {
    for (const char* program : {"/nonexistent/mp-prog", "mp-no-such-program-anywhere"}) {
        try {
            sp::Popen p({program, "arg"});
            FAIL() << program << " started";
        } catch (const sp::SpawnError& e) {
            EXPECT_EQ(e.code().value(), ENOENT);
            EXPECT_EQ(e.step(), "exec");
            EXPECT_EQ(e.program(), program);
            EXPECT_NE(std::string(e.what()).find(program), std::string::npos) << e.what();
        }
    }
}

TEST(Spawn, NonExecutableProgramIsEacces) {
    TempDir dir;
    const std::string script = dir.path + "/script";
    std::ofstream(script) << "#!/bin/sh\necho hi\n";
    chmod(script.c_str(), 0644);
    for (const bool fork_path : {false, true}) {
        sp::Options options;
        if (fork_path) options.umask = 022;  // posix_spawn cannot set it: fork+exec
        try {
            sp::Popen p({script}, options);
            FAIL() << "started";
        } catch (const sp::SpawnError& e) {
            EXPECT_EQ(e.code().value(), EACCES) << (fork_path ? "fork" : "posix_spawn");
        }
    }
    // Not in PATH either way: a non-executable match is EACCES, as execvp says.
    try {
        sp::Popen p({"script"}, {.extra_env = {{"PATH", dir.path}}});
        FAIL() << "started";
    } catch (const sp::SpawnError& e) {
        EXPECT_EQ(e.code().value(), EACCES);
    }
}

TEST(Spawn, BadCwdNamesChdirOnBothPaths) {
    for (const bool fork_path : {false, true}) {
        sp::Options options{.cwd = "/nonexistent-mp-dir"};
        if (fork_path) options.umask = 022;
        try {
            sp::Popen p({"true"}, options);
            FAIL() << "started";
        } catch (const sp::SpawnError& e) {
            EXPECT_EQ(e.code().value(), ENOENT);
            EXPECT_EQ(e.step(), "chdir");
            EXPECT_NE(std::string(e.what()).find("/nonexistent-mp-dir"), std::string::npos) << e.what();
        }
    }
}

TEST(Spawn, UnopenableFileStreamIsASystemErrorNamingThePath) {
    try {
        sp::Popen p({"true"}, {.in = sp::Stream::read_from("/nonexistent/mp-input")});
        FAIL() << "started";
    } catch (const std::system_error& e) {
        EXPECT_EQ(e.code().value(), ENOENT);
        EXPECT_NE(std::string(e.what()).find("/nonexistent/mp-input"), std::string::npos);
    }
    EXPECT_THROW(sp::Popen({"true"}, {.in = sp::STDOUT}), std::invalid_argument);
    EXPECT_THROW(sp::Popen({"true"}, {.out = sp::Stream::read_from("/dev/null")}), std::invalid_argument);
    EXPECT_THROW(sp::Popen(std::vector<std::string>{}), std::invalid_argument);
}

TEST(Spawn, ForkPathIsSafeInAMultithreadedParent) {
    // Threads hammer malloc while we fork: a child that called malloc before exec
    // could inherit a held lock and hang (caught by the timeout, not hung).
    std::atomic<bool> stop{false};
    std::vector<std::thread> threads;
    for (int i = 0; i < 3; ++i)
        threads.emplace_back([&stop] {
            for (std::size_t size = 4096; !stop.load(std::memory_order_relaxed); size = size * 7 % 65521 + 4096) {
                std::vector<char> block(size);
                static_cast<volatile char*>(block.data())[size / 2] = 1;  // not optimized away
            }
        });
    int started = 0;
    for (int i = 0; i < 40; ++i) {
        const sp::CompletedProcess r = sp::run({"true"}, {.umask = 022, .timeout = 20s});
        started += r.returncode == 0;
    }
    stop = true;
    for (std::thread& thread : threads) thread.join();
    EXPECT_EQ(started, 40);
}

// ---- cwd, env, umask ----

TEST(Environment, CwdEnvReplaceAndExtend) {
    EXPECT_EQ(sp::check_output({"pwd"}, {.cwd = "/tmp"}), "/tmp\n");
    EXPECT_EQ(sp::check_output({"/usr/bin/env"}, {.env = sp::Environment{{"ONLY", "this"}}}), "ONLY=this\n");
    // extend: our PATH still finds sh, and the new variable is there
    EXPECT_EQ(sp::check_output({"echo $MP_EXTRA-$HOME"}, {.shell = true, .extra_env = {{"MP_EXTRA", "x"}}}),
              "x-" + std::string(getenv("HOME") ? getenv("HOME") : "") + "\n");
    // a replaced env's PATH decides where a bare name is found
    EXPECT_THROW(sp::Popen({"sh"}, {.env = sp::Environment{{"PATH", "/nonexistent"}}}), sp::SpawnError);
}

// The README's Security section: without .shell, arguments are text for the program.
TEST(Security, ArgumentsReachTheProgramVerbatimWithoutAShell) {
    const std::string hostile = "x'; touch /tmp/mp-pwned $(id) `id` * > out";
    EXPECT_EQ(sp::check_output({"printf", "%s", hostile}), hostile);
    EXPECT_EQ(::access("/tmp/mp-pwned", F_OK), -1);
}

// ... and an empty PATH entry is the current directory, as for execvp.
TEST(Security, AnEmptyPathEntryFindsTheCurrentDirectorysProgram) {
    TempDir dir;
    const std::string program = dir.path + "/mp-planted";
    sp::check_call({"sh", "-c", "printf '#!/bin/sh\necho planted\n' >" + program + " && chmod +x " + program});
    const sp::Environment env{{"PATH", "/nonexistent:"}};
    char here[4096];
    ASSERT_NE(::getcwd(here, sizeof here), nullptr);
    ASSERT_EQ(::chdir(dir.path.c_str()), 0);
    std::string out;
    EXPECT_NO_THROW(out = sp::check_output({"mp-planted"}, {.env = env}));
    ASSERT_EQ(::chdir(here), 0);
    EXPECT_EQ(out, "planted\n");
    EXPECT_THROW(sp::Popen({"mp-planted"}, {.env = env}), sp::SpawnError);  // elsewhere: not found
}

TEST(Environment, UmaskAndCwdThroughForkPath) {
    TempDir dir;
    EXPECT_EQ(sp::check_output({"sh", "-c", "umask; pwd"}, {.cwd = dir.path, .umask = 027}), "0027\n" + dir.path + "\n");
}

TEST(Environment, ProcessGroupAndSessionOnBothPaths) {
    // Fields 5 and 6 of /proc/PID/stat: the process group and the session.
    const std::vector<std::string> ids = {"sh", "-c", "cut -d' ' -f5,6 /proc/$$/stat"};
    for (const bool fork_path : {false, true}) {
        auto run_in = [&](sp::Group group) {
            sp::Options options{.out = sp::PIPE, .group = group};
            if (fork_path) options.umask = 022;
            sp::Popen p(ids, options);
            std::string out = p.communicate().out;
            return std::pair<pid_t, std::string>(p.pid(), out);
        };
        const auto [own_pid, own] = run_in(sp::Group::own());
        EXPECT_EQ(own, std::to_string(own_pid) + " " + std::to_string(getsid(0)) + "\n") << fork_path;
        const auto [session_pid, session] = run_in(sp::Group::session());
        EXPECT_EQ(session, std::to_string(session_pid) + " " + std::to_string(session_pid) + "\n") << fork_path;
        const auto [inherit_pid, inherited] = run_in(sp::Group::inherit());
        EXPECT_EQ(inherited, std::to_string(getpgrp()) + " " + std::to_string(getsid(0)) + "\n") << fork_path;
    }
    EXPECT_THROW(sp::Pipeline({{"true"}}, {.group = sp::Group::session()}), std::invalid_argument);
}

// ---- streams ----

TEST(Streams, FilesDevnullAndStderrToStdout) {
    TempDir dir;
    const std::string file = dir.path + "/out";
    sp::check_call({"echo", "one"}, {.out = sp::Stream::write_to(file)});
    sp::check_call({"echo", "two"}, {.out = sp::Stream::append_to(file)});
    EXPECT_EQ(sp::check_output({"cat"}, {.in = sp::Stream::read_from(file)}), "one\ntwo\n");
    EXPECT_EQ(sp::check_output({"cat"}, {.in = sp::DEVNULL}), "");
    EXPECT_EQ(sp::run({"sh", "-c", "echo a; echo b >&2"}, {.out = sp::PIPE, .err = sp::STDOUT}).out, "a\nb\n");
    EXPECT_EQ(sp::run({"sh", "-c", "echo a; echo b >&2"}, {.out = sp::DEVNULL, .err = sp::PIPE}).err, "b\n");
    // A borrowed fd stays ours, open.
    int fds[2];
    ASSERT_EQ(pipe2(fds, O_CLOEXEC), 0);
    sp::check_call({"echo", "borrowed"}, {.out = sp::Stream::fd(fds[1])});
    EXPECT_GE(fcntl(fds[1], F_GETFD), 0);
    close(fds[1]);
    char buffer[32] = {};
    EXPECT_EQ(read(fds[0], buffer, sizeof buffer), 9);
    EXPECT_STREQ(buffer, "borrowed\n");
    close(fds[0]);
}

TEST(Streams, SwappedStdoutAndStderrFdsDoNotClobberEachOther) {
    // out = our 2 and err = our 1: the dup2s into 0..2 must not overwrite a source.
    const mp::test::CommandResult r =
        mp::test::run_command(helper("swap_fds"));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "to-err\n");
    EXPECT_EQ(r.err, "to-out\n");
}

MP_TEST_HELPER(swap_fds) {
    return sp::call({"sh", "-c", "echo to-out; echo to-err >&2"}, {.out = sp::Stream::fd(2), .err = sp::Stream::fd(1)});
}

TEST(Streams, ShellPopenReadLinesOfMergedOutput) {
    sp::Popen p({"echo one; echo two >&2; printf three"}, {.shell = true, .out = sp::PIPE, .err = sp::STDOUT});
    std::vector<std::string> lines;
    for (const std::string& line : p.lines()) lines.push_back(line);
    EXPECT_EQ(lines, (std::vector<std::string>{"one", "two", "three"}));
    EXPECT_EQ(p.wait(), 0);
}

TEST(Streams, ReadlineJoinsLinesSplitAcrossWrites) {
    sp::Popen p({"printf 'pa'; sleep 0.1; printf 'rt\\n\\nlast'"}, {.shell = true, .out = sp::PIPE});
    EXPECT_EQ(p.readline(10s), "part");
    EXPECT_EQ(p.readline(10s), "");  // an empty line is not the end
    EXPECT_EQ(p.readline(10s), "last");
    EXPECT_EQ(p.readline(10s), std::nullopt);
    EXPECT_EQ(p.wait(), 0);
    EXPECT_THROW(sp::Popen({"true"}).readline(), std::logic_error);
}

TEST(Streams, ReadlineBuffersStderrSoAChattyChildCannotBlock) {
    // 1 MiB on stderr before the first stdout line: reading stdout alone would hang.
    sp::Popen p({"head -c 1048576 /dev/zero >&2; echo line"}, {.shell = true, .out = sp::PIPE, .err = sp::PIPE});
    EXPECT_EQ(p.readline(30s), "line");
    EXPECT_EQ(p.readline(30s), std::nullopt);
    EXPECT_EQ(p.communicate().err.size(), 1u << 20);
}

TEST(Streams, WaitDrainsPipesWhileWaiting) {
    sp::Popen p({"head", "-c", "4194304", "/dev/zero"}, {.out = sp::PIPE});
    EXPECT_EQ(p.wait(30s), 0) << "wait() blocked on a full pipe";
    EXPECT_EQ(p.communicate().out.size(), 4u << 20);
}

// ---- fds ----

TEST(Fds, ChildSeesOnlyStdioUnlessPassed) {
    // An fd of ours without close-on-exec, as a careless library would leave one.
    const int leaky = open("/dev/null", O_RDONLY);
    ASSERT_GE(leaky, 3);
    for (const bool fork_path : {false, true}) {
        sp::Options options{.out = sp::PIPE};
        if (fork_path) options.umask = 022;
        EXPECT_EQ(fd_list(sp::run(helper("list_fds"), options).out), (std::set<int>{0, 1, 2})) << fork_path;
        options.pass_fds = {leaky};
        EXPECT_EQ(fd_list(sp::run(helper("list_fds"), options).out), (std::set<int>{0, 1, 2, leaky})) << fork_path;
        options.pass_fds = {};
        options.close_fds = false;
        EXPECT_TRUE(fd_list(sp::run(helper("list_fds"), options).out).count(leaky)) << fork_path;
    }
    close(leaky);
}

TEST(Fds, PassFdsKeepsTheNumberAndClearsCloexecInTheChildOnly) {
    int fds[2];
    ASSERT_EQ(pipe2(fds, O_CLOEXEC), 0);
    const std::string target = std::to_string(fds[1]);
    const int status = sp::call({"sh", "-c", "echo through >&" + target}, {.pass_fds = {fds[1]}});
    close(fds[1]);
    char buffer[64] = {};
    const ssize_t n = read(fds[0], buffer, sizeof buffer - 1);
    close(fds[0]);
    EXPECT_EQ(status, 0);
    EXPECT_EQ(std::string(buffer, n > 0 ? static_cast<std::size_t>(n) : 0), "through\n");
    EXPECT_THROW(sp::Popen({"true"}, {.pass_fds = {1}}), std::invalid_argument);
}

TEST(Fds, PassingAClosedFdIsASpawnErrorOnBothPaths) {
    const int closed = 900;  // not open in the suite
    ASSERT_LT(fcntl(closed, F_GETFD), 0);
    for (const bool fork_path : {false, true}) {
        sp::Options options{.pass_fds = {closed}};
        if (fork_path) options.umask = 022;
        try {
            sp::Popen p({"true"}, options);
            FAIL() << "started";
        } catch (const sp::SpawnError& e) {
            EXPECT_EQ(e.code().value(), EBADF) << fork_path;
            EXPECT_EQ(e.step(), "dup2") << fork_path;
        }
    }
}

// ---- signals, return codes, lifetime ----

TEST(Signals, NegativeReturnCodeAndSendSignal) {
    EXPECT_EQ(sp::call({"sh", "-c", "kill -USR1 $$"}), -SIGUSR1);
    sp::Popen p({"sleep", "100"});
    EXPECT_EQ(p.poll(), std::nullopt);
    p.terminate();
    EXPECT_EQ(p.wait(10s), -SIGTERM);
    EXPECT_EQ(p.returncode(), -SIGTERM);
    p.kill();  // reaped: a no-op, not a signal to whoever has the pid now
    try {
        sp::run({"sh", "-c", "kill -KILL $$"}, {.check = true});
        FAIL();
    } catch (const sp::CalledProcessError& e) {
        EXPECT_EQ(e.returncode(), -SIGKILL);
        EXPECT_NE(std::string(e.what()).find("died with SIGKILL"), std::string::npos) << e.what();
    }
}

TEST(Signals, GroupScopeReachesGrandchildren) {
    sp::Popen p({"sleep 100 & echo $!; wait"}, {.shell = true, .out = sp::PIPE});
    const pid_t grandchild = std::stoi(p.readline(10s).value());
    p.kill(sp::Scope::group);
    EXPECT_EQ(p.wait(10s), -SIGKILL);
    EXPECT_TRUE(mp::test::exits_within(grandchild, 2000ms));
    sp::Popen shared({"true"}, {.group = sp::Group::inherit()});
    EXPECT_THROW(shared.kill(sp::Scope::group), std::invalid_argument);
    shared.wait();
}

TEST(Lifetime, DestroyingARunningPopenWaitsForItAsPythonsWith) {
    const auto start = Clock::now();
    pid_t pid;
    {
        sp::Popen p({"sleep", "0.3"});
        pid = p.pid();
    }
    EXPECT_GE(Clock::now() - start, 300ms);
    EXPECT_TRUE(mp::test::has_exited(pid));  // and the leak guard finds no zombie
}

TEST(Lifetime, DestroyingAPopenClosesItsStdinSoAReaderEnds) {
    const auto start = Clock::now();
    {
        sp::Popen cat({"cat"}, {.in = sp::PIPE, .out = sp::PIPE});
        sp::Pipeline pipeline({{"cat"}, {"cat"}}, {.in = sp::PIPE});
    }
    EXPECT_LT(Clock::now() - start, 5s);
}

TEST(Lifetime, OnDestroyStopStopsAndReapsARunningPopen) {
    const auto start = Clock::now();
    pid_t pid;
    {
        sp::Popen p({"sleep", "100"}, {.on_destroy = sp::OnDestroy::stop});
        pid = p.pid();
    }
    EXPECT_LT(Clock::now() - start, 5s);
    EXPECT_TRUE(mp::test::has_exited(pid));
}

TEST(Lifetime, OnDestroyStopKillsAChildIgnoringTermAfterTheGrace) {
    const auto start = Clock::now();
    {
        sp::Popen p(helper("ignore_term"), {.out = sp::PIPE,
                                            .on_destroy = sp::OnDestroy::stop,
                                            .stop = {.wait = 100ms, .signal = SIGTERM, .grace = 200ms}});
        EXPECT_EQ(p.readline(10s), "ready");
    }
    EXPECT_GE(Clock::now() - start, 300ms);
    EXPECT_LT(Clock::now() - start, 5s);
    sp::Pipeline pipeline({{"sleep", "100"}, {"cat"}}, {.on_destroy = sp::OnDestroy::stop});
}

TEST(Lifetime, StopEscalatesToKillAfterTheGrace) {
    sp::Popen p(helper("ignore_term"), {.out = sp::PIPE, .stop = {.wait = 0ms, .signal = SIGTERM, .grace = 200ms}});
    EXPECT_EQ(p.readline(10s), "ready");
    const auto start = Clock::now();
    EXPECT_EQ(p.stop(), -SIGKILL);
    EXPECT_GE(Clock::now() - start, 200ms);
    EXPECT_LT(Clock::now() - start, 5s);
}

TEST(Lifetime, MoveOnlyHandleMovesOwnership) {
    sp::Popen a({"sleep", "100"});
    const pid_t pid = a.pid();
    sp::Popen b(std::move(a));
    EXPECT_EQ(b.pid(), pid);
    EXPECT_EQ(a.pid(), -1);  // NOLINT: checking the moved-from state on purpose
    EXPECT_THROW(a.wait(), std::logic_error);  // never waitpid(-1): that reaps any child
    sp::Popen c({"true"});
    c = std::move(b);  // c's own child is stopped and reaped first
    EXPECT_EQ(c.pid(), pid);
    c.kill();
    EXPECT_EQ(c.wait(), -SIGKILL);
    static_assert(!std::is_copy_constructible_v<sp::Popen>);
}

// ---- pipelines ----

TEST(Pipeline, ConnectsStagesWithoutAShell) {
    const sp::PipelineResult r = sp::pipeline({{"sort"}, {"uniq", "-c"}, {"sort", "-rn"}},
                                              {.input = "b\na\nb\nc\nb\na\n", .capture_output = true, .timeout = 30s});
    EXPECT_EQ(r.out, "      3 b\n      2 a\n      1 c\n");
    EXPECT_EQ(r.returncodes, (std::vector<int>{0, 0, 0}));
    EXPECT_EQ(r.returncode(), 0);
}

TEST(Pipeline, FailingMiddleStageIsReportedPipefail) {
    const sp::PipelineResult r =
        sp::pipeline({{"echo", "x"}, {"sh", "-c", "cat >/dev/null; echo broken >&2; exit 3"}, {"cat"}},
                     {.capture_output = true});
    EXPECT_EQ(r.returncodes, (std::vector<int>{0, 3, 0}));
    EXPECT_EQ(r.returncode(), 3);
    EXPECT_EQ(r.last_returncode(), 0);
    EXPECT_EQ(r.err, "broken\n");
    try {
        sp::pipeline({{"echo", "x"}, {"sh", "-c", "exit 3"}, {"cat"}}, {.check = true});
        FAIL();
    } catch (const sp::CalledProcessError& e) {
        EXPECT_EQ(e.returncode(), 3);
        EXPECT_EQ(e.args(), (std::vector<std::string>{"sh", "-c", "exit 3"}));
    }
}

TEST(Pipeline, OneTimeoutForTheWholePipelineKillsEveryStage) {
    const auto start = Clock::now();
    try {
        sp::pipeline({{"sh", "-c", "echo early; sleep 100"}, {"cat"}, {"sleep", "100"}},
                     {.capture_output = true, .timeout = 300ms});
        FAIL();
    } catch (const sp::TimeoutExpired& e) {
        EXPECT_LT(Clock::now() - start, 5s);
        EXPECT_EQ(sp::join_args(e.args()), "sh -c 'echo early; sleep 100' | cat | sleep 100");
    }
}

TEST(Pipeline, MissingStageProgramKillsTheStartedStages) {
    const auto start = Clock::now();
    EXPECT_THROW(sp::pipeline({{"sleep", "100"}, {"mp-no-such-program-anywhere"}}), sp::SpawnError);
    EXPECT_LT(Clock::now() - start, 5s);
}

TEST(Pipeline, SignalsReachTheGroup) {
    sp::Pipeline job({{"sleep", "100"}, {"sleep", "100"}});
    EXPECT_EQ(job.pgid(), job.pids().front());
    job.send_signal(SIGTERM);
    const sp::PipelineResult r = job.communicate({}, 10s);
    EXPECT_EQ(r.returncodes, (std::vector<int>{-SIGTERM, -SIGTERM}));
}

}  // namespace

// bin/pool's output control beyond the GNU parallel case table: what depends on
// timing (--line-buffer and -u pass output on while the job runs), -k with them,
// --results' files and its refusal to write through symlinks, --files' temporary files.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <set>
#include <string>
#include <vector>

#include "subproc/subproc.hpp"
#include "tests/pool/test_support.hpp"
#include "tests/support/helpers.hpp"

namespace {

using namespace mp::pool::test;
using namespace std::chrono_literals;
using mp::test::CommandResult;

std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    for (std::size_t from = 0, end; (end = text.find('\n', from)) != std::string::npos; from = end + 1)
        out.push_back(text.substr(from, end - from));
    return out;
}

// What bin/pool writes to stdout while its job is still running. The jobs name their
// argument (`: {}`) so that it is not appended to their `sleep`.
std::string output_while_running(const std::vector<std::string>& args, const std::string& until) {
    std::vector<std::string> argv{mp::test::bin_path("pool")};
    argv.insert(argv.end(), args.begin(), args.end());
    mp::subproc::Popen pool(argv, {.in = mp::subproc::DEVNULL, .out = mp::subproc::PIPE,
                                   .on_destroy = mp::subproc::OnDestroy::stop});
    std::string got;
    char buffer[256];
    for (const auto deadline = Clock::now() + 20s; got.find(until) == std::string::npos && Clock::now() < deadline;) {
        pollfd out{pool.stdout_fd(), POLLIN, 0};
        if (poll(&out, 1, 100) <= 0) continue;
        const ssize_t n = read(pool.stdout_fd(), buffer, sizeof buffer);
        if (n <= 0) break;
        got.append(buffer, static_cast<std::size_t>(n));
    }
    pool.send_signal(SIGTERM);  // its job sleeps on: ended with the tool
    EXPECT_EQ(pool.wait(10s), 143);
    return got;
}

// --line-buffer: a job's whole lines go out while it runs (grouped, nothing would).
TEST(BinPoolOutput, LineBufferPassesWholeLinesWhileTheJobRuns) {
    const std::vector<std::string> args{"--line-buffer", "--tag", "echo one; printf two; sleep 100; : {}", ":::", "a"};
    EXPECT_EQ(output_while_running(args, "one\n"), "a\tone\n");
}

// -u: even half a line goes out at once.
TEST(BinPoolOutput, UngroupPassesHalfLinesWhileTheJobRuns) {
    EXPECT_EQ(output_while_running({"-u", "printf half; sleep 100; : {}", ":::", "a"}, "half"), "half");
}

// --line-buffer never cuts a line and never mixes two jobs' lines inside one, however
// their writes interleave.
TEST(BinPoolOutput, LineBufferNeverMixesLinesOfJobs) {
    const CommandResult r = pool_cli(
        {"-j4", "--line-buffer", "for i in 1 2 3 4 5; do printf '{}-'; sleep 0.0{}; printf '{}\\n'; done", ":::", "1", "2",
         "3", "4"});
    EXPECT_EQ(r.exit_code, 0);
    std::multiset<std::string> got;
    for (const std::string& line : lines(r.out)) got.insert(line);
    std::multiset<std::string> expected;
    for (const std::string job : {"1", "2", "3", "4"})
        for (int i = 0; i < 5; ++i) expected.insert(job + "-" + job);
    EXPECT_EQ(got, expected) << r.out;
}

// -k with --line-buffer and -u: the jobs' output in input order, a later job's held
// while an earlier one runs (GNU parallel lets -u ignore -k).
TEST(BinPoolOutput, KeepOrderHoldsStreamedOutput) {
    for (const std::string mode : {"--line-buffer", "-u"}) {
        const CommandResult r = pool_cli({"-j3", "-k", mode, "echo {}; sleep 0.{}; echo {}", ":::", "5", "1", "3"});
        EXPECT_EQ(r.exit_code, 0);
        EXPECT_EQ(r.out, "5\n5\n1\n1\n3\n3\n") << mode;
    }
}

// --results DIR: GNU parallel's layout, every file below DIR (no value names its
// parent), nothing printed; stderr and seq saved too.
TEST(BinPoolOutput, ResultsSavesEachJobsOutputInGnuParallelsLayout) {
    TempDir dir;
    const std::string results = dir.file("r");
    const CommandResult r = pool_cli({"-k", "--results", results, "echo {}; echo err >&2", ":::", "a", "b/c", "..", "."});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(r.err, "");
    EXPECT_EQ(slurp(results + "/1/a/stdout"), "a\n");
    EXPECT_EQ(slurp(results + "/1/a/stderr"), "err\n");
    EXPECT_EQ(slurp(results + "/1/a/seq"), "1");
    EXPECT_EQ(slurp(results + "/1/b\\_c/stdout"), "b/c\n");
    EXPECT_EQ(slurp(results + "/1/\\../stdout"), "..\n");
    EXPECT_EQ(slurp(results + "/1/\\./seq"), "4");
    EXPECT_NE(mp::test::run_command({"test", "-e", results + "/stdout"}).exit_code, 0);
    EXPECT_NE(mp::test::run_command({"test", "-e", results + "/1/stdout"}).exit_code, 0);
    // Two sources: DIR/1/A/2/B.
    ASSERT_EQ(pool_cli({"--results", results, "echo", ":::", "x", ":::", "1", "2"}).exit_code, 0);
    EXPECT_EQ(slurp(results + "/1/x/2/2/stdout"), "x 2\n");
}

// --results into a symlink: an error before anything runs (exit 255); a symlink
// planted where a job's directory or file goes is never written through.
TEST(BinPoolOutput, ResultsNeverWritesThroughASymlink) {
    TempDir dir;
    const std::string victim = dir.file("victim"), ran = dir.file("ran");
    ASSERT_EQ(mkdir(victim.c_str(), 0700), 0);
    ASSERT_EQ(symlink(victim.c_str(), dir.file("link").c_str()), 0);
    CommandResult r = pool_cli({"--results", dir.file("link"), "touch", ran, ":::", "a"});
    EXPECT_EQ(r.exit_code, 255);
    EXPECT_EQ(r.err.rfind("pool: open(\"" + dir.file("link") + "\"): Too many levels of symbolic links", 0), 0u) << r.err;
    EXPECT_NE(mp::test::run_command({"test", "-e", ran}).exit_code, 0) << "a job ran";
    // Planted: DIR/1 -> victim, and DIR/2/a/stdout -> victim/file.
    const std::string results = dir.file("r");
    ASSERT_EQ(mkdir(results.c_str(), 0700), 0);
    ASSERT_EQ(symlink(victim.c_str(), (results + "/1").c_str()), 0);
    r = pool_cli({"--results", results, "echo", "secret", ":::", "a"});
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_NE(r.err.find("pool: --results: open(\"1\"): Too many levels of symbolic links"), std::string::npos) << r.err;
    ASSERT_EQ(unlink((results + "/1").c_str()), 0);
    ASSERT_EQ(mp::test::run_command({"mkdir", "-p", results + "/1/a"}).exit_code, 0);
    ASSERT_EQ(symlink((victim + "/file").c_str(), (results + "/1/a/stdout").c_str()), 0);
    r = pool_cli({"--results", results, "echo", "secret", ":::", "a"});
    EXPECT_NE(r.err.find("open(\"stdout\"): Too many levels of symbolic links"), std::string::npos) << r.err;
    EXPECT_EQ(mp::test::run_command({"find", victim, "-mindepth", "1"}).out, "") << "written through a symlink";
}

// --files alone: each job's stdout in a new $TMPDIR/parXXXXXX.par, its name printed.
TEST(BinPoolOutput, FilesPrintsTheNamesOfNewFilesHoldingTheOutput) {
    TempDir dir;
    const CommandResult r = mp::test::run_command(
        {"env", "TMPDIR=" + dir.path, mp::test::bin_path("pool"), "-k", "--files", "echo {}; echo e{} >&2", ":::", "a",
         "b"});
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(r.err, "ea\neb\n");
    const std::vector<std::string> names = lines(r.out);
    ASSERT_EQ(names.size(), 2u) << r.out;
    for (std::size_t i = 0; i < names.size(); ++i) {
        EXPECT_EQ(names[i].rfind(dir.path + "/par", 0), 0u) << names[i];
        EXPECT_TRUE(names[i].ends_with(".par")) << names[i];
        EXPECT_EQ(slurp(names[i]), std::string(i == 0 ? "a" : "b") + "\n");
    }
}

// Output that cannot be written (a full disk) is an error, in every output mode:
// exit 255 and one line saying so, never status 0 over lost output. The jobs after
// the failure do not start.
TEST(BinPoolOutput, AFullStdoutEndsTheRunWithAnError) {
    for (const char* mode : {"--group", "-k", "--line-buffer", "-u", "--tag"}) {
        mp::subproc::Popen pool({mp::test::bin_path("pool"), "-j1", mode, "echo", ":::", "a", "b", "c"},
                                {.in = mp::subproc::DEVNULL,
                                 .out = mp::subproc::Stream::write_to("/dev/full"),
                                 .err = mp::subproc::PIPE,
                                 .on_destroy = mp::subproc::OnDestroy::stop});
        const mp::subproc::Output output = pool.communicate({}, 20s);
        EXPECT_EQ(pool.returncode(), 255) << mode;
        EXPECT_EQ(output.err, "pool: cannot write to stdout: No space left on device\n") << mode;
    }
}

// A closed stdout (the reader went away, as `head` in a pipeline) is not an error:
// what is left has nowhere to go.
TEST(BinPoolOutput, AClosedStdoutEndsQuietly) {
    // `true` has exited before the first job writes: every write meets EPIPE.
    const CommandResult r = mp::test::run_command(
        {"bash", "-o", "pipefail", "-c", mp::test::bin_path("pool") + " -j1 'sleep 0.2; echo {}' ::: a b c | true"});
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(r.err, "");
}

}  // namespace

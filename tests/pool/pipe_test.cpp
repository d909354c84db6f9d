// bin/pool --pipe and --pipe-part beyond the GNU parallel case table: big inputs
// come back whole and cut on record ends, jobs that read nothing, SIGINT, and the
// unhappy paths (a --pipe-part input that is not a regular file, bad --block values).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "subproc/subproc.hpp"
#include "tests/pool/test_support.hpp"
#include "tests/support/helpers.hpp"

namespace {

using namespace mp::pool::test;
using namespace std::chrono_literals;
using mp::test::CommandResult;

// Lines of varied length (1 to 79 characters and a '\n'), `count` of them.
std::string varied_lines(int count) {
    std::string text;
    for (int i = 0; i < count; ++i) text += std::string(static_cast<std::size_t>(1 + (i * 37) % 79), 'a' + i % 26) + "\n";
    return text;
}

// -k and cat give the input back byte for byte; every block but the last ends with
// a '\n' (each job prints its block's last byte after it), for --pipe and --pipe-part.
TEST(BinPoolPipe, BlocksCoverTheInputAndEndOnRecordEnds) {
    TempDir dir;
    const std::string input = varied_lines(40000);  // about 1.6 MB
    {
        FILE* file = std::fopen(dir.file("in").c_str(), "w");
        ASSERT_NE(file, nullptr);
        std::fwrite(input.data(), 1, input.size(), file);
        std::fclose(file);
    }
    for (const std::vector<std::string>& mode :
         std::vector<std::vector<std::string>>{{"--pipe"}, {"--pipe-part", "-a", dir.file("in")}}) {
        std::vector<std::string> args = mode;
        for (const std::string arg : {"-k", "-j3", "--block", "100k", "cat"}) args.push_back(arg);
        CommandResult r = pool_cli(args, mode[0] == "--pipe" ? input : "");
        EXPECT_EQ(r.exit_code, 0) << mode[0] << r.err;
        EXPECT_TRUE(r.out == input) << mode[0] << ": the blocks do not make the input";
        args.back() = "tail -c 1 | od -An -c";
        r = pool_cli(args, mode[0] == "--pipe" ? input : "");
        EXPECT_EQ(r.exit_code, 0);
        std::size_t blocks = 0;
        for (std::size_t at = 0; (at = r.out.find("\\n", at)) != std::string::npos; ++at) ++blocks;
        EXPECT_GE(blocks, 15u) << mode[0];
        EXPECT_EQ(r.out.find_first_not_of(" \\n\n"), std::string::npos) << mode[0] << ": a block ends mid-line";
    }
}

// A retried job reads its whole block again, from the file for --pipe-part and from
// memory for --pipe: the failed try's output is dropped, the last try's kept.
TEST(BinPoolPipe, ARetriedJobGetsItsWholeBlockAgain) {
    TempDir dir;
    const std::string input = varied_lines(20000);  // about 0.8 MB: more than a pipe holds
    {
        FILE* file = std::fopen(dir.file("in").c_str(), "w");
        ASSERT_NE(file, nullptr);
        std::fwrite(input.data(), 1, input.size(), file);
        std::fclose(file);
    }
    const std::string flaky = "wc -c; test -e " + dir.file("tried") + " || { touch " + dir.file("tried") + "; exit 1; }";
    for (const std::vector<std::string>& mode :
         std::vector<std::vector<std::string>>{{"--pipe", "--block", "2M"}, {"--pipe-part", "--block", "-1", "-a", dir.file("in")}}) {
        ASSERT_EQ(mp::test::run_command({"rm", "-f", dir.file("tried")}).exit_code, 0);
        std::vector<std::string> args = mode;
        args.insert(args.end(), {"-j1", "--retries", "2", flaky});
        const CommandResult r = pool_cli(args, mode[0] == "--pipe" ? input : "");
        EXPECT_EQ(r.exit_code, 0) << mode[0] << r.err;
        EXPECT_EQ(r.out, std::to_string(input.size()) + "\n") << mode[0];
    }
}

// A job that reads none of its block (or only part of it) does not hang the tool.
TEST(BinPoolPipe, JobsThatDoNotReadTheirBlockFinish) {
    const CommandResult r = pool_cli({"-k", "--pipe", "--block", "200k", "head -c 3; echo"}, varied_lines(20000));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out.substr(0, 4), "a\nb\n");  // the first block's first 3 bytes
    EXPECT_EQ(pool_cli({"--pipe", "true"}, varied_lines(20000)).exit_code, 0);
}

// SIGINT while --pipe feeds jobs: exit 130, every job's process gone, and no
// temporary file left (blocks never go through files).
TEST(BinPoolPipe, SigintLeavesNoProcessAndNoTemporaryFile) {
    TempDir dir, tmp;
    mp::subproc::Popen runner({"env", "TMPDIR=" + tmp.path, mp::test::bin_path("pool"), "--pipe", "-j2", "--block", "1k",
                               "echo $$ > " + dir.path + "/pid{#}; cat > /dev/null; sleep 100"},
                              {.in = mp::subproc::PIPE, .out = mp::subproc::DEVNULL,
                               .on_destroy = mp::subproc::OnDestroy::stop});
    // More input than two jobs take, and stdin kept open: the tool is reading it.
    const std::string input = varied_lines(300);  // within the pipe's buffer
    ASSERT_EQ(write(runner.stdin_fd(), input.data(), input.size()), static_cast<ssize_t>(input.size()));
    std::vector<pid_t> pids;
    for (int i = 0; i < 1000 && pids.size() < 2; ++i) {
        usleep(10000);
        pids.clear();
        for (const std::string name : {"pid1", "pid2"})
            if (const std::string pid = slurp(dir.path + "/" + name); pid.ends_with("\n")) pids.push_back(std::stoi(pid));
    }
    ASSERT_EQ(pids.size(), 2u);
    runner.send_signal(SIGINT);
    EXPECT_EQ(runner.wait(10s), 130);
    runner.close_stdin();
    for (pid_t pid : pids) EXPECT_TRUE(process_gone(pid)) << pid;
    EXPECT_EQ(mp::test::run_command({"find", tmp.path, "-mindepth", "1"}).out, "") << "a temporary file was left";
    EXPECT_NE(mp::test::run_command({"test", "-e", dir.path + "/pid3"}).exit_code, 0) << "a job started after SIGINT";
}

// --pipe-part needs a regular file: a pipe, a directory or a missing file is an
// error before anything runs (exit 255).
TEST(BinPoolPipe, PipePartOnAnythingButARegularFileIsAnErrorAndNothingRuns) {
    TempDir dir;
    const std::string ran = dir.file("ran");
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"/dev/stdin", "pool: --pipe-part: not a regular file (a seekable one is needed): '/dev/stdin'"},
        {dir.path, "pool: --pipe-part: not a regular file (a seekable one is needed): '" + dir.path + "'"},
        {dir.file("missing"), "pool: cannot read input file '" + dir.file("missing") + "': No such file or directory"},
        {"-", "pool: --pipe-part: one -a FILE, a regular file, is needed"}};
    for (const auto& [file, error] : cases) {
        const CommandResult r = pool_cli({"--pipe-part", "-a", file, "touch", ran}, "a\nb\n");  // stdin: a pipe
        EXPECT_EQ(r.exit_code, 255) << file;
        EXPECT_EQ(r.out, "");
        EXPECT_EQ(r.err.rfind(error, 0), 0u) << r.err;
        EXPECT_NE(mp::test::run_command({"test", "-e", ran}).exit_code, 0) << file << ": a job ran";
    }
}

TEST(BinPoolPipe, BadBlockSizesAndPipeOptionsAreUsageErrors) {
    TempDir dir;
    const std::string ran = dir.file("ran");
    for (const std::string size : {"0", "1x", "-0", "--1", "-2G", "2G", "2048M", "k", "1.5.5", "", ".5", "1kk", "0.1"}) {
        const CommandResult r = pool_cli({"--pipe", "--block", size, "touch", ran}, "a\n");
        EXPECT_EQ(r.exit_code, 255) << size;
        EXPECT_EQ(r.err.rfind("pool: --block: not a size from 1 to 2G-1", 0), 0u) << size << ": " << r.err;
    }
    for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
             {"--pipe", "touch", ran, ":::", "a"},
             {"--pipe", "-a", dir.path, "touch", ran},
             {"--pipe", "-N0", "touch", ran},
             {"--pipe", "--block", "-1", "touch", ran},
             {"--pipe", "--recend", "", "touch", ran},
             {"--pipe-part", "touch", ran},
             {"--pipe-part", "-a", "/etc/passwd", "-N", "2", "touch", ran}}) {
        const CommandResult r = pool_cli(args, "a\n");
        EXPECT_EQ(r.exit_code, 255) << args[1];
        EXPECT_EQ(r.err.rfind("pool: ", 0), 0u) << r.err;
    }
    EXPECT_NE(mp::test::run_command({"test", "-e", ran}).exit_code, 0) << "a job ran";
}

}  // namespace

// The pool suite. Process, Pool and Executor are tested in tests/pool/<topic>_test.cpp;
// this file tests the bin/pool job runner.
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "pool/pool.hpp"
#include "subproc/subproc.hpp"
#include "tests/support/helpers.hpp"
#include "tests/pool/test_support.hpp"

namespace {

using namespace std::chrono_literals;
using namespace mp::pool::test;

using mp::test::CommandResult;

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

TEST(BinPool, KeepOrderPrintsInInputOrder) {
    // Item n sleeps (6 - n) * 50 ms: they finish in reverse order.
    const CommandResult r = pool_cli({"-j6", "-k", "sh", "-c", "sleep $(( (6 - $0) ))e-2; echo $0"}, "1\n2\n3\n4\n5\n6\n");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "1\n2\n3\n4\n5\n6\n");
    const CommandResult unordered = pool_cli({"-j6", "sh", "-c", "sleep $(( (6 - $0) ))e-2; echo $0"}, "1\n2\n3\n4\n5\n6\n");
    EXPECT_EQ(unordered.exit_code, 0);
    EXPECT_EQ(lines_of(unordered.out).size(), 6u);
}

TEST(BinPool, OutputOfConcurrentJobsNeverInterleaves) {
    const CommandResult r = pool_cli(
        {"-j4", "sh", "-c", "for i in 1 2 3; do echo $0-$i; echo err-$0-$i >&2; sleep 0.05; done"}, "a\nb\nc\nd\n");
    EXPECT_EQ(r.exit_code, 0);
    for (const std::string* stream : {&r.out, &r.err}) {
        const std::vector<std::string> lines = lines_of(*stream);
        ASSERT_EQ(lines.size(), 12u) << *stream;
        for (size_t job = 0; job < 4; ++job) {
            const std::string prefix = lines[job * 3].substr(0, lines[job * 3].size() - 1);
            for (size_t i = 0; i < 3; ++i) EXPECT_EQ(lines[job * 3 + i], prefix + std::to_string(i + 1)) << *stream;
        }
    }
}

TEST(BinPool, ItemsAreSingleArgumentsNeverSeenByAShell) {
    const CommandResult r = pool_cli({"-k", "-j2", "echo", "[{}]", "x{}y{}"}, "a b\nc;echo INJECT\n'q\"\n\n");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "[a b] xa bya b\n[c;echo INJECT] xc;echo INJECTyc;echo INJECT\n['q\"] x'q\"y'q\"\n[] xy\n");
    const CommandResult appended = pool_cli({"-k", "printf", "<%s>\\n"}, "one two\nthree");
    EXPECT_EQ(appended.out, "<one two>\n<three>\n");
    // The first word that is not an option starts CMD, whose own options are its own.
    const CommandResult cmd_options = pool_cli({"-j2", "-k", "echo", "-n", "-j3"}, "x\n");
    EXPECT_EQ(cmd_options.out, "-j3 x");
}

TEST(BinPool, NulSeparatedItems) {
    const CommandResult r = pool_cli({"-0", "-k", "echo"}, std::string("one\0two words\0with\nnewline\0", 27));
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(r.out, "one\ntwo words\nwith\nnewline\n");
}

TEST(BinPool, EmptyInputRunsNothing) {
    const CommandResult r = pool_cli({"echo", "never"}, "");
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(r.out, "");
}

TEST(BinPool, ExitStatusCountsFailedJobs) {
    EXPECT_EQ(pool_cli({"sh", "-c", "exit $(( $0 % 2 ))"}, "1\n2\n3\n4\n5\n").exit_code, 3);
    std::string many;
    for (int i = 0; i < 150; ++i) many += "x\n";
    EXPECT_EQ(pool_cli({"-j8", "false"}, many).exit_code, 101);
    const CommandResult missing = pool_cli({"/nonexistent/program"}, "a\nb\n");
    EXPECT_EQ(missing.exit_code, 2);
    EXPECT_NE(missing.err.find("pool: /nonexistent/program: No such file or directory"), std::string::npos) << missing.err;
    const CommandResult killed = pool_cli({"sh", "-c", "kill -9 $$"}, "a\n");
    EXPECT_EQ(killed.exit_code, 1);
}

TEST(BinPool, UsageErrorsExit255) {
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"-j", "x", "echo"}, {"-jx", "echo"}, {"-j", "+1%", "echo"}, {"--timeout", "-1", "echo"}, {"--halt", "later", "echo"}, {"--bogus"}, {}, {"-k"}}) {
        const CommandResult r = pool_cli(args, "a\n");
        EXPECT_EQ(r.exit_code, 255) << args.size();
        EXPECT_EQ(r.err.rfind("pool: ", 0), 0u) << r.err;
    }
    const CommandResult help = pool_cli({"--help"});
    EXPECT_EQ(help.exit_code, 0);
    EXPECT_NE(help.out.find("--joblog"), std::string::npos);
    // `-- tour` is a program named tour, not the tour.
    EXPECT_EQ(pool_cli({"--", "tour"}, "a\n").exit_code, 1);
}

TEST(BinPool, TimeoutKillsTheJobsWholeProcessGroup) {
    TempDir dir;
    const std::string pids = dir.file("pids");
    const auto start = Clock::now();
    const CommandResult r = pool_cli({"--timeout", "0.3", "--joblog", dir.file("log"), "sh", "-c",
                                      "sleep 100 & echo $! >> " + pids + "; echo $$ >> " + pids + "; echo started; wait"},
                                     "a\n");
    EXPECT_LT(Clock::now() - start, 10s);
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.out, "started\n");  // the partial output is kept
    const std::vector<std::string> started = lines_of(slurp(pids));
    ASSERT_EQ(started.size(), 2u);
    for (const std::string& pid : started) EXPECT_TRUE(process_gone(std::stoi(pid))) << pid;
    const std::vector<std::string> log = lines_of(slurp(dir.file("log")));
    ASSERT_EQ(log.size(), 2u);
    std::vector<std::string> fields;
    std::istringstream row(log[1]);
    for (std::string field; std::getline(row, field, '\t');) fields.push_back(field);
    ASSERT_GE(fields.size(), 9u);
    EXPECT_EQ(fields[6], "-1");
    EXPECT_EQ(fields[7], "15");
}

// GNU parallel's --retries N: N tries in all, 0 until one succeeds ("n=0 means infinite").
TEST(BinPool, RetriesCountTriesInTotal) {
    TempDir dir;
    const std::string counter = "n=$(cat " + dir.file("$0") + " 2>/dev/null || echo 0); n=$((n+1)); echo $n > " +
                                dir.file("$0") + "; echo try $n; [ $n -ge 3 ]";
    const CommandResult enough = pool_cli({"--retries", "3", "sh", "-c", counter}, "a\n");
    EXPECT_EQ(enough.exit_code, 0);
    EXPECT_EQ(enough.out, "try 3\n");  // only the last attempt's output
    const CommandResult too_few = pool_cli({"--retries", "2", "sh", "-c", counter}, "b\n");
    EXPECT_EQ(too_few.exit_code, 1);
    EXPECT_EQ(too_few.out, "try 2\n");
    EXPECT_EQ(slurp(dir.file("b")), "2\n");
    const CommandResult once = pool_cli({"sh", "-c", counter}, "c\n");
    EXPECT_EQ(once.exit_code, 1);
    EXPECT_EQ(slurp(dir.file("c")), "1\n");
    const CommandResult until = pool_cli({"--retries", "0", "sh", "-c", counter}, "d\n");
    EXPECT_EQ(until.exit_code, 0);
    EXPECT_EQ(until.out, "try 3\n");
}

TEST(BinPool, JoblogHasGnuParallelsFormatAndAppends) {
    TempDir dir;
    const std::string log = dir.file("jobs.log");
    EXPECT_EQ(pool_cli({"-k", "--joblog", log, "sh", "-c", "printf %s \"$0\"; exit $0"}, "0\n3\n").exit_code, 1);
    std::vector<std::string> rows = lines_of(slurp(log));
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows[0], "Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand");
    std::set<std::string> seen;
    for (size_t i = 1; i < rows.size(); ++i) {
        std::vector<std::string> f;
        std::istringstream row(rows[i]);
        for (std::string field; std::getline(row, field, '\t');) f.push_back(field);
        ASSERT_EQ(f.size(), 9u) << rows[i];
        EXPECT_EQ(f[1], ":");
        EXPECT_GT(std::stod(f[2]), 1.6e9);
        EXPECT_GE(std::stod(f[3]), 0.0);
        EXPECT_EQ(f[5], "1");  // one byte of output
        seen.insert(f[0] + "/" + f[6] + "/" + f[7] + "/" + f[8]);
    }
    EXPECT_TRUE(seen.count("1/0/0/sh -c 'printf %s \"$0\"; exit $0' 0")) << rows[1];
    EXPECT_TRUE(seen.count("2/3/0/sh -c 'printf %s \"$0\"; exit $0' 3")) << rows[2];
    EXPECT_EQ(pool_cli({"--joblog", "+" + log, "true"}, "x\n").exit_code, 0);
    rows = lines_of(slurp(log));
    EXPECT_EQ(rows.size(), 4u);
    EXPECT_EQ(pool_cli({"--joblog", log, "true"}, "x\n").exit_code, 0);
    EXPECT_EQ(lines_of(slurp(log)).size(), 2u);
}

TEST(BinPool, JoblogNeverWritesThroughASymlinkPlantedInItsPlace) {
    TempDir dir;
    const std::string victim = dir.file("victim"), log = dir.file("jobs.log");
    {
        std::ofstream(victim) << "keep me\n";
    }
    ASSERT_EQ(symlink(victim.c_str(), log.c_str()), 0);
    for (const std::string& joblog : {log, "+" + log}) {
        const CommandResult r = pool_cli({"--joblog", joblog, "true"}, "x\n");
        EXPECT_NE(r.exit_code, 0) << joblog;
        EXPECT_NE(r.err.find(log), std::string::npos) << r.err;
        EXPECT_EQ(slurp(victim), "keep me\n") << joblog;
    }
    unlink(log.c_str());
}

TEST(BinPool, HaltSoonStopsStartingJobsAndExitsWithTheJobsStatus) {
    const CommandResult soon = pool_cli({"-j1", "--halt", "soon", "sh", "-c", "echo $0; [ $0 != 2 ] || exit 7"}, "1\n2\n3\n4\n");
    EXPECT_EQ(soon.exit_code, 7);
    EXPECT_EQ(soon.out, "1\n2\n");
    const auto start = Clock::now();
    const CommandResult now =
        pool_cli({"-j2", "--halt", "now", "sh", "-c", "if [ $0 = fail ]; then sleep 0.2; exit 5; fi; sleep 100"}, "slow\nfail\n");
    EXPECT_EQ(now.exit_code, 5);
    EXPECT_LT(Clock::now() - start, 10s);
}

TEST(BinPool, BarGoesToStderrOnly) {
    const CommandResult r = pool_cli({"--bar", "-k", "echo"}, "a\nb\n");
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(r.out, "a\nb\n");
    EXPECT_NE(r.err.find("2/2 done"), std::string::npos) << r.err;
}

TEST(BinPool, SigintKillsEveryJobsProcessGroupAndLeavesNoProcess) {
    TempDir dir;
    const std::string pids = dir.file("pids");
    mp::subproc::Popen runner({mp::test::bin_path("pool"), "-j2", "sh", "-c",
                               "sleep 100 & echo $! >> " + pids + "; echo $$ >> " + pids + "; trap '' TERM; wait"},
                              {.in = mp::subproc::PIPE, .out = mp::subproc::DEVNULL,
                               .on_destroy = mp::subproc::OnDestroy::stop});
    (void)!write(runner.stdin_fd(), "a\nb\nc\n", 6);
    runner.close_stdin();
    std::vector<std::string> started;
    for (int i = 0; i < 1000 && started.size() < 4; ++i) {
        usleep(10000);
        started = lines_of(slurp(pids));
    }
    ASSERT_EQ(started.size(), 4u);
    const auto start = Clock::now();
    runner.send_signal(SIGINT);
    EXPECT_EQ(runner.wait(10s), 130);
    EXPECT_LT(Clock::now() - start, 8s);
    for (const std::string& pid : started) EXPECT_TRUE(process_gone(std::stoi(pid))) << pid;
    EXPECT_EQ(lines_of(slurp(pids)).size(), 4u);  // the third item never started
}

TEST(BinPool, TourRuns) {
    const CommandResult r = mp::test::run_command({mp::test::bin_path("pool"), "tour"}, "", 60s);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("client 4 got \"HELLO FROM CLIENT 4\""), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("WorkerDied: pool: worker"), std::string::npos);
}

}  // namespace

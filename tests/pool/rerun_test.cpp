// bin/pool's re-running and pacing, as GNU parallel's manual describes them:
// --resume, --resume-failed and --retry-failed over a joblog, --dry-run, the forms of
// -j, --delay, --load and --memfree. Timings are lower bounds (a delay is at least
// its length) or generous "it did not hang" limits.
#include <signal.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "pool/pool.hpp"
#include "subproc/subproc.hpp"
#include "tests/pool/test_support.hpp"
#include "tests/support/helpers.hpp"

namespace {

using namespace std::chrono_literals;
using namespace mp::pool::test;
using mp::test::write_file;

constexpr const char* kHeader = "Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand\n";

// A joblog line as bin/pool and GNU parallel write it.
std::string logged(int seq, int exitval, const std::string& command) {
    return std::to_string(seq) + "\t:\t1700000000.000\t0.010\t0\t0\t" + std::to_string(exitval) + "\t0\t" + command + "\n";
}

// The manual's example: seqs 1 and 3 of a run over a b c d are logged, 3 failed.
TEST(BinPoolRerun, ResumeSkipsEveryLoggedSeqAndResumeFailedOnlyTheSucceededOnes) {
    TempDir dir;
    const std::string log = dir.file("log");
    const std::string before = std::string(kHeader) + logged(1, 0, "echo a") + logged(3, 1, "echo c");
    write_file(log, before);
    auto r = pool_cli({"--resume", "--joblog", log, "-k", "echo", ":::", "a", "b", "c", "d"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "b\nd\n");
    const std::vector<std::string> rows = joblog_rows_in_order(slurp(log));
    ASSERT_EQ(rows.size(), 4u);
    EXPECT_EQ(rows[0] + " " + rows[1], "1/0 3/1") << "appended";
    EXPECT_EQ(joblog_rows(slurp(log)), (std::vector<std::string>{"1/0", "2/0", "3/1", "4/0"}));

    write_file(log, before);
    r = pool_cli({"--resume-failed", "--joblog", log, "-k", "echo", ":::", "a", "b", "c", "d"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "b\nc\nd\n");
    // Everything logged now: another --resume runs nothing.
    r = pool_cli({"--resume", "--joblog", log, "-k", "echo", ":::", "a", "b", "c", "d"});
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(r.exit_code, 0);
}

// A run where some jobs fail, fixed, then resumed: only the failed ones run again.
TEST(BinPoolRerun, ResumeFailedAfterARealRunRerunsTheFailures) {
    TempDir dir;
    const std::string log = dir.file("log");
    write_file(dir.file("ok-1"), "");
    const std::string job = "test -e " + dir.path + "/ok-{} && echo {}";
    auto r = pool_cli({"--joblog", log, "-k", job, ":::", "1", "2", "3"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.out, "1\n");
    write_file(dir.file("ok-2"), "");
    write_file(dir.file("ok-3"), "");
    r = pool_cli({"--resume-failed", "--joblog", log, "-k", job, ":::", "1", "2", "3"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "2\n3\n");
}

// --retry-failed runs the failed lines' commands as logged, ignoring the command
// line's command and arguments; the last line of a seq decides.
TEST(BinPoolRerun, RetryFailedRunsTheLoggedCommandsOfFailedJobsOnly) {
    TempDir dir;
    const std::string log = dir.file("log");
    write_file(log, std::string(kHeader) + logged(1, 0, "echo one") + logged(2, 3, "echo two; exit 3") +
                        logged(3, 1, "echo 'three 3'"));
    auto r = pool_cli({"--retry-failed", "--joblog", log, "-k"});
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_EQ(r.out, "two\nthree 3\n");
    EXPECT_EQ(joblog_rows(slurp(log)), (std::vector<std::string>{"1/0", "2/3", "2/3", "3/0", "3/1"}));
    r = pool_cli({"--retry-failed", "--joblog", log, "-k", "echo", "ignored", ":::", "x"});
    EXPECT_EQ(r.out, "two\n") << "seq 3 succeeded on its last line; the command line is ignored";
    EXPECT_EQ(r.exit_code, 1);
}

TEST(BinPoolRerun, ADamagedJoblogIsAnErrorAndNothingRuns) {
    TempDir dir;
    const std::string log = dir.file("log");
    const std::string ran = dir.file("ran");
    for (const std::string& damage : {std::string("garbage\n"), logged(1, 0, "x").substr(3), std::string("x\t:\t1\t1\t0\t0\t0\t0\tcmd\n"),
                                      std::string("1\t:\t1\t1\t0\t0\tzero\t0\tcmd\n")}) {
        write_file(log, std::string(kHeader) + logged(1, 0, "true") + damage);
        for (const std::string mode : {"--resume", "--resume-failed", "--retry-failed"}) {
            const auto r = pool_cli({mode, "--joblog", log, "touch", ran, ":::", "a"});
            SCOPED_TRACE(mode + std::string(" with ") + damage);
            EXPECT_EQ(r.exit_code, 255);
            EXPECT_EQ(r.err, "pool: the joblog " + log +
                                 " is damaged at line 3 (not Seq, Host, Starttime, JobRuntime, Send, Receive, "
                                 "Exitval, Signal, Command)\n");
            EXPECT_EQ(slurp(ran), "") << "a job ran";
            EXPECT_EQ(mp::test::run_command({"test", "-e", ran}).exit_code, 1);
        }
    }
}

TEST(BinPoolRerun, ResumeNeedsAJoblogAndAMissingOneMeansNothingRanYet) {
    for (const std::string mode : {"--resume", "--resume-failed", "--retry-failed"}) {
        const auto r = pool_cli({mode, "echo", ":::", "a"});
        EXPECT_EQ(r.exit_code, 255) << mode;
        EXPECT_NE(r.err.find("need"), std::string::npos) << r.err;
    }
    TempDir dir;
    const auto r = pool_cli({"--resume", "--joblog", dir.file("new"), "-k", "echo", ":::", "a", "b"});
    EXPECT_EQ(r.out, "a\nb\n");
    EXPECT_EQ(joblog_rows(slurp(dir.file("new"))), (std::vector<std::string>{"1/0", "2/0"}));
}

// GNU parallel's --dry-run output for these lines, and nothing runs or is logged.
TEST(BinPoolRerun, DryRunPrintsTheCommandsAsAShellReadsThemAndRunsNothing) {
    TempDir dir;
    auto r = pool_cli({"--dry-run", "-k", "--joblog", dir.file("log"), "touch", ":::", dir.file("a b"), dir.file("c")});
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(r.out, "touch '" + dir.file("a b") + "'\ntouch " + dir.file("c") + "\n");
    EXPECT_EQ(mp::test::run_command({"find", dir.path, "-mindepth", "1"}).out, "") << "a job ran, or a log was written";
    r = pool_cli({"--dry-run", "-k", "echo {} | wc", ":::", "a b", "$x"});
    EXPECT_EQ(r.out, "echo 'a b' | wc\necho '$x' | wc\n");
    r = pool_cli({"--dry-run", "-k", "-j2", "echo", "{#}", ":::", "a", "b", "c"});
    EXPECT_EQ(r.out, "echo 1\necho 2\necho 3\n");
}

// The highest job slot {%} that jobs saw: with enough jobs that each sleep, every
// slot takes one.
int highest_slot(const std::string& jobs, int count) {
    std::vector<std::string> args{"-j", jobs, "sleep 0.3; echo {%}", ":::"};
    for (int i = 0; i < count; ++i) args.push_back(std::to_string(i));
    const auto r = pool_cli(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    int highest = 0;
    std::istringstream in(r.out);
    for (int slot; in >> slot;) highest = std::max(highest, slot);
    return highest;
}

struct SlotCase {
    std::string jobs;
    int count;     // jobs to run
    int expected;  // the highest slot
    const char* why;
};

TEST(BinPoolRerun, JobsFormsCountFromTheCores) {
    const int cores = mp::pool::cpu_count();
    const std::vector<SlotCase> cases = {
        {"+1", 3 * (cores + 1), cores + 1, ""},
        {"-1", 3 * cores, std::max(1, cores - 1), ""},
        {"200%", 6 * cores, 2 * cores, ""},
        {"1%", 3, 1, "at least one"},
        {"0", 12, 12, "as many as possible: all at once"},
    };
    // All at once (mp::test::map_at_once): the runs are sleeping jobs, each run with
    // slots of its own.
    const std::vector<int> highest = mp::test::map_at_once(
        cases, cases.size(), [](const SlotCase& c) { return highest_slot(c.jobs, c.count); });
    for (std::size_t i = 0; i < cases.size(); ++i)
        EXPECT_EQ(highest[i], cases[i].expected) << "-j " << cases[i].jobs << " " << cases[i].why;
    for (const std::string bad : {"x", "+", "-", "%", "1.5", "+1%", "--1", "5000"}) {
        const auto r = pool_cli({"-j", bad, "echo", ":::", "a"});
        EXPECT_EQ(r.exit_code, 255) << bad;
        EXPECT_NE(r.err.find("-j: "), std::string::npos) << r.err;
    }
    const auto r = pool_cli({"echo", "a", "-j"});
    EXPECT_EQ(pool_cli({"-j"}).err.find("unknown option"), std::string::npos) << "a missing value is named as such";
    EXPECT_EQ(r.exit_code, 0) << "-j after CMD is CMD's";
}

// Job starts (the joblog's Starttime) are --delay apart, whatever -j allows; less a
// little for the clock readings around the start.
TEST(BinPoolRerun, DelaySpacesEveryJobStart) {
    TempDir dir;
    const auto r = pool_cli({"--delay", "0.3", "-j4", "--joblog", dir.file("log"), "true", ":::", "1", "2", "3", "4"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::vector<double> starts;
    std::istringstream in(slurp(dir.file("log")));
    std::string line;
    std::getline(in, line);  // the header
    while (std::getline(in, line)) starts.push_back(std::stod(line.substr(line.find(":\t") + 2)));
    ASSERT_EQ(starts.size(), 4u);
    std::sort(starts.begin(), starts.end());
    for (std::size_t i = 1; i < starts.size(); ++i) EXPECT_GE(starts[i] - starts[i - 1], 0.27) << i;
    EXPECT_EQ(pool_cli({"--delay", "soon", "true", ":::", "a"}).exit_code, 255);
}

// While the gate is closed no job starts; SIGINT ends the wait (exit 130) and
// nothing has run.
void expect_held_back(const std::vector<std::string>& gate) {
    TempDir dir;
    std::vector<std::string> argv{mp::test::bin_path("pool")};
    argv.insert(argv.end(), gate.begin(), gate.end());
    argv.insert(argv.end(), {"touch", dir.file("ran"), ":::", "x"});
    mp::subproc::Popen pool(argv, {.in = mp::subproc::DEVNULL, .on_destroy = mp::subproc::OnDestroy::stop});
    std::this_thread::sleep_for(500ms);
    EXPECT_EQ(mp::test::run_command({"test", "-e", dir.file("ran")}).exit_code, 1) << "a job started";
    pool.send_signal(SIGINT);
    EXPECT_EQ(pool.wait(20s), 130);
    EXPECT_EQ(mp::test::run_command({"test", "-e", dir.file("ran")}).exit_code, 1) << "a job started";
}

TEST(BinPoolRerun, LoadHoldsJobsWhileTheMachineIsBusy) {
    // A spinning child keeps one process runnable all along.
    mp::subproc::Popen spinner({"sh", "-c", "while :; do :; done"}, {.on_destroy = mp::subproc::OnDestroy::stop});
    expect_held_back({"--load", "1"});
    spinner.stop();
    EXPECT_EQ(pool_cli({"--load", "100000", "echo", ":::", "a"}).out, "a\n");
    EXPECT_EQ(pool_cli({"--load", "x", "true", ":::", "a"}).exit_code, 255);
}

TEST(BinPoolRerun, MemfreeHoldsJobsWhileMemoryIsShort) {
    expect_held_back({"--memfree", "1000P"});
    EXPECT_EQ(pool_cli({"--memfree", "1k", "echo", ":::", "a"}).out, "a\n");
    EXPECT_EQ(pool_cli({"--memfree", "lots", "true", ":::", "a"}).exit_code, 255);
}

}  // namespace

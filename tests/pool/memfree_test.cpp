// bin/pool --memfree's second half: while jobs run and less than half of SIZE is
// available, the youngest job (the highest sequence number) is killed and queued
// again, as GNU parallel's manual says. Memory is faked: $MP_POOL_MEMINFO names the
// file bin/pool reads instead of /proc/meminfo, and the jobs themselves rewrite it
// (the youngest "takes" memory, and "gives it back" when it is killed), so that
// what happens does not depend on timing.
#include <signal.h>
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "subproc/subproc.hpp"
#include "tests/pool/test_support.hpp"
#include "tests/support/helpers.hpp"

namespace {

using namespace std::chrono_literals;
using namespace mp::pool::test;
using mp::test::path_exists;
using mp::test::write_file;

constexpr const char* kPlenty = "MemAvailable: 10000000 kB\n";  // about 10 GB
constexpr const char* kShort = "MemAvailable: 1000 kB\n";       // below half of --memfree 100M
constexpr const char* kTight = "MemAvailable: 75000 kB\n";      // below 100M, above its half

// Two jobs in DIR, item 1 and item 2 (an argument, or with --pipe a line of stdin).
// Each appends its item and pid to DIR/runs as it starts. Job 1, the oldest, waits
// until job 2 has succeeded and a little more, then prints "out 1"; on SIGTERM it
// gives memory back and exits 143. Job 2's first run waits for job 1 to start,
// writes DIR/low to the meminfo file, prints "early 2" and sleeps up to DIR/hold
// tenths of a second, then prints "kept 2"; on SIGTERM it writes DIR/termed and
// exits 143, giving the memory back unless DIR/keep_short exists; with DIR/stubborn
// it goes on instead. Later runs of job 2 fail once while DIR/fail_once exists,
// else print "out 2" and succeed.
struct Jobs {
    TempDir dir;
    std::string meminfo = dir.file("meminfo");

    Jobs(const std::string& low, int hold_tenths) {
        write_file(meminfo, kPlenty);
        write_file(dir.file("low"), low);
        write_file(dir.file("hold"), std::to_string(hold_tenths) + "\n");
        write_file(dir.file("job.sh"), R"(d=$(dirname "$0")
item=$1; [ -n "$item" ] || read -r item
echo "$item $$" >> "$d/runs"
if [ "$item" = 1 ]; then
  trap 'cat "$d/plenty" > "$d/meminfo"; exit 143' TERM
  touch "$d/started"
  while [ ! -e "$d/done2" ]; do sleep 0.05; done
  sleep 0.3  # job 2 ends first: -k must hold "out 1" back
  echo 'out 1'; exit 0
fi
if [ ! -e "$d/termed" ]; then
  while [ ! -e "$d/started" ]; do sleep 0.05; done
  n=$(cat "$d/hold")  # read before memory runs short: SIGTERM may come at any point after
  on_term() {
    touch "$d/termed"
    [ -e "$d/stubborn" ] && return
    [ -e "$d/keep_short" ] || cat "$d/plenty" > "$d/meminfo"
    exit 143
  }
  trap on_term TERM
  cat "$d/low" > "$d/meminfo"
  echo 'early 2'; echo 'early 2 on stderr' >&2
  i=0; while [ $i -lt $n ]; do sleep 0.1; i=$((i+1)); done
  cat "$d/plenty" > "$d/meminfo"; touch "$d/done2"; echo 'kept 2'; exit 0
fi
if [ -e "$d/fail_once" ]; then rm "$d/fail_once"; echo 'failed 2'; exit 1; fi
touch "$d/done2"; echo 'out 2'
)");
        write_file(dir.file("plenty"), kPlenty);
    }

    // bin/pool with the fake meminfo, --memfree 100M -j2 and `args` before the command.
    std::vector<std::string> argv(const std::vector<std::string>& args, bool pipe = false) const {
        std::vector<std::string> argv{
            "env", "MP_POOL_MEMINFO=" + meminfo, mp::test::bin_path("pool"), "--memfree", "100M", "-j2"};
        argv.insert(argv.end(), args.begin(), args.end());
        argv.insert(argv.end(), {"sh", dir.file("job.sh")});
        if (!pipe) argv.insert(argv.end(), {"{}", ":::", "1", "2"});
        return argv;
    }

    mp::test::CommandResult run(const std::vector<std::string>& args) const {
        return mp::test::run_command(argv(args), "", 60s);
    }

    // DIR/runs: the item and pid of each start.
    std::vector<std::pair<std::string, pid_t>> starts() const {
        std::vector<std::pair<std::string, pid_t>> starts;
        std::istringstream in(slurp(dir.file("runs")));
        std::string item;
        for (pid_t pid = 0; in >> item >> pid;) starts.emplace_back(item, pid);
        return starts;
    }

    // The items started, sorted: how often each job ran.
    std::vector<std::string> runs() const {
        std::vector<std::string> items;
        for (const auto& [item, pid] : starts()) items.push_back(item);
        std::sort(items.begin(), items.end());
        return items;
    }
};

// The youngest is killed and run again: its output comes once, from the rerun (the
// killed run's stdout and stderr are dropped); the oldest ran once, undisturbed; -k
// still orders the output though job 2 ended first; the joblog has one line a job,
// the killed run is no failure (exit 0).
TEST(BinPoolMemfree, TheYoungestJobIsKilledAndRunAgainTheOldestKeepsRunning) {
    Jobs jobs(kShort, 300);
    const auto r = jobs.run({"-k", "--joblog", jobs.dir.file("log")});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "out 1\nout 2\n");
    EXPECT_EQ(r.err, "");
    EXPECT_TRUE(path_exists(jobs.dir.file("termed"))) << "job 2 got no SIGTERM";
    EXPECT_EQ(jobs.runs(), (std::vector<std::string>{"1", "2", "2"}));
    EXPECT_EQ(joblog_rows(slurp(jobs.dir.file("log"))), (std::vector<std::string>{"1/0", "2/0"}));
}

// GNU parallel's rule: while memory stays short the next youngest is killed too,
// down to the last job running; both run again once SIZE is available.
TEST(BinPoolMemfree, WhileMemoryStaysShortTheNextYoungestIsKilledToo) {
    Jobs jobs(kShort, 300);
    write_file(jobs.dir.file("keep_short"), "");
    const auto r = jobs.run({"-k", "--joblog", jobs.dir.file("log")});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "out 1\nout 2\n");
    EXPECT_EQ(jobs.runs(), (std::vector<std::string>{"1", "1", "2", "2"}));
    EXPECT_EQ(joblog_rows(slurp(jobs.dir.file("log"))), (std::vector<std::string>{"1/0", "2/0"}));
}

// Between SIZE/2 and SIZE no new job starts, but none is killed either.
TEST(BinPoolMemfree, NoJobIsKilledWhileHalfOfSizeIsAvailable) {
    Jobs jobs(kTight, 10);
    const auto r = jobs.run({"-k", "--joblog", jobs.dir.file("log")});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "out 1\nearly 2\nkept 2\n");
    EXPECT_FALSE(path_exists(jobs.dir.file("termed")));
    EXPECT_EQ(jobs.runs(), (std::vector<std::string>{"1", "2"}));
    EXPECT_EQ(joblog_rows(slurp(jobs.dir.file("log"))), (std::vector<std::string>{"1/0", "2/0"}));
}

// The killed run is no try: with --retries 2 the rerun may fail once and still get
// its second try.
TEST(BinPoolMemfree, AKilledRunDoesNotCountAgainstRetries) {
    Jobs jobs(kShort, 300);
    write_file(jobs.dir.file("fail_once"), "");
    const auto r = jobs.run({"-k", "--retries", "2", "--joblog", jobs.dir.file("log")});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "out 1\nout 2\n");
    EXPECT_EQ(jobs.runs(), (std::vector<std::string>{"1", "2", "2", "2"}));
    EXPECT_EQ(joblog_rows(slurp(jobs.dir.file("log"))), (std::vector<std::string>{"1/0", "2/0"}));
}

// --pipe: the job run again gets its own block again, and keeps its {#}.
TEST(BinPoolMemfree, AJobRunAgainKeepsItsBlock) {
    Jobs jobs(kShort, 300);
    auto argv = jobs.argv({"-k", "--pipe", "-N1", "--joblog", jobs.dir.file("log")}, true);
    const auto r = mp::test::run_command(argv, "1\n2\n", 60s);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "out 1\nout 2\n");
    EXPECT_EQ(jobs.runs(), (std::vector<std::string>{"1", "2", "2"}));
    EXPECT_EQ(joblog_rows(slurp(jobs.dir.file("log"))), (std::vector<std::string>{"1/0", "2/0"}));
}

// SIGINT while the youngest is being killed (it ignores SIGTERM and --termseq waits):
// bin/pool ends with 130 after stopping both jobs, and no job process is left.
TEST(BinPoolMemfree, SigintWhileAJobIsBeingKilledLeavesNoProcess) {
    Jobs jobs(kShort, 300);
    write_file(jobs.dir.file("stubborn"), "");
    mp::subproc::Popen pool(jobs.argv({"--termseq", "TERM,2000,KILL"}),
                            {.in = mp::subproc::DEVNULL,
                             .out = mp::subproc::PIPE,
                             .err = mp::subproc::PIPE,
                             .on_destroy = mp::subproc::OnDestroy::stop});
    for (auto until = Clock::now() + 30s; !path_exists(jobs.dir.file("termed")) && Clock::now() < until;)
        std::this_thread::sleep_for(20ms);
    ASSERT_TRUE(path_exists(jobs.dir.file("termed"))) << "job 2 got no SIGTERM";
    pool.send_signal(SIGINT);
    const auto [out, err] = pool.communicate({}, 20s);
    EXPECT_EQ(pool.returncode().value_or(-1), 130) << err;
    EXPECT_EQ(out.find("2"), std::string::npos) << out;
    for (const auto& [item, pid] : jobs.starts()) EXPECT_TRUE(process_gone(pid)) << "job " << item;
}

}  // namespace

// bin/pool --termseq when running jobs are stopped by --halt now (the case table
// has --timeout): each signal of the sequence reaches the job's group in its turn.
#include <gtest/gtest.h>

#include <string>

#include "tests/pool/test_support.hpp"
#include "tests/support/helpers.hpp"

namespace {

using namespace mp::pool::test;
using mp::test::CommandResult;

TEST(BinPoolTermseq, HaltNowSendsEachSignalInItsTurn) {
    TempDir dir;
    const std::string ready = dir.file("ready");
    // Job f fails once job t has set its traps; t reports each signal, and a wait that
    // a signal ends starts the next one: INT, then TERM 300 ms later end t's waits.
    // GNU parallel does not print a job that --halt now stopped; bin/pool does.
    const std::string script = "if [ {} = f ]; then while [ ! -e " + ready +
                               " ]; do sleep 0.05; done; exit 3; fi; "
                               "trap 'echo got INT' INT; trap 'echo got TERM' TERM; touch " +
                               ready + "; sleep 30 & wait; sleep 30 & wait; echo end";
    const auto start = Clock::now();
    const CommandResult r =
        pool_cli({"-j2", "--halt", "now", "--termseq", "INT,300,TERM,300,KILL,25", script, ":::", "f", "t"});
    EXPECT_EQ(r.exit_code, 3) << r.err;
    EXPECT_EQ(r.out, "got INT\ngot TERM\nend\n") << r.err;
    EXPECT_LT(Clock::now() - start, std::chrono::seconds(20)) << "the sleeps were not stopped";
    // A job that ignores the signals is killed once the sequence is over.
    const auto stubborn_start = Clock::now();
    const CommandResult stubborn =
        pool_cli({"-j2", "--halt", "now", "--termseq", "INT,100", "--timeout", "30",
                  "if [ {} = f ]; then sleep 0.3; exit 4; fi; trap '' INT TERM; sleep 30", ":::", "f", "t"});
    EXPECT_EQ(stubborn.exit_code, 4) << stubborn.err;
    EXPECT_LT(Clock::now() - stubborn_start, std::chrono::seconds(20)) << "the stubborn job was not killed";
}

}  // namespace

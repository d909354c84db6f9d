// A program that ignores SIGCHLD (or whose children are reaped elsewhere) never
// gets a made-up exit status.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <system_error>
#include <vector>

#include "subproc/subproc.hpp"

namespace {

// A program that ignores SIGCHLD still gets its children's real statuses.
class IgnoredSigchld : public ::testing::Test {
protected:
    void SetUp() override {
        struct sigaction ignore {};
        ignore.sa_handler = SIG_IGN;
        ::sigaction(SIGCHLD, &ignore, &saved_);
    }
    void TearDown() override {
        struct sigaction now {};
        ::sigaction(SIGCHLD, nullptr, &now);
        EXPECT_EQ(now.sa_handler, SIG_IGN) << "the program's own disposition did not come back";
        ::sigaction(SIGCHLD, &saved_, nullptr);
    }
    struct sigaction saved_ {};
};

TEST_F(IgnoredSigchld, RunPopenAndPipelineReportRealStatuses) {
    EXPECT_EQ(mp::subproc::run({"sh", "-c", "exit 3"}).returncode, 3);
    mp::subproc::Popen killed({"sh", "-c", "kill -9 $$"});
    EXPECT_EQ(killed.wait(), -SIGKILL);
    mp::subproc::Popen polled({"sh", "-c", "exit 4"});
    while (!polled.poll()) ::usleep(1000);
    EXPECT_EQ(polled.returncode(), 4);
    mp::subproc::Pipeline pipeline({{"sh", "-c", "exit 5"}, {"sh", "-c", "exit 6"}});
    const auto result = pipeline.communicate();
    EXPECT_EQ(result.returncodes, (std::vector<int>{5, 6}));
}

TEST(ChildReapedElsewhere, ThrowsInsteadOfMakingUpAStatus) {
    mp::subproc::Popen p({"sh", "-c", "exit 3"});
    int status = 0;
    ASSERT_EQ(::waitpid(-1, &status, 0), p.pid());  // as a SIGCHLD handler reaping "any child" would
    EXPECT_THROW(p.wait(), std::system_error);
    EXPECT_FALSE(p.returncode());
}

}  // namespace

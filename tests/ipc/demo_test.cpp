// bin/ipc: help, usage errors, the tour's real output, and a small bench run.
#include <gtest/gtest.h>

#include "tests/support/helpers.hpp"

namespace {

using mp::test::bin_path;
using mp::test::run_command;

TEST(IpcDemo, HelpExitsZero) {
    const auto r = run_command({bin_path("ipc"), "--help"});
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_NE(r.out.find("usage: ipc bench"), std::string::npos) << r.out;
}

TEST(IpcDemo, UsageErrorsExitTwoWithAPrefixedMessage) {
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{}, {"frobnicate"}, {"bench", "--size", "0"}, {"bench", "--transport", "carrier-pigeon"},
          {"bench", "--count"}, {"tour", "extra"}}) {
        std::vector<std::string> argv{bin_path("ipc")};
        argv.insert(argv.end(), args.begin(), args.end());
        const auto r = run_command(argv);
        EXPECT_EQ(r.exit_code, 2) << r.err;
        EXPECT_EQ(r.err.rfind("ipc: ", 0), 0u) << r.err;
    }
}

TEST(IpcDemo, TourReplaysTheExamples) {
    const auto r = run_command({bin_path("ipc"), "tour"}, "", std::chrono::seconds(30));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    for (const char* line : {"reader: got ham", "parent: received [42, None, 'hello']",
                             "process 4 (right end): received 3 on its end",
                             "child: this line went through a descriptor the parent passed",
                             "parent: both writers done, qsize() = 10", "raised QueueFull",
                             "parent: the queue now holds 2 3 4", "{1: '1', '2': 2, 0.25: None}",
                             "[9, 8, 7, 6, 5, 4, 3, 2, 1, 0]", "{'locked': 10, 'added': 10, 'modified': 10}",
                             "consumer got: 0 1 4 9 16"}) {
        EXPECT_NE(r.out.find(line), std::string::npos) << "missing: " << line << "\n" << r.out;
    }
}

TEST(IpcDemo, BenchPrintsATableForEveryTransport) {
    for (const char* transport : {"pipe", "socketpair", "queue"}) {
        const auto r = run_command({bin_path("ipc"), "bench", "--transport", transport, "--size", "100000",
                                    "--count", "50"});
        EXPECT_EQ(r.exit_code, 0) << r.err;
        EXPECT_NE(r.out.find("rtt median"), std::string::npos) << r.out;
        EXPECT_NE(r.out.find(transport), std::string::npos) << r.out;
    }
}

}  // namespace

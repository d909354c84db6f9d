// The child registry (bin/cli/children.hpp): what a tool does with SIGINT, SIGTERM,
// SIGHUP and SIGQUIT while it has children. Each test runs a helper "tool" that
// forks a child, registers it, prints the child's pid and waits; the test signals
// the tool and looks at how both ended.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <optional>
#include <string>

#include "bin/cli/children.hpp"
#include "subproc/subproc.hpp"
#include "tests/support/helpers.hpp"

namespace {

using namespace std::chrono_literals;
namespace sp = mp::subproc;

// The tool's child: waits for a signal, with the default actions.
pid_t fork_waiting_child(const mp::cli::SignalHold& hold) {
    const pid_t pid = fork();
    if (pid == 0) {
        hold.in_child();
        for (;;) pause();
    }
    return pid;
}

// Prints the child's pid, then waits for it and exits with its shell status.
int report_and_wait(pid_t child) {
    std::printf("%d\n", static_cast<int>(child));
    std::fflush(stdout);
    int status = 0;
    while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

int tool_with_one_child(mp::cli::OnSignal mode) {
    std::optional<mp::cli::ChildRegistration> registration;
    pid_t child;
    {
        const mp::cli::SignalHold hold;
        child = fork_waiting_child(hold);
        registration.emplace(child, mode);
    }
    return report_and_wait(child);
}

// A suite started in the background by a shell without job control inherits SIGINT
// ignored, which the registry rightly keeps; these tools are about a terminal's.
MP_TEST_HELPER(tool_forwarding) {
    signal(SIGINT, SIG_DFL);
    return tool_with_one_child(mp::cli::OnSignal::forward);
}
MP_TEST_HELPER(tool_killing) {
    signal(SIGINT, SIG_DFL);
    return tool_with_one_child(mp::cli::OnSignal::kill_and_die);
}

// SIGINT ignored before the registry is used (a background job): it stays ignored.
MP_TEST_HELPER(tool_ignoring_sigint) {
    signal(SIGINT, SIG_IGN);
    return tool_with_one_child(mp::cli::OnSignal::forward);
}

// A child that came and went: with nobody registered, signals act as by default.
MP_TEST_HELPER(tool_after_its_child) {
    {
        const mp::cli::SignalHold hold;
        const pid_t child = fork();
        if (child == 0) _exit(0);
        const mp::cli::ChildRegistration registration(child, mp::cli::OnSignal::forward);
        waitpid(child, nullptr, 0);
    }
    std::printf("0\n");
    std::fflush(stdout);
    for (;;) pause();
}

// Reads the pid a helper tool printed for its child.
pid_t child_of(sp::Popen& tool) {
    const std::optional<std::string> line = tool.readline(10s);
    return line ? static_cast<pid_t>(std::stol(*line)) : -1;
}

bool gone(pid_t pid) { return kill(pid, 0) != 0 && errno == ESRCH; }

TEST(ChildRegistry, ForwardPassesTheSignalOnAndTheToolReportsHowTheChildEnded) {
    sp::Popen tool(mp::test::helper_command("tool_forwarding"), {.out = sp::PIPE});
    ASSERT_GT(child_of(tool), 0);
    tool.send_signal(SIGTERM);
    EXPECT_EQ(tool.wait(10s), 128 + SIGTERM);  // an exit status: the tool lived on
}

TEST(ChildRegistry, KillAndDieReapsTheChildThenDiesOfTheSignal) {
    sp::Popen tool(mp::test::helper_command("tool_killing"), {.out = sp::PIPE});
    const pid_t child = child_of(tool);
    ASSERT_GT(child, 0);
    tool.send_signal(SIGINT);
    EXPECT_EQ(tool.wait(10s), -SIGINT);
    // Reaped by the tool before it died: no process, not even a zombie, is left.
    EXPECT_TRUE(gone(child));
}

TEST(ChildRegistry, AnIgnoredSignalStaysIgnoredForTheToolAndItsChild) {
    sp::Popen tool(mp::test::helper_command("tool_ignoring_sigint"), {.out = sp::PIPE});
    ASSERT_GT(child_of(tool), 0);
    tool.send_signal(SIGINT);
    tool.send_signal(SIGTERM);
    EXPECT_EQ(tool.wait(10s), 128 + SIGTERM);  // the child died of TERM, not INT
}

TEST(ChildRegistry, WithNoChildRegisteredASignalHasItsDefaultEffect) {
    sp::Popen tool(mp::test::helper_command("tool_after_its_child"), {.out = sp::PIPE});
    ASSERT_EQ(child_of(tool), 0);
    tool.send_signal(SIGTERM);
    EXPECT_EQ(tool.wait(10s), -SIGTERM);
}

}  // namespace

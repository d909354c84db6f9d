// bin/subproc run as a drop-in for coreutils timeout: `subproc run ARGS` where a
// script had `timeout ARGS`. The table holds the examples of coreutils' own
// documentation (info '(coreutils) timeout invocation', shortened durations) and a
// case for each option form of `timeout --help`. The expected status and stderr of
// each row were taken by running coreutils timeout 9.1 with LC_ALL=C, with two
// differences: our name where it prints its own ("subproc:" for "timeout:"), and a
// refused command line is one line (no "Try 'timeout --help'" after it).
#include <signal.h>

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/support/helpers.hpp"

namespace {

using mp::test::CommandResult;

struct Row {
    std::vector<std::string> args;  // what follows `timeout` (and `subproc run`)
    int status;                     // as a shell's $?
    std::string err;                // the whole stderr
};

const std::string kIgnoresTerm = "trap '' TERM; sleep 5";

const std::vector<Row> kRows = {
    // The documentation's examples.
    {{"20", "sleep", "0.1"}, 0, ""},
    {{"-s", "INT", "0.3", "sleep", "5"}, 124, ""},
    {{"-s", "INT", "0.3s", "env", "--ignore-signal=INT", "sleep", "1"}, 124, ""},
    {{"-s", "INT", "-k", "0.3s", "0.3s", "env", "--ignore-signal=INT", "sleep", "5"}, 137, ""},
    // Each option, in each spelling.
    {{"-v", "0.2", "sleep", "5"}, 124, "subproc: sending signal TERM to command 'sleep'\n"},
    {{"--verbose", "-sINT", "0.2", "sleep", "5"}, 124, "subproc: sending signal INT to command 'sleep'\n"},
    {{"--signal=KILL", "0.2", "sleep", "5"}, 137, ""},
    {{"--signal", "9", "0.2", "sleep", "5"}, 137, ""},
    {{"-s", "0", "0.2", "sleep", "0.6"}, 124, ""},
    {{"-v", "-s", "0", "-k", "0.3", "0.2", "sleep", "5"},
     137,
     "subproc: sending signal EXIT to command 'sleep'\nsubproc: sending signal KILL to command 'sleep'\n"},
    {{"-k0.3", "0.2", "sh", "-c", kIgnoresTerm}, 137, ""},
    {{"--kill-after=0.3", "0.2", "sh", "-c", kIgnoresTerm}, 137, ""},
    {{"--kill-after", "0.3", "0.2", "sh", "-c", kIgnoresTerm}, 137, ""},
    {{"--preserve-status", "0.2", "sleep", "5"}, 128 + SIGTERM, ""},
    {{"--foreground", "0.2", "sleep", "5"}, 124, ""},
    {{"--", "0.2", "sleep", "5"}, 124, ""},
    // Durations: suffixes, fractions, 0 for no limit.
    {{".5", "true"}, 0, ""},
    {{"0.01m", "true"}, 0, ""},
    {{"0.0001h", "true"}, 0, ""},
    {{"0.00001d", "true"}, 0, ""},
    {{"0", "sh", "-c", "sleep 0.2; exit 4"}, 4, ""},
    // The command's own status and what cannot run.
    {{"5", "sh", "-c", "exit 3"}, 3, ""},
    {{"5", "sh", "-c", "kill -USR1 $$"}, 128 + SIGUSR1, ""},
    {{"1", "/etc"}, 126, "subproc: failed to run command '/etc': Permission denied\n"},
    {{"1", "/etc/passwd"}, 126, "subproc: failed to run command '/etc/passwd': Permission denied\n"},
    {{"1", "mp-no-such-program"}, 127, "subproc: failed to run command 'mp-no-such-program': No such file or directory\n"},
    // Refused command lines.
    {{"1x", "true"}, 125, "subproc: invalid time interval '1x'\n"},
    {{"-s", "BOGUS", "1", "true"}, 125, "subproc: 'BOGUS': invalid signal\n"},
    {{"--help"}, 0, ""},
    {{"--version"}, 0, ""},
};

// The rows run four at a time (mp::test::map_at_once): most of them wait for a
// timeout.
TEST(SubprocRunAsTimeout, EveryRowGivesCoreutilsStatusAndStderr) {
    const std::vector<CommandResult> results = mp::test::map_at_once(kRows, 4, [](const Row& row) {
        std::vector<std::string> argv = {mp::test::bin_path("subproc"), "run"};
        argv.insert(argv.end(), row.args.begin(), row.args.end());
        return mp::test::run_command(argv, "", std::chrono::seconds(30));
    });
    for (std::size_t i = 0; i < kRows.size(); ++i) {
        const Row& row = kRows[i];
        const CommandResult& r = results[i];
        std::string shown = "timeout";
        for (const std::string& arg : row.args) shown += " " + arg;
        SCOPED_TRACE(shown);
        ASSERT_FALSE(r.timed_out);
        EXPECT_EQ(r.signal, 0) << "subproc reports statuses, it does not die of them";
        EXPECT_EQ(r.exit_code, row.status) << r.err;
        EXPECT_EQ(r.err, row.err);
    }
}

// --help and --version print on stdout, as coreutils does.
TEST(SubprocRunAsTimeout, HelpAndVersionPrintOnStdout) {
    for (const char* option : {"--help", "--version"}) {
        const CommandResult r = mp::test::run_command({mp::test::bin_path("subproc"), "run", option});
        EXPECT_EQ(r.exit_code, 0) << option;
        EXPECT_NE(r.out.find("timeout"), std::string::npos) << option << ": " << r.out;
    }
}

}  // namespace

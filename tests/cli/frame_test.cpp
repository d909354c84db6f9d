// The frame every tool runs in (bin/cli): run_main's exit codes and messages and its
// SIGCHLD reset, the argument cursor, and shell quoting both ways.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include "bin/cli/args.hpp"
#include "bin/cli/main.hpp"
#include "bin/cli/shell.hpp"

namespace {

using mp::cli::Args;
using mp::cli::UsageError;

// Runs run_main with `body` and returns {exit code, what it wrote on stderr}.
std::pair<int, std::string> run_main_with(const mp::cli::Tool& tool,
                                          const std::function<int(const std::vector<std::string>&)>& body,
                                          std::vector<std::string> words = {"tool"}) {
    std::vector<char*> argv;
    for (std::string& word : words) argv.push_back(word.data());
    std::fflush(stderr);
    FILE* capture = std::tmpfile();
    const int saved = dup(2);
    dup2(fileno(capture), 2);
    const int code = mp::cli::run_main(static_cast<int>(argv.size()), argv.data(), tool, body);
    std::fflush(stderr);
    dup2(saved, 2);
    close(saved);
    std::string err(4096, '\0');
    std::rewind(capture);
    err.resize(std::fread(err.data(), 1, err.size(), capture));
    std::fclose(capture);
    return {code, err};
}

const mp::cli::Tool kTool{.name = "tool", .usage = "usage: tool X\n", .usage_exit = 2, .error_exit = 1};

TEST(RunMain, PassesTheArgumentsAfterTheProgramAndReturnsTheBodysCode) {
    std::vector<std::string> seen;
    const auto [code, err] = run_main_with(
        kTool,
        [&](const std::vector<std::string>& args) {
            seen = args;
            return 7;
        },
        {"tool", "a", "b"});
    EXPECT_EQ(code, 7);
    EXPECT_EQ(seen, (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(err, "");
}

TEST(RunMain, UsageErrorPrintsTheMessageOrTheUsage) {
    EXPECT_EQ(run_main_with(kTool, [](auto&) -> int { throw UsageError("bad -x"); }),
              std::make_pair(2, std::string("tool: bad -x\n")));
    EXPECT_EQ(run_main_with(kTool, [](auto&) -> int { throw UsageError(); }),
              std::make_pair(2, std::string("usage: tool X\n")));
    EXPECT_EQ(run_main_with(kTool, [](auto&) -> int { throw UsageError("misuse", 125); }).first, 125);
    mp::cli::Tool with_usage = kTool;
    with_usage.usage_after_message = true;
    EXPECT_EQ(run_main_with(with_usage, [](auto&) -> int { throw UsageError("bad -x"); }),
              std::make_pair(2, std::string("tool: bad -x\nusage: tool X\n")));
}

TEST(RunMain, AnyOtherExceptionIsTheToolsFailureWithOnePrefix) {
    EXPECT_EQ(run_main_with(kTool, [](auto&) -> int { throw std::runtime_error("open: denied"); }),
              std::make_pair(1, std::string("tool: open: denied\n")));
    // A library message that names the tool already is not prefixed twice.
    EXPECT_EQ(run_main_with(kTool, [](auto&) -> int { throw std::runtime_error("tool: busy"); }),
              std::make_pair(1, std::string("tool: busy\n")));
}

// A parent that ignores SIGCHLD passes that on through exec; our children would be
// reaped by the kernel and their statuses lost.
TEST(RunMain, ResetsAnIgnoredSigchldBeforeTheBodyRuns) {
    struct sigaction old {};
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    sigaction(SIGCHLD, &ignore, &old);
    void (*seen)(int) = SIG_IGN;
    run_main_with(kTool, [&](auto&) {
        struct sigaction now {};
        sigaction(SIGCHLD, nullptr, &now);
        seen = now.sa_handler;
        return 0;
    });
    sigaction(SIGCHLD, &old, nullptr);
    EXPECT_EQ(seen, SIG_DFL);
}

TEST(Args, ReadsOptionValuesAsGetopt) {
    Args args({"-j4", "-j", "5", "--jobs=6", "--jobs", "7", "--jobsx", "-k"});
    EXPECT_EQ(args.value_of("-j", "missing"), "4");
    EXPECT_EQ(args.value_of("-j", "missing"), "5");
    EXPECT_EQ(args.value_of("--jobs", "missing"), "6");
    EXPECT_EQ(args.value_of("--jobs", "missing"), "7");
    EXPECT_EQ(args.value_of("--jobs", "missing"), std::nullopt);  // another option: not consumed
    EXPECT_EQ(args.next("option"), "--jobsx");
    EXPECT_FALSE(args.accept("-x"));
    EXPECT_TRUE(args.accept("-k"));
    EXPECT_TRUE(args.empty());
    EXPECT_EQ(args.value_of("-j", "missing"), std::nullopt);
}

TEST(Args, MissingWordsAreUsageErrors) {
    Args args({"-j"});
    try {
        (void)args.value_of("-j", "-j needs a number");
        FAIL() << "no UsageError";
    } catch (const UsageError& error) {
        EXPECT_STREQ(error.what(), "-j needs a number");
    }
    try {
        (void)args.next("NAME");
        FAIL() << "no UsageError";
    } catch (const UsageError& error) {
        EXPECT_STREQ(error.what(), "missing NAME");
    }
}

TEST(Args, RestTakesEverythingLeft) {
    Args args({"--", "cmd", "-x"});
    EXPECT_TRUE(args.accept("--"));
    EXPECT_EQ(args.rest(), (std::vector<std::string>{"cmd", "-x"}));
    EXPECT_TRUE(args.empty());
}

TEST(ShellQuote, BareWhenSafeElseSingleQuoted) {
    EXPECT_EQ(mp::cli::shell_quote("a-b_c/d.e:f=g@h%i+j,k^l"), "a-b_c/d.e:f=g@h%i+j,k^l");
    EXPECT_EQ(mp::cli::shell_quote("caf\xc3\xa9"), "caf\xc3\xa9");
    EXPECT_EQ(mp::cli::shell_quote(""), "''");
    EXPECT_EQ(mp::cli::shell_quote("a b"), "'a b'");
    EXPECT_EQ(mp::cli::shell_quote("it's"), "'it'\\''s'");
    EXPECT_EQ(mp::cli::shell_quote("$HOME;*"), "'$HOME;*'");
}

TEST(ShellQuote, SplitWordsReadsBackWhatShellQuoteWrote) {
    const std::vector<std::string> words{"plain", "two words", "it's", "", "$x \"q\" \\"};
    std::string line;
    for (const std::string& word : words) line += mp::cli::shell_quote(word) + " ";
    std::string error;
    EXPECT_EQ(mp::cli::split_words(line, error), words) << line;
}

TEST(ShellQuote, SplitWordsRefusesUnterminatedQuotes) {
    for (const char* bad : {"'open", "\"open", "trailing\\"}) {
        std::string error;
        EXPECT_EQ(mp::cli::split_words(bad, error), std::nullopt) << bad;
        EXPECT_FALSE(error.empty()) << bad;
    }
    std::string error;
    EXPECT_EQ(mp::cli::split_words("a \"b \\\" c\" 'd e'\\ f", error),
              (std::vector<std::string>{"a", "b \" c", "d e f"}));
}

}  // namespace

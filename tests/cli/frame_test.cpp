// The frame every tool runs in (bin/cli): run_main's exit codes and messages and its
// SIGCHLD reset, the argument cursor, and shell quoting both ways.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <system_error>
#include <variant>
#include <vector>

#include "bin/cli/args.hpp"
#include "bin/cli/main.hpp"
#include "bin/cli/shell.hpp"

namespace {

using mp::cli::Args;
using mp::cli::UsageError;

// What `fd` (1 or 2) receives while it is alive.
class Capture {
public:
    explicit Capture(int fd) : fd_(fd), file_(std::tmpfile()), saved_(dup(fd)) {
        std::fflush(nullptr);
        dup2(fileno(file_), fd_);
    }
    ~Capture() {
        restore();
        std::fclose(file_);
    }
    std::string text() {
        restore();
        std::string out(4096, '\0');
        std::rewind(file_);
        out.resize(std::fread(out.data(), 1, out.size(), file_));
        return out;
    }

private:
    void restore() {
        if (saved_ < 0) return;
        std::fflush(nullptr);
        dup2(saved_, fd_);
        close(saved_);
        saved_ = -1;
    }
    int fd_;
    FILE* file_;
    int saved_;
};

// Runs run_main with `body` and returns {exit code, what it wrote on stderr}.
std::pair<int, std::string> run_main_with(const mp::cli::Tool& tool,
                                          const std::function<int(const std::vector<std::string>&)>& body,
                                          std::vector<std::string> words = {"tool"}) {
    std::vector<char*> argv;
    for (std::string& word : words) argv.push_back(word.data());
    Capture err(2);
    const int code = mp::cli::run_main(static_cast<int>(argv.size()), argv.data(), tool, body);
    return {code, err.text()};
}

const mp::cli::Tool kTool{.name = "tool", .usage = "usage: tool X\n", .usage_exit = 2, .error_exit = 1};

TEST(RunMain, TheUsageNamesTheToolAsItWasStartedWhereItBeginsACommand) {
    const mp::cli::Tool tool{.name = "tool", .usage = "usage: tool X\n  tool Y\nthe tool Z\n  toolbox\n"};
    const auto [code, err] = run_main_with(
        tool, [](const std::vector<std::string>&) -> int { throw UsageError(); }, {"/usr/local/bin/mp-tool"});
    EXPECT_EQ(code, 2);
    EXPECT_EQ(err, "usage: mp-tool X\n  mp-tool Y\nthe tool Z\n  toolbox\n");
    EXPECT_EQ(run_main_with(tool, [](const std::vector<std::string>&) -> int { throw UsageError(); }, {"bin/tool"}).second,
              tool.usage);
}

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
    mp::cli::Tool with_hint = kTool;
    with_hint.see_help = true;
    EXPECT_EQ(run_main_with(with_hint, [](auto&) -> int { throw UsageError("bad -x"); }, {"/opt/bin/mp-tool"}),
              std::make_pair(2, std::string("tool: bad -x (see: mp-tool --help)\n")));
}

TEST(RunMain, AnyOtherExceptionIsTheToolsFailureWithOnePrefix) {
    EXPECT_EQ(run_main_with(kTool, [](auto&) -> int { throw std::runtime_error("open: denied"); }),
              std::make_pair(1, std::string("tool: open: denied\n")));
    // A library message that names the tool already is not prefixed twice.
    EXPECT_EQ(run_main_with(kTool, [](auto&) -> int { throw std::runtime_error("tool: busy"); }),
              std::make_pair(1, std::string("tool: busy\n")));
}

TEST(RunMain, AnErrorOfTheMachinesLimitsSaysWhatToDo) {
    const auto full = run_main_with(kTool, [](auto&) -> int {
        throw std::system_error(ENOSPC, std::generic_category(), "posix_fallocate(\"/mp-x\")");
    });
    EXPECT_EQ(full.first, 1);
    EXPECT_NE(full.second.find("remove unused ones there)\n"), std::string::npos) << full.second;
    const auto files = run_main_with(kTool, [](auto&) -> int {
        throw std::system_error(EMFILE, std::generic_category(), "pipe2");
    });
    EXPECT_NE(files.second.find("tool: pipe2: Too many open files (too many open files: raise the limit"),
              std::string::npos)
        << files.second;
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

// A tool's parser, as every bin/<tool>_args.cpp has one: pure, errors as values.
using Command = std::variant<mp::cli::Help, int, UsageError>;
Command parse(const std::vector<std::string>& args) {
    return mp::cli::parse_or_error<Command>([&]() -> Command {
        if (args.empty()) throw UsageError("missing N");
        if (args[0] == "--help") return mp::cli::Help{};
        return std::stoi(args[0]);
    });
}

int run_parsed_with(std::vector<std::string> words, const mp::cli::Tool& tool) {
    std::vector<char*> argv;
    for (std::string& word : words) argv.push_back(word.data());
    return mp::cli::run_parsed(static_cast<int>(argv.size()), argv.data(), tool, parse,
                               [](const Command& command) { return std::get<int>(command); });
}

TEST(RunParsed, RunsTheCommandReportsUsageErrorsAndPrintsHelp) {
    mp::cli::Tool tool = kTool;
    EXPECT_EQ(run_parsed_with({"tool", "5"}, tool), 5);
    {
        Capture err(2);
        EXPECT_EQ(run_parsed_with({"tool"}, tool), 2);
        EXPECT_EQ(err.text(), "tool: missing N\n");
    }
    {
        Capture out(1);
        EXPECT_EQ(run_parsed_with({"tool", "--help"}, tool), 0);
        EXPECT_EQ(out.text(), "usage: tool X\n");
    }
    tool.help = "More.\n";
    Capture out(1);
    EXPECT_EQ(run_parsed_with({"tool", "--help"}, tool), 0);
    EXPECT_EQ(out.text(), "usage: tool X\n\nMore.\n");
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

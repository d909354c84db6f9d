// bin/threadpool: `wc` output compared byte for byte with coreutils `wc` run on the
// same generated files, and the tour.
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "tests/support/helpers.hpp"

namespace {

namespace fs = std::filesystem;
using mp::test::CommandResult;
using mp::test::run_command;

bool coreutils_wc_present() {
    return std::system("command -v wc >/dev/null 2>&1") == 0;
}

// A temporary folder of test files, removed afterwards.
class WcFiles : public ::testing::Test {
protected:
    void SetUp() override {
        if (!coreutils_wc_present()) GTEST_SKIP() << "coreutils wc is not installed";
        std::string pattern = (fs::temp_directory_path() / "mp-wc-XXXXXX").string();
        ASSERT_NE(mkdtemp(pattern.data()), nullptr);
        dir_ = pattern;
    }
    void TearDown() override {
        if (!dir_.empty()) fs::remove_all(dir_);
    }

    std::string file(const std::string& name, const std::string& content) {
        const std::string path = (fs::path(dir_) / name).string();
        std::ofstream(path, std::ios::binary) << content;
        return path;
    }

    // Runs `wc args...` and `bin/threadpool wc args...` and compares everything a
    // user sees: stdout byte for byte, the exit status, and stderr apart from the
    // program name that starts each message.
    void expect_same(const std::vector<std::string>& args, const std::string& input = "") {
        std::vector<std::string> theirs{"wc"}, ours{mp::test::bin_path("threadpool"), "wc"};
        theirs.insert(theirs.end(), args.begin(), args.end());
        ours.insert(ours.end(), args.begin(), args.end());
        const CommandResult expected = run_command(theirs, input);
        const CommandResult got = run_command(ours, input);
        EXPECT_EQ(got.out, expected.out);
        EXPECT_EQ(got.exit_code, expected.exit_code) << got.err;
        EXPECT_EQ(without_program_names(got.err, "threadpool: "),
                  without_program_names(expected.err, "wc: "));
    }

    static std::string without_program_names(const std::string& text, const std::string& prefix) {
        std::string out;
        std::size_t start = 0;
        while (start < text.size()) {
            std::size_t end = text.find('\n', start);
            end = end == std::string::npos ? text.size() : end + 1;
            std::string line = text.substr(start, end - start);
            if (line.rfind(prefix, 0) == 0) line.erase(0, prefix.size());
            out += line;
            start = end;
        }
        return out;
    }

    std::string dir_;
};

std::string random_bytes(std::size_t n, unsigned seed) {
    std::mt19937 random(seed);
    std::string bytes(n, '\0');
    for (char& c : bytes) c = static_cast<char>(random() & 0xff);
    return bytes;
}

// Text mixing ASCII, multibyte UTF-8, no-break spaces, control characters and
// invalid bytes, in a pattern that also cuts characters at read boundaries.
std::string mixed_text(std::size_t n, unsigned seed) {
    const std::vector<std::string> pieces{
        "a",        "word",         " ",    "\n",   "\t",           "\xc3\xa9", "\xf0\x9f\x98\x80",
        "\xc2\xa0", "\xe2\x80\x83", "\x01", "\x7f", "\xe4\xb8\xad", "\xff",     "\xe2\x80",
        "\r"};
    std::mt19937 random(seed);
    std::string text;
    while (text.size() < n) text += pieces[random() % pieces.size()];
    return text;
}

TEST_F(WcFiles, OneFile) {
    expect_same({file("one", "hello world\nsecond line\n")});
}

TEST_F(WcFiles, EmptyFileAndNoTrailingNewline) {
    expect_same({file("empty", "")});
    expect_same({file("partial", "no newline at the end")});
    expect_same({file("empty2", ""), file("partial2", "x y")});
}

TEST_F(WcFiles, LongLinesAndNonAsciiBytes) {
    std::string text(3 << 20, 'x');
    text.append(" y\n").append(70000, 'z');
    const std::string long_line = file("long", text);
    const std::string random = file("random", random_bytes(1 << 20, 7));
    const std::string mixed = file("mixed", mixed_text(300000, 11));
    expect_same({long_line, random, mixed});
    expect_same({mixed});
}

TEST_F(WcFiles, ManyFilesKeepTheirOrderAndTotal) {
    std::vector<std::string> names;
    for (int i = 0; i < 40; ++i) names.push_back(file("f" + std::to_string(i), mixed_text(1000 * i, i)));
    expect_same(names);
    std::vector<std::string> with_j{"-j", "3"};
    with_j.insert(with_j.end(), names.begin(), names.end());
    const CommandResult ours = run_command([&] {
        std::vector<std::string> argv{mp::test::bin_path("threadpool"), "wc"};
        argv.insert(argv.end(), with_j.begin(), with_j.end());
        return argv;
    }());
    std::vector<std::string> wc_argv{"wc"};
    wc_argv.insert(wc_argv.end(), names.begin(), names.end());
    EXPECT_EQ(ours.out, run_command(wc_argv).out);
}

TEST_F(WcFiles, MissingFileIsReportedAndTheOthersCounted) {
    const std::string a = file("a", "one two\n");
    const std::string missing = (fs::path(dir_) / "no-such-file").string();
    expect_same({missing});
    expect_same({a, missing, file("b", "three\n")});
}

TEST_F(WcFiles, DirectoryIsReportedWithALineOfZeros) {
    expect_same({dir_, file("a", "x\n")});
}

TEST_F(WcFiles, NamesNeedingQuotesInMessages) {
    expect_same({(fs::path(dir_) / "with space").string(), file("ok", "1\n")});
}

TEST_F(WcFiles, StandardInputAsDash) {
    const std::string piped = mixed_text(100000, 3);
    expect_same({"-"}, piped);
    expect_same({"-", file("a", "x y z\n")}, piped);
}

TEST_F(WcFiles, FileNamesFromStandardInput) {
    const std::string a = file("a", "alpha beta\n"), b = file("b", "gamma\n");
    const CommandResult ours = run_command({mp::test::bin_path("threadpool"), "wc"}, a + "\n" + b + "\n");
    EXPECT_EQ(ours.exit_code, 0) << ours.err;
    EXPECT_EQ(ours.out, run_command({"wc", a, b}).out);
}

TEST(ThreadpoolDemo, UsageErrorsExitTwo) {
    const std::string bin = mp::test::bin_path("threadpool");
    for (const std::vector<std::string>& argv : std::vector<std::vector<std::string>>{
             {bin}, {bin, "nonsense"}, {bin, "wc", "-j"}, {bin, "wc", "-j", "0"}, {bin, "wc", "--bogus"}}) {
        const CommandResult r = run_command(argv);
        EXPECT_EQ(r.exit_code, 2) << argv.back();
        EXPECT_EQ(r.err.rfind("threadpool:", 0) == 0 || r.err.rfind("usage:", 0) == 0, true) << r.err;
    }
    const CommandResult help = run_command({bin, "--help"});
    EXPECT_EQ(help.exit_code, 0);
    EXPECT_NE(help.out.find("threadpool wc"), std::string::npos);
}

TEST(ThreadpoolDemo, TourReplaysTheClassicExamples) {
    const CommandResult r =
        run_command({mp::test::bin_path("threadpool"), "tour"}, "", std::chrono::seconds(30));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    for (const char* expected :
         {"all 10 joined", "counter = 1000000 (expected 1000000)", "main: opening the gate",
          "consumer: got item 3", "items taken = 120, sum = 7140", "callback: task 9 returned 90",
          "at most 3 ran at once", "callback: task 3 failed: task 3 failed on purpose",
          "callback: task 4 ok, result 16", "close + join: 5 ran, 0 cancelled",
          "terminate: 1 ran, 4 cancelled", "as_completed: 9\nas_completed: 4\nas_completed: 1",
          "map, in input order: 1 4 9", "result(10 ms): TimeoutError, the task goes on; then 0"})
        EXPECT_NE(r.out.find(expected), std::string::npos) << expected << "\n" << r.out;
}

}  // namespace

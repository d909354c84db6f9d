// The seed programs (tests/seeds/README.md): each compiled seed program is run and
// what it prints is compared with the <name>.expected file beside its source.
//
// An expected file is what Python 3 prints, after directive lines at its top:
//   # sorted     Python's line order depends on scheduling: compare sorted lines.
//   # exit N     the program ends with exit status N (0 when not said).
//   # deadlocks  the program blocks forever, as Python's does: it must still be
//                running after a while (then it is killed), having printed this.
//   # prompt P   input()'s prompt P lands among the lines other threads print at
//                the same time: its first P is taken out of both outputs.
// In a line, a placeholder stands for what varies from run to run:
//   <pid>  a process id          <id>  an object's id() (its address, in decimal)
//   <addr> an address, 0x...     <a|b> one of the texts a, b
// A <name>.stdin file beside it, if any, is the program's stdin.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
// GCC 12 warns falsely (maybe-uninitialized) inside <regex> under the sanitizers'
// instrumentation, which -Werror turns into a failed `make check`.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <regex>
#pragma GCC diagnostic pop
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/helpers.hpp"

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

const fs::path kSources = "tests/seeds";

// The seed binaries are built beside this suite's binary, in seeds/.
fs::path binary_of(const std::string& name) { return fs::read_symlink("/proc/self/exe").parent_path() / "seeds" / name; }

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

struct Expected {
    bool sorted = false;
    bool deadlocks = false;
    int exit_code = 0;
    std::string prompt;
    std::vector<std::string> lines;  // patterns
};

std::string without_prompt(std::string text, const std::string& prompt) {
    if (const std::size_t at = prompt.empty() ? std::string::npos : text.find(prompt); at != std::string::npos)
        text.erase(at, prompt.size());
    return text;
}

Expected parse_expected(const std::string& text) {
    Expected expected;
    std::istringstream in(text);
    std::string rest;
    for (std::string line; in.peek() == '#' && std::getline(in, line);) {
        const std::string directive = line.substr(std::min<std::size_t>(2, line.size()));
        if (directive == "sorted") expected.sorted = true;
        else if (directive == "deadlocks") expected.deadlocks = true;
        else if (directive.starts_with("exit ")) expected.exit_code = std::stoi(directive.substr(5));
        else if (directive.starts_with("prompt ")) expected.prompt = directive.substr(7);
        else throw std::invalid_argument("unknown directive: " + line);
    }
    std::getline(in, rest, '\0');
    expected.lines = lines_of(without_prompt(rest, expected.prompt));
    return expected;
}

std::string escaped(const std::string& literal) {
    static const std::regex special(R"([.^$|()\[\]{}*+?\\])");
    return std::regex_replace(literal, special, R"(\$&)");
}

// An expected line as a regular expression (placeholders: see the top).
std::regex pattern_of(const std::string& line) {
    std::string re;
    std::size_t i = 0;
    while (i < line.size()) {
        const std::size_t close = line[i] == '<' ? line.find('>', i) : std::string::npos;
        const std::string inside = close == std::string::npos ? "" : line.substr(i + 1, close - i - 1);
        std::string piece;
        if (inside == "pid" || inside == "id") piece = "[0-9]+";
        else if (inside == "addr") piece = "0x[0-9a-f]+";
        else if (!inside.empty() && inside.find('|') != std::string::npos && inside.find('<') == std::string::npos) {
            std::string alternatives;
            std::istringstream in(inside);
            for (std::string a; std::getline(in, a, '|');) alternatives += (alternatives.empty() ? "" : "|") + escaped(a);
            piece = "(?:" + alternatives + ")";
        }
        if (piece.empty()) {
            re += escaped(line.substr(i, 1));
            ++i;
        } else {
            re += piece;
            i = close + 1;
        }
    }
    return std::regex(re);
}

bool has_placeholder(const std::string& line) { return std::regex_search(line, std::regex("<(pid|id|addr|[^<>]*\\|[^<>]*)>")); }

// Whether `actual` matches `expected` line for line, or as a multiset of lines when
// sorted (exact lines are matched first, then each pattern takes the first line left
// that it matches).
bool outputs_match(const Expected& expected, const std::vector<std::string>& actual) {
    if (actual.size() != expected.lines.size()) return false;
    if (!expected.sorted) {
        for (std::size_t i = 0; i < actual.size(); ++i)
            if (!std::regex_match(actual[i], pattern_of(expected.lines[i]))) return false;
        return true;
    }
    std::vector<bool> used(actual.size(), false);
    std::vector<std::string> patterns;
    for (const std::string& line : expected.lines) {
        if (has_placeholder(line)) {
            patterns.push_back(line);
            continue;
        }
        std::size_t i = 0;
        while (i < actual.size() && (used[i] || actual[i] != line)) ++i;
        if (i == actual.size()) return false;
        used[i] = true;
    }
    for (const std::string& line : patterns) {
        const std::regex re = pattern_of(line);
        std::size_t i = 0;
        while (i < actual.size() && (used[i] || !std::regex_match(actual[i], re))) ++i;
        if (i == actual.size()) return false;
        used[i] = true;
    }
    return true;
}

std::vector<std::string> seed_programs() {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(kSources))
        if (entry.path().extension() == ".expected") names.push_back(entry.path().stem().string());
    std::sort(names.begin(), names.end());
    return names;
}

class SeedProgram : public ::testing::TestWithParam<std::string> {};

TEST_P(SeedProgram, PrintsWhatPythonPrints) {
    const std::string name = GetParam();
    const Expected expected = parse_expected(read_file(kSources / (name + ".expected")));
    const fs::path stdin_file = kSources / (name + ".stdin");
    const std::string input = fs::exists(stdin_file) ? read_file(stdin_file) : "";

    // A deadlocked program is given a second (fifty of the seeds' seconds) to show it.
    const mp::test::CommandResult run =
        mp::test::run_command({binary_of(name).string()}, input, expected.deadlocks ? 1000ms : 60000ms);
    if (expected.deadlocks) {
        EXPECT_TRUE(run.timed_out) << "it ended; exit code " << run.exit_code << ", signal " << run.signal;
    } else {
        ASSERT_FALSE(run.timed_out) << "still running after a minute; printed:\n" << run.out;
        EXPECT_EQ(run.signal, 0) << "stderr:\n" << run.err;
        EXPECT_EQ(run.exit_code, expected.exit_code) << "stderr:\n" << run.err;
    }
    const std::vector<std::string> actual = lines_of(without_prompt(run.out, expected.prompt));
    EXPECT_TRUE(outputs_match(expected, actual))
        << (expected.sorted ? "(lines compared sorted)\n" : "") << "expected:\n"
        << [&] {
               std::string text;
               for (const std::string& line : expected.lines) text += line + "\n";
               return text;
           }()
        << "printed:\n"
        << run.out << "stderr:\n"
        << run.err;
}

INSTANTIATE_TEST_SUITE_P(Seeds, SeedProgram, ::testing::ValuesIn(seed_programs()),
                         [](const ::testing::TestParamInfo<std::string>& info) { return "seed_" + info.param; });

// Every seed program has its expected output, and every expected output a program.
TEST(SeedPrograms, EachSourceHasItsExpectedOutput) {
    for (const auto& entry : fs::directory_iterator(kSources)) {
        const fs::path& path = entry.path();
        if (path.extension() == ".cpp") {
            EXPECT_TRUE(fs::exists(fs::path(path).replace_extension(".expected"))) << path;
        } else if (path.extension() == ".expected" || path.extension() == ".stdin") {
            EXPECT_TRUE(fs::exists(fs::path(path).replace_extension(".cpp"))) << path;
        }
    }
}

// The comparison itself: placeholders, sorting, and what must not match.
TEST(SeedPrograms, ComparisonHonoursPlaceholdersAndOrder) {
    Expected in_order = parse_expected("Parent processId is: <pid>.\n<a|b> -----> <addr>!\n");
    EXPECT_TRUE(outputs_match(in_order, {"Parent processId is: 4242.", "b -----> 0x7f00ab!"}));
    EXPECT_FALSE(outputs_match(in_order, {"Parent processId is: x.", "b -----> 0x7f00ab!"}));
    EXPECT_FALSE(outputs_match(in_order, {"Parent processId is: 1.", "c -----> 0x7f00ab!"}));
    EXPECT_FALSE(outputs_match(in_order, {"b -----> 0x7f00ab!", "Parent processId is: 1."}));
    EXPECT_FALSE(outputs_match(in_order, {"Parent processId is: 1."}));

    Expected any_order = parse_expected("# sorted\n# exit 1\n# prompt >>: \n<pid> run\nend\n0 -----> <22|101>>>: \n");
    EXPECT_EQ(any_order.exit_code, 1);
    EXPECT_EQ(any_order.lines.back(), "0 -----> <22|101>");
    EXPECT_TRUE(outputs_match(any_order, {"0 -----> 101", "end", "77 run"}));
    EXPECT_FALSE(outputs_match(any_order, {"0 -----> 100", "end", "77 run"}));
    EXPECT_FALSE(outputs_match(any_order, {"end", "end", "77 run"}));
    EXPECT_THROW(parse_expected("# shuffled\n"), std::invalid_argument);
}

}  // namespace

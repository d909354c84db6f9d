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
//   # server S   the program is a client of the seed server S: S is started
//                first, on a free port of 127.0.0.1 given to both as argv[1];
//                once the client ended, S is interrupted as Ctrl-C would (SIGINT
//                to its process group), must leave no process behind, and must
//                have printed what S.expected says.
//   # served     a server, run only by its client's test (it never ends).
// In a line, a placeholder stands for what varies from run to run:
//   <pid>  a process id          <id>  an object's id() (its address, in decimal)
//   <addr> an address, 0x...     <a|b> one of the texts a, b
// A <name>.stdin file beside it, if any, is the program's stdin.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <thread>
#include <utility>
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
    std::string server;  // the seed server this program is a client of
    bool served = false;
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
        else if (directive.starts_with("server ")) expected.server = directive.substr(7);
        else if (directive == "served") expected.served = true;
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
        if (entry.path().extension() == ".expected" && !parse_expected(read_file(entry.path())).served)
            names.push_back(entry.path().stem().string());
    std::sort(names.begin(), names.end());
    return names;
}

// A seed server running on 127.0.0.1 in its own process group, stdout to a pipe.
class SeedServer {
public:
    explicit SeedServer(const std::string& name) {
        // The port stays reserved while the test runs: this socket keeps it bound
        // (not listening), and the server's SO_REUSEADDR bind shares it, as Linux
        // allows while at most one of them listens; no other program is given it.
        reserve_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        const int on = 1;
        setsockopt(reserve_, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t size = sizeof address;
        EXPECT_EQ(bind(reserve_, reinterpret_cast<sockaddr*>(&address), size), 0);
        EXPECT_EQ(getsockname(reserve_, reinterpret_cast<sockaddr*>(&address), &size), 0);
        port_ = ntohs(address.sin_port);
        int out[2];
        EXPECT_EQ(pipe2(out, O_CLOEXEC), 0);
        const std::string binary = binary_of(name).string(), port = std::to_string(port_);
        pid_ = fork();
        if (pid_ == 0) {
            setpgid(0, 0);
            signal(SIGINT, SIG_DFL);
            dup2(out[1], 1);
            execl(binary.c_str(), binary.c_str(), port.c_str(), static_cast<char*>(nullptr));
            _exit(127);
        }
        setpgid(pid_, pid_);  // as the child does: no race with stop()
        close(out[1]);
        out_ = out[0];
    }
    ~SeedServer() {
        if (pid_ > 0) stop();
        close(reserve_);
        close(out_);
    }
    int port() const { return port_; }

    // Whether it listens within 10 s (it prints nothing before a client comes).
    bool wait_listening() const {
        char local[32];
        std::snprintf(local, sizeof local, "0100007F:%04X", port_);  // 127.0.0.1 as /proc/net/tcp writes it
        for (int i = 0; i < 1000; ++i) {
            std::istringstream lines(read_file("/proc/net/tcp"));
            for (std::string line; std::getline(lines, line);) {
                std::istringstream fields(line);
                std::string slot, address, remote, state;
                fields >> slot >> address >> remote >> state;
                if (address == local && state == "0A") return true;  // 0A: LISTEN
            }
            std::this_thread::sleep_for(10ms);
        }
        return false;
    }

    struct Stopped {
        std::string out;
        bool left_processes;
    };
    // Ctrl-C: SIGINT to its process group; then waits up to 10 s until the group is
    // gone (its workers too: its fork server kills them; a straggler is then
    // SIGKILLed and reported) and returns what it printed.
    Stopped stop() {
        const pid_t group = std::exchange(pid_, -1);
        kill(-group, SIGINT);
        waitpid(group, nullptr, 0);
        bool gone = false;
        for (int i = 0; i < 1000 && !gone; ++i) {
            gone = kill(-group, 0) != 0 && errno == ESRCH;
            if (!gone) std::this_thread::sleep_for(10ms);
        }
        if (!gone) kill(-group, SIGKILL);
        std::string text;
        char buffer[4096];
        ssize_t n;
        while ((n = read(out_, buffer, sizeof buffer)) > 0) text.append(buffer, static_cast<std::size_t>(n));
        return {text, !gone};
    }

private:
    int reserve_ = -1;
    int port_ = 0;
    int out_ = -1;
    pid_t pid_ = -1;
};

class SeedProgram : public ::testing::TestWithParam<std::string> {};

TEST_P(SeedProgram, PrintsWhatPythonPrints) {
    const std::string name = GetParam();
    const Expected expected = parse_expected(read_file(kSources / (name + ".expected")));
    const fs::path stdin_file = kSources / (name + ".stdin");
    const std::string input = fs::exists(stdin_file) ? read_file(stdin_file) : "";

    std::vector<std::string> argv{binary_of(name).string()};
    std::optional<SeedServer> server;
    if (!expected.server.empty()) {
        server.emplace(expected.server);
        ASSERT_TRUE(server->wait_listening()) << expected.server << " does not listen on port " << server->port();
        argv.push_back(std::to_string(server->port()));
    }
    // A deadlocked program is given a second (fifty of the seeds' seconds) to show it.
    const mp::test::CommandResult run = mp::test::run_command(argv, input, expected.deadlocks ? 1000ms : 60000ms);
    if (server) {
        const SeedServer::Stopped served = server->stop();
        EXPECT_FALSE(served.left_processes) << expected.server << " left processes behind";
        const Expected server_expected = parse_expected(read_file(kSources / (expected.server + ".expected")));
        EXPECT_TRUE(outputs_match(server_expected, lines_of(served.out))) << expected.server << " printed:\n" << served.out;
    }
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

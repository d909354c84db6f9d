// bin/subproc tour: Python's classic subprocess examples, each shown as the Python
// line and then done with mp::subproc, with real output.
#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "bin/cli/children.hpp"
#include "bin/subproc_commands.hpp"
#include "subproc/subproc.hpp"

namespace mp::tools::subproc {

using namespace mp::subproc;

namespace {

using namespace std::chrono_literals;

void show(const char* python) { std::printf("\n>>> %s\n", python); }

void print_indented(const std::string& text) {
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        std::printf("    %s\n", text.substr(start, end - start).c_str());
        start = end + 1;
    }
}

void lines_of_a_shell_command() {
    show("p = Popen('echo one; echo two >&2; echo three', shell=True, stdout=PIPE, stderr=STDOUT)\n"
         ">>> for line in p.stdout: print(line)");
    Popen p({"echo one; echo two >&2; echo three"}, {.shell = true, .out = PIPE, .err = STDOUT});
    for (const std::string& line : p.lines()) std::printf("    line: %s\n", line.c_str());
    std::printf("    returncode: %d\n", p.wait());
}

void communicate_with_input() {
    show("Popen(['tr', 'a-z', 'A-Z'], stdin=PIPE, stdout=PIPE).communicate('hello, subprocess\\n')");
    Popen p({"tr", "a-z", "A-Z"}, {.in = PIPE, .out = PIPE});
    const Output output = p.communicate("hello, subprocess\n");
    std::printf("    stdout: %s", output.out.c_str());
}

void timeout_kills_the_tree() {
    show("p = Popen('echo working; sleep 10 & sleep 10', shell=True, stdout=PIPE, start_new_session=True)\n"
         ">>> try: p.communicate(timeout=0.3)\n"
         ">>> except TimeoutExpired: os.killpg(p.pid, SIGKILL); out, _ = p.communicate()");
    const auto start = std::chrono::steady_clock::now();
    std::optional<Popen> p;
    std::optional<cli::ChildRegistration> registration;
    {
        const cli::SignalHold hold;
        p.emplace(std::vector<std::string>{"echo working; sleep 10 & sleep 10"},
                  Options{.shell = true, .out = PIPE, .group = mp::subproc::Group::session()});  // start_new_session=True
        registration.emplace(-p->pid(), cli::OnSignal::kill_and_die);  // Ctrl-C now takes the group with us
    }
    try {
        p->communicate({}, 300ms);
    } catch (const TimeoutExpired& e) {
        std::printf("    TimeoutExpired: %s\n", e.what());
        const Output output = p->kill_and_collect();  // the killpg recipe, bounded, reaped
        const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::printf("    stdout: %s", output.out.c_str());
        std::printf("    returncode %d after %.2f s: the sleeping grandchild died with its group\n",
                    *p->returncode(), took);
    }
}

void check_raises_with_output() {
    show("run(['ls', '/nonexistent'], capture_output=True, check=True)");
    try {
        run({"ls", "/nonexistent"}, {.capture_output = true, .check = true});
    } catch (const CalledProcessError& e) {
        std::printf("    CalledProcessError: returncode %d\n    stderr:\n", e.returncode());
        print_indented(e.err());
    }
    show("Popen(['no-such-program'])");
    try {
        Popen p({"no-such-program"});
    } catch (const SpawnError& e) {
        std::printf("    SpawnError: %s (no child ever ran)\n", e.what());
    }
}

void a_pipeline() {
    show("# printf 'b a c b a b' | tr ' ' '\\n' | sort | uniq -c | sort -rn, without a shell");
    const PipelineResult r = pipeline({{"printf", "b a c b a b"}, {"tr", " ", "\\n"}, {"sort"}, {"uniq", "-c"},
                                       {"sort", "-rn"}},
                                      {.capture_output = true, .timeout = 10s});
    print_indented(r.out);
    std::printf("    every stage's status:");
    for (int code : r.returncodes) std::printf(" %d", code);
    std::printf("\n");
}

}  // namespace

int tour_command() {
    std::printf("mp::subproc tour: Python's subprocess examples, in C++\n");
    lines_of_a_shell_command();
    communicate_with_input();
    timeout_kills_the_tree();
    check_raises_with_output();
    a_pipeline();
    std::printf("\nmp::subproc: %s\n", getoutput("echo every child reaped, no shell unless asked").c_str());
    return 0;
}

}  // namespace mp::tools::subproc

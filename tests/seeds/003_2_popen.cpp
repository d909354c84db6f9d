// Seed 003, program 2: subprocess.Popen of a shell command, stderr into stdout, its
// lines read as bytes. adb is not installed here: the shell's complaint is the line.
#include "subproc/subproc.hpp"
#include "tests/seeds/py.hpp"

using mp::subproc::Popen;
using mp::subproc::Stream;

// p.stdout.readlines(): every line, each with its "\n".
std::vector<py::bytes> readlines(Popen& p) {
    const std::string out = p.communicate().out;
    std::vector<py::bytes> lines;
    for (std::size_t start = 0; start < out.size();) {
        const std::size_t end = std::min(out.find('\n', start), out.size() - 1) + 1;
        lines.push_back({out.substr(start, end - start)});
        start = end;
    }
    return lines;
}

int main() {
    std::string command = "adb devices";
    Popen p({command}, {.shell = true, .out = Stream::pipe(), .err = Stream::to_stdout()});
    py::print(readlines(p));
    return 0;
}

// bin/threadpool: the threadpool library as a tool — a parallel `wc`, and a tour of
// the classic Python threading examples.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "bin/cli/cli.hpp"
#include "bin/threadpool_commands.hpp"

namespace {

constexpr const char* kUsage =
    "usage: threadpool wc [-j N] [FILE...]\n"
    "       threadpool tour\n"
    "\n"
    "  wc    count lines, words and bytes of each FILE on a thread pool and print\n"
    "        exactly what coreutils `wc FILE...` prints (\"-\" is standard input).\n"
    "        With no FILE, reads the file names from standard input, one per line.\n"
    "        -j N  worker threads (default: the hardware threads)\n"
    "        Exit 1 when a file could not be read (the others are still counted).\n"
    "  tour  replay the classic threading, queue and thread-pool examples\n"
    "\n"
    "Exit status: 0 ok, 1 a file could not be read, 2 usage error.\n";

}  // namespace

int main(int argc, char** argv) {
    const std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty()) {
        std::fputs(kUsage, stderr);
        return 2;
    }
    const std::string& command = args[0];
    if (command == "--help" || command == "-h") {
        std::fputs(kUsage, stdout);
        return 0;
    }
    if (command == "wc") return mp::threadpool::demo::wc_main({args.begin() + 1, args.end()});
    if (command == "tour" && args.size() == 1) return mp::threadpool::demo::tour_main();
    mp::cli::print_error("threadpool", "unknown command or arguments: " + command + " (see --help)");
    return 2;
}

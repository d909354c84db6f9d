// bin/threadpool: the threadpool library as a tool — a parallel `wc`, and a tour of
// the classic Python threading examples.
#include <cstdio>
#include <variant>

#include "bin/cli/main.hpp"
#include "bin/threadpool_args.hpp"
#include "bin/threadpool_commands.hpp"

namespace {

constexpr const char* kUsage =
    "usage: threadpool wc [-j N] [FILE...]\n"
    "       threadpool tour\n"
    "       threadpool echo-server [--port N]\n"
    "\n"
    "  wc    count lines, words and bytes of each FILE on a thread pool and print\n"
    "        exactly what coreutils `wc FILE...` prints (\"-\" is standard input).\n"
    "        With no FILE, reads the file names from standard input, one per line.\n"
    "        -j N  worker threads (default: the hardware threads)\n"
    "        Exit 1 when a file could not be read (the others are still counted).\n"
    "  tour  replay the classic threading, queue and thread-pool examples, and the\n"
    "        greenlet / gevent ones (green threads: one OS thread, cooperative I/O)\n"
    "  echo-server  TCP echo on 127.0.0.1:N (default: a free port, printed first),\n"
    "        one greenlet per connection, all in one OS thread; stop it with a signal\n"
    "\n"
    "Exit status: 0 ok, 1 a file could not be read, 2 usage error.\n";

}  // namespace

int main(int argc, char** argv) {
    using namespace mp::tools::threadpool;
    return mp::cli::run_parsed(argc, argv, {.name = kProgram, .usage = kUsage, .see_help = true}, parse_args, [](const Command& command) {
        if (const auto* wc = std::get_if<WcOptions>(&command)) return wc_command(*wc);
        if (const auto* echo = std::get_if<EchoOptions>(&command)) return echo_server_command(*echo);
        return tour_command();
    });
}

// bin/shm: typed shared-memory segments from the shell, and a tour of Python's
// multiprocessing.Value / Array examples. See usage() for the commands.
//
// Exit codes: 0 done; 1 the command was well formed but could not be done (no such
// segment, index or value out of range for that segment); 2 usage error (the command
// line itself is wrong: unknown command or type code, a number that is not one).
#include <variant>

#include "bin/cli/main.hpp"
#include "bin/shm_args.hpp"
#include "bin/shm_commands.hpp"

namespace mp::tools::shm {
namespace {

const char* const kUsage =
    "usage: shm COMMAND [ARGS]\n"
    "\n"
    "Typed shared-memory segments, as Python's multiprocessing.Value and Array.\n"
    "\n"
    "commands:\n"
    "  create NAME TYPECODE LEN [--init V]  make a segment of LEN elements (each V, default 0)\n"
    "                                       with a lock; it stays until rm or gc\n"
    "  get NAME [I | A:B]                   print every element, element I, or elements A..B-1,\n"
    "                                       one per line\n"
    "  set NAME I V                         set element I to V\n"
    "  add NAME I DELTA                     add DELTA to element I under the segment's lock;\n"
    "                                       print the new value\n"
    "  ls                                   list our segments: name, type, length, creator pid,\n"
    "                                       whether the creator is alive, how many processes use it\n"
    "  rm NAME                              remove segment NAME (never another user's)\n"
    "  gc                                   remove our segments whose creator is dead and that\n"
    "                                       no live process maps; print what was removed\n"
    "  tour                                 replay the classic Python examples\n"
    "\n"
    "access options (see Security in shm/README.md):\n"
    "  --mode MODE                          create: the segment's octal mode (default 600:\n"
    "                                       only you); get, set, add: accept a segment whose\n"
    "                                       mode is at most MODE\n"
    "  --allow-other-owner                  get, set, add: accept a segment another user made\n"
    "\n"
    "NAME is the file /dev/shm/mp-NAME. TYPECODE is one of c b B h H i I l L q Q f d\n"
    "(char, signed char, unsigned char, short, unsigned short, int, unsigned int, long,\n"
    "unsigned long, long long, unsigned long long, float, double). Negative numbers are\n"
    "values, not options: `shm set n 0 -5`.\n"
    "\n"
    "exit status: 0 done, 1 could not be done (no such segment, index or value out of\n"
    "range for it), 2 usage error\n";

int run(const Command& command) {
    if (const auto* c = std::get_if<Create>(&command)) return create_command(*c);
    if (const auto* g = std::get_if<Get>(&command)) return get_command(*g);
    if (const auto* s = std::get_if<Set>(&command)) return set_command(*s);
    if (const auto* r = std::get_if<Remove>(&command)) return remove_command(*r);
    if (std::holds_alternative<List>(command)) return list_command();
    if (std::holds_alternative<Collect>(command)) return collect_command();
    return tour_command();
}

}  // namespace
}  // namespace mp::tools::shm

int main(int argc, char** argv) {
    using namespace mp::tools::shm;
    return mp::cli::run_parsed(argc, argv, {.name = kProgram, .usage = kUsage, .see_help = true}, parse_args, run);
}

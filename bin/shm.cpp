// bin/shm: typed shared-memory segments from the shell, and a tour of Python's
// multiprocessing.Value / Array examples. See usage() for the commands.
//
// Exit codes: 0 done; 1 the command was well formed but could not be done (no such
// segment, index or value out of range for that segment); 2 usage error (the command
// line itself is wrong: unknown command or type code, a number that is not one).
#include <sys/mman.h>

#include <cerrno>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <variant>

#include "bin/cli/main.hpp"
#include "bin/shm_args.hpp"
#include "bin/shm_commands.hpp"
#include "shm/shm.hpp"

namespace mp::tools::shm {
namespace {

constexpr const char* kProgram = "shm";

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
    "  rm NAME                              remove segment NAME\n"
    "  gc                                   remove segments whose creator is dead and that no\n"
    "                                       live process maps; print what was removed\n"
    "  tour                                 replay the classic Python examples\n"
    "\n"
    "NAME is the file /dev/shm/mp-NAME. TYPECODE is one of c b B h H i I l L q Q f d\n"
    "(char, signed char, unsigned char, short, unsigned short, int, unsigned int, long,\n"
    "unsigned long, long long, unsigned long long, float, double). Negative numbers are\n"
    "values, not options: `shm set n 0 -5`.\n"
    "\n"
    "exit status: 0 done, 1 could not be done (no such segment, index or value out of\n"
    "range for it), 2 usage error\n";

using cli::UsageError;

// Runs open(name), turning a bad name into a usage error and a missing segment into
// a plain message.
template <class Open>
auto open_segment(const std::string& name, Open open) {
    try {
        return open(name);
    } catch (const std::invalid_argument& error) {
        throw UsageError(error.what());
    } catch (const std::system_error& error) {
        if (error.code() == std::errc::no_such_file_or_directory)
            throw std::runtime_error("no segment named \"" + name + "\" (/dev/shm/mp-" + name + ")");
        throw;
    }
}

mp::shm::DynamicArray attach(const std::string& name) {
    return open_segment(name, [](const std::string& n) { return mp::shm::DynamicArray::attach(n); });
}

void print_value(mp::shm::TypeCode code, const mp::shm::Scalar& value) {
    std::printf("%s\n", mp::shm::format_scalar(code, value).c_str());
}

int create(const Create& request) {
    try {
        auto array = mp::shm::DynamicArray::create(request.name, request.code, request.count, request.fill);
        array.release();  // the point of the command: the segment outlives it
    } catch (const std::invalid_argument& error) {  // a bad name
        throw UsageError(error.what());
    } catch (const std::system_error& error) {
        if (error.code() == std::errc::file_exists)
            throw std::runtime_error("a segment named \"" + request.name + "\" already exists");
        throw;
    }
    return 0;
}

int get(const Get& request) {
    auto array = attach(request.name);
    const Selection& selection = request.selection;
    if (selection.single) {
        print_value(array.type_code(), array.get(*selection.first));
        return 0;
    }
    for (const mp::shm::Scalar& value : array.slice(selection.first.value_or(0), selection.last.value_or(array.size())))
        print_value(array.type_code(), value);
    return 0;
}

int set(const Set& request) {
    auto array = attach(request.name);
    if (request.add) {
        print_value(array.type_code(), array.add(request.index, mp::shm::parse_delta(array.type_code(), request.value)));
    } else {
        array.set(request.index, mp::shm::parse_scalar(array.type_code(), request.value));
    }
    return 0;
}

int list() {
    std::printf("%-28s %-4s %10s %10s %8s %-6s %s\n", "NAME", "TYPE", "LEN", "BYTES", "CREATOR", "STATE", "USERS");
    for (const mp::shm::SegmentListing& segment : mp::shm::list_segments()) {
        if (segment.header) {
            std::printf("%-28s %-4c %10llu %10zu %8d %-6s %zu\n", segment.name.c_str(),
                        static_cast<char>(segment.header->type_code),
                        static_cast<unsigned long long>(segment.header->count), segment.size,
                        static_cast<int>(segment.header->creator_pid), segment.creator_alive ? "alive" : "dead",
                        segment.users.size());
        } else {
            std::printf("%-28s %-4s %10s %10zu %8s %-6s %zu  (%s)\n", segment.name.c_str(), "-", "-", segment.size, "-",
                        "?", segment.users.size(), segment.problem.c_str());
        }
    }
    return 0;
}

int remove(const Remove& request) {
    open_segment(request.name, [](const std::string& n) {
        // Unlinking needs no mapping; shm_unlink reports a missing name as ENOENT.
        const std::string path = mp::shm::segment_path(n);
        if (shm_unlink(path.c_str()) != 0)
            throw std::system_error(errno, std::generic_category(), "shm_unlink(\"" + path + "\")");
        return 0;
    });
    return 0;
}

int collect() {
    const auto removed = mp::shm::collect_garbage();
    for (const mp::shm::SegmentListing& segment : removed)
        std::printf("removed %s ('%c' x %llu, creator pid %d is dead, no process maps it)\n", segment.name.c_str(),
                    static_cast<char>(segment.header->type_code),
                    static_cast<unsigned long long>(segment.header->count),
                    static_cast<int>(segment.header->creator_pid));
    if (removed.empty()) std::printf("nothing to remove\n");
    return 0;
}

int run(const Command& command) {
    if (std::holds_alternative<Help>(command)) {
        std::fputs(kUsage, stdout);
        return 0;
    }
    if (const auto* error = std::get_if<UsageError>(&command)) throw *error;
    if (const auto* c = std::get_if<Create>(&command)) return create(*c);
    if (const auto* g = std::get_if<Get>(&command)) return get(*g);
    if (const auto* s = std::get_if<Set>(&command)) return set(*s);
    if (const auto* r = std::get_if<Remove>(&command)) return remove(*r);
    if (std::holds_alternative<List>(command)) return list();
    if (std::holds_alternative<Collect>(command)) return collect();
    return tour_command();
}

}  // namespace
}  // namespace mp::tools::shm

int main(int argc, char** argv) {
    using namespace mp::tools::shm;
    return mp::cli::run_main(argc, argv, {.name = kProgram, .usage = kUsage},
                             [](const std::vector<std::string>& args) { return run(parse_args(args)); });
}

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
#include <vector>

#include "bin/cli/cli.hpp"
#include "bin/shm_tour.hpp"
#include "shm/shm.hpp"

namespace {

constexpr std::string_view kProgram = "shm";

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

// A command line that is wrong in itself: exit 2.
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The words of a command line, with the options taken out. A word that starts with
// '-' followed by a digit or '.' is a number, not an option.
struct Arguments {
    std::vector<std::string> words;
    std::optional<std::string> init;
    bool help = false;
};

bool looks_like_number(std::string_view word) {
    return word.size() > 1 && word[0] == '-' && ((word[1] >= '0' && word[1] <= '9') || word[1] == '.');
}

Arguments parse_arguments(int argc, char** argv) {
    Arguments arguments;
    bool options_done = false;
    for (int i = 1; i < argc; ++i) {
        const std::string_view word = argv[i];
        if (options_done || word.empty() || word[0] != '-' || word == "-" || looks_like_number(word)) {
            arguments.words.emplace_back(word);
        } else if (word == "--") {
            options_done = true;
        } else if (word == "-h" || word == "--help") {
            arguments.help = true;
        } else if (word == "--init") {
            if (i + 1 >= argc) throw UsageError("--init needs a value");
            arguments.init = argv[++i];
        } else if (word.starts_with("--init=")) {
            arguments.init = std::string(word.substr(7));
        } else {
            throw UsageError("unknown option " + std::string(word) + " (negative numbers are fine: -5)");
        }
    }
    return arguments;
}

void expect_words(const Arguments& arguments, std::size_t min, std::size_t max, const char* synopsis) {
    const std::size_t n = arguments.words.size() - 1;  // after the command
    if (n < min || n > max) throw UsageError(std::string("usage: shm ") + synopsis);
}

// Lengths and indexes: 0..2^40, far beyond any segment /dev/shm can hold.
std::size_t parse_count(const std::string& text, const char* what) {
    constexpr std::int64_t kMax = std::int64_t{1} << 40;
    const auto value = mp::cli::parse_int(text, 0, kMax);
    if (!value || text.starts_with('-'))
        throw UsageError(std::string(what) + " must be a whole number >= 0 (at most " + std::to_string(kMax) +
                         "), not \"" + text + "\"");
    return static_cast<std::size_t>(*value);
}

mp::shm::TypeCode parse_code(const std::string& text) {
    const auto code = text.size() == 1 ? mp::shm::parse_type_code(text[0]) : std::nullopt;
    if (!code) throw UsageError("unknown type code \"" + text + "\"; use one of c b B h H i I l L q Q f d");
    return *code;
}

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

int create(const Arguments& arguments) {
    expect_words(arguments, 3, 3, "create NAME TYPECODE LEN [--init V]");
    const std::string& name = arguments.words[1];
    const mp::shm::TypeCode code = parse_code(arguments.words[2]);
    const std::size_t count = parse_count(arguments.words[3], "LEN");
    mp::shm::Scalar fill = std::int64_t{0};
    if (arguments.init) {
        try {
            fill = mp::shm::parse_scalar(code, *arguments.init);
        } catch (const std::logic_error& error) {  // invalid_argument, out_of_range
            throw UsageError(std::string("--init: ") + error.what());
        }
    }
    try {
        auto array = mp::shm::DynamicArray::create(name, code, count, fill);
        array.release();  // the point of the command: the segment outlives it
    } catch (const std::invalid_argument& error) {  // a bad name
        throw UsageError(error.what());
    } catch (const std::system_error& error) {
        if (error.code() == std::errc::file_exists)
            throw std::runtime_error("a segment named \"" + name + "\" already exists");
        throw;
    }
    return 0;
}

// What `get` was asked for: element I ("I"), or a slice ("A:B", "A:", ":B", ":").
struct Selection {
    std::optional<std::size_t> first, last;
    bool single = false;
};

Selection parse_selection(const std::string& text) {
    const std::size_t colon = text.find(':');
    if (colon == std::string::npos) return {parse_count(text, "the index"), std::nullopt, true};
    const std::string first = text.substr(0, colon), last = text.substr(colon + 1);
    Selection selection;
    if (!first.empty()) selection.first = parse_count(first, "the slice start");
    if (!last.empty()) selection.last = parse_count(last, "the slice end");
    return selection;
}

int get(const Arguments& arguments) {
    expect_words(arguments, 1, 2, "get NAME [I | A:B]");
    const Selection selection = arguments.words.size() == 3 ? parse_selection(arguments.words[2]) : Selection{};
    auto array = attach(arguments.words[1]);
    if (selection.single) {
        print_value(array.type_code(), array.get(*selection.first));
        return 0;
    }
    for (const mp::shm::Scalar& value : array.slice(selection.first.value_or(0), selection.last.value_or(array.size())))
        print_value(array.type_code(), value);
    return 0;
}

int set(const Arguments& arguments) {
    expect_words(arguments, 3, 3, "set NAME I V");
    const std::size_t index = parse_count(arguments.words[2], "the index");
    auto array = attach(arguments.words[1]);
    array.set(index, mp::shm::parse_scalar(array.type_code(), arguments.words[3]));
    return 0;
}

int add(const Arguments& arguments) {
    expect_words(arguments, 3, 3, "add NAME I DELTA");
    const std::size_t index = parse_count(arguments.words[2], "the index");
    auto array = attach(arguments.words[1]);
    print_value(array.type_code(), array.add(index, mp::shm::parse_delta(array.type_code(), arguments.words[3])));
    return 0;
}

int list(const Arguments& arguments) {
    expect_words(arguments, 0, 0, "ls");
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

int remove(const Arguments& arguments) {
    expect_words(arguments, 1, 1, "rm NAME");
    const std::string& name = arguments.words[1];
    open_segment(name, [](const std::string& n) {
        // Unlinking needs no mapping; shm_unlink reports a missing name as ENOENT.
        const std::string path = mp::shm::segment_path(n);
        if (shm_unlink(path.c_str()) != 0)
            throw std::system_error(errno, std::generic_category(), "shm_unlink(\"" + path + "\")");
        return 0;
    });
    return 0;
}

int collect(const Arguments& arguments) {
    expect_words(arguments, 0, 0, "gc");
    const auto removed = mp::shm::collect_garbage();
    for (const mp::shm::SegmentListing& segment : removed)
        std::printf("removed %s ('%c' x %llu, creator pid %d is dead, no process maps it)\n", segment.name.c_str(),
                    static_cast<char>(segment.header->type_code),
                    static_cast<unsigned long long>(segment.header->count),
                    static_cast<int>(segment.header->creator_pid));
    if (removed.empty()) std::printf("nothing to remove\n");
    return 0;
}

int run(const Arguments& arguments) {
    if (arguments.help) {
        std::fputs(kUsage, stdout);
        return 0;
    }
    if (arguments.words.empty()) throw UsageError("no command; try shm --help");
    const std::string& command = arguments.words[0];
    if (command != "create" && arguments.init) throw UsageError("--init belongs to create");
    if (command == "create") return create(arguments);
    if (command == "get") return get(arguments);
    if (command == "set") return set(arguments);
    if (command == "add") return add(arguments);
    if (command == "ls") return list(arguments);
    if (command == "rm") return remove(arguments);
    if (command == "gc") return collect(arguments);
    if (command == "tour") {
        expect_words(arguments, 0, 0, "tour");
        return mp::shm_demo::tour();
    }
    throw UsageError("unknown command \"" + command + "\"; try shm --help");
}

}  // namespace

int main(int argc, char** argv) {
    try {
        return run(parse_arguments(argc, argv));
    } catch (const UsageError& error) {
        mp::cli::print_error(kProgram, error.what());
        return 2;
    } catch (const std::exception& error) {
        mp::cli::print_error(kProgram, error.what());
        return 1;
    }
}

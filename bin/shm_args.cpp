#include "bin/shm_args.hpp"

#include <cstdint>
#include <stdexcept>
#include <string_view>

#include "bin/cli/args.hpp"
#include "bin/cli/cli.hpp"
#include "bin/cli/main.hpp"

namespace mp::tools::shm {

namespace {

using cli::UsageError;

// The words of a command line, with the options taken out. A word that starts with
// '-' followed by a digit or '.' is a number, not an option.
struct Arguments {
    std::vector<std::string> words;
    std::optional<std::string> init;
    mp::shm::Access access;  // --mode, --allow-other-owner
    bool access_given = false;
    bool help = false;
};

bool looks_like_number(std::string_view word) {
    return word.size() > 1 && word[0] == '-' && ((word[1] >= '0' && word[1] <= '9') || word[1] == '.');
}

Arguments parse_arguments(cli::Args args) {
    Arguments arguments;
    bool options_done = false;
    while (!args.empty()) {
        const std::string word = args.peek();
        if (options_done || word.empty() || word[0] != '-' || word == "-" || looks_like_number(word)) {
            arguments.words.push_back(args.next("word"));
        } else if (args.accept("--")) {
            options_done = true;
        } else if (args.accept("-h") || args.accept("--help")) {
            arguments.help = true;
        } else if (auto init = args.value_of("--init", "--init needs a value")) {
            arguments.init = std::move(*init);
        } else if (auto mode = args.value_of("--mode", "--mode needs a value")) {
            const auto parsed = cli::parse_mode(*mode);
            if (!parsed) throw UsageError("bad value for --mode: \"" + *mode + "\" (want an octal mode such as 660)");
            arguments.access.mode = *parsed;
            arguments.access_given = true;
        } else if (args.accept("--allow-other-owner")) {
            arguments.access.allow_other_owner = true;
            arguments.access_given = true;
        } else {
            throw UsageError("unknown option " + word + " (negative numbers are fine: -5)");
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
    const auto value = cli::parse_int(text, 0, kMax);
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

Selection parse_selection(const std::string& text) {
    const std::size_t colon = text.find(':');
    if (colon == std::string::npos) return {parse_count(text, "the index"), std::nullopt, true};
    const std::string first = text.substr(0, colon), last = text.substr(colon + 1);
    Selection selection;
    if (!first.empty()) selection.first = parse_count(first, "the slice start");
    if (!last.empty()) selection.last = parse_count(last, "the slice end");
    return selection;
}

Command parse_create(const Arguments& arguments) {
    expect_words(arguments, 3, 3, "create NAME TYPECODE LEN [--init V] [--mode MODE]");
    Create create{.name = arguments.words[1],
                  .code = parse_code(arguments.words[2]),
                  .count = parse_count(arguments.words[3], "LEN"),
                  .access = arguments.access};
    if (arguments.init) {
        try {
            create.fill = mp::shm::parse_scalar(create.code, *arguments.init);
        } catch (const std::logic_error& error) {  // invalid_argument, out_of_range
            throw UsageError("--init: " + std::string(cli::without_program(error.what(), "shm")));
        }
    }
    return create;
}

Command parse_set(const Arguments& arguments, bool add) {
    expect_words(arguments, 3, 3, add ? "add NAME I DELTA" : "set NAME I V");
    return Set{.name = arguments.words[1],
               .index = parse_count(arguments.words[2], "the index"),
               .value = arguments.words[3],
               .add = add,
               .access = arguments.access};
}

Command parse_command(const Arguments& arguments) {
    if (arguments.help) return Help{};
    if (arguments.words.empty()) throw UsageError("no command");
    const std::string& command = arguments.words[0];
    if (command != "create" && arguments.init) throw UsageError("--init belongs to create");
    const bool opens = command == "create" || command == "get" || command == "set" || command == "add";
    if (!opens && arguments.access_given)
        throw UsageError("--mode and --allow-other-owner belong to create, get, set and add");
    if (command == "create" && arguments.access.allow_other_owner)
        throw UsageError("--allow-other-owner belongs to get, set and add: create makes a segment of yours");
    if (command == "create") return parse_create(arguments);
    if (command == "get") {
        expect_words(arguments, 1, 2, "get NAME [I | A:B]");
        return Get{arguments.words[1],
                   arguments.words.size() == 3 ? parse_selection(arguments.words[2]) : Selection{}, arguments.access};
    }
    if (command == "set" || command == "add") return parse_set(arguments, command == "add");
    if (command == "rm") {
        expect_words(arguments, 1, 1, "rm NAME");
        return Remove{arguments.words[1]};
    }
    if (command == "ls") {
        expect_words(arguments, 0, 0, "ls");
        return List{};
    }
    if (command == "gc") {
        expect_words(arguments, 0, 0, "gc");
        return Collect{};
    }
    if (command == "tour") {
        expect_words(arguments, 0, 0, "tour");
        return Tour{};
    }
    throw UsageError("unknown command \"" + command + "\"");
}

}  // namespace

Command parse_args(const std::vector<std::string>& args) {
    return cli::parse_or_error<Command>([&] { return parse_command(parse_arguments(cli::Args(args))); });
}

}  // namespace mp::tools::shm

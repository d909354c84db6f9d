// bin/shm's command line, parsed without side effects (fuzzed by
// tests/fuzz/demo_args.cpp). Segment names are checked when used, by the library;
// set's value and add's delta are parsed then too, for the segment's type.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "bin/cli/cli.hpp"
#include "bin/cli/main.hpp"
#include "shm/options.hpp"
#include "shm/type_code.hpp"

namespace mp::tools::shm {

using cli::Help;
struct Tour {};
struct List {};
struct Collect {};
struct Create {  // create NAME TYPECODE LEN [--init V] [--mode MODE]
    std::string name;
    mp::shm::TypeCode code{};
    std::size_t count = 0;
    mp::shm::Scalar fill = std::int64_t{0};
    mp::shm::Access access;
};
// What `get` was asked for: every element, element I ("I"), or a slice ("A:B",
// "A:", ":B", ":").
struct Selection {
    std::optional<std::size_t> first, last;
    bool single = false;
};
struct Get {  // get NAME [I | A:B] [--mode MODE] [--allow-other-owner]
    std::string name;
    Selection selection;
    mp::shm::Access access;
};
struct Set {  // set NAME I V, or add NAME I DELTA (with get's access options)
    std::string name;
    std::size_t index = 0;
    std::string value;
    bool add = false;
    mp::shm::Access access;
};
struct Remove {  // rm NAME
    std::string name;
};
using Command = std::variant<Help, Tour, List, Collect, Create, Get, Set, Remove, cli::UsageError>;

// The arguments after the program name.
Command parse_args(const std::vector<std::string>& args);

}  // namespace mp::tools::shm

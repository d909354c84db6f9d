// How many memory mappings of exactly `bytes` the process has (/proc/self/maps): a
// test gives its stacks an unusual size and counts them, to see them freed.
#pragma once

#include <unistd.h>

#include <cstddef>
#include <fstream>
#include <string>

namespace mp::test {

inline int mappings_of(std::size_t bytes) {
    std::ifstream maps("/proc/self/maps");
    int count = 0;
    std::string line;
    while (std::getline(maps, line)) {
        const auto dash = line.find('-');
        const auto lo = std::stoull(line.substr(0, dash), nullptr, 16);
        const auto hi = std::stoull(line.substr(dash + 1), nullptr, 16);
        if (hi - lo == bytes) ++count;
    }
    return count;
}

inline std::size_t page_size() {
    return static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

}  // namespace mp::test

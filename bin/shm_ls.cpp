// `shm ls`: our segments, their creators and users.
#include <cstdio>
#include <stdexcept>
#include <string>
#include <system_error>

#include "bin/cli/main.hpp"
#include "bin/shm_commands.hpp"
#include "shm/shm.hpp"

namespace mp::tools::shm {

int list_command() {
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

}  // namespace mp::tools::shm

// `shm gc`: removes the segments of dead creators that no live process maps.
#include <cstdio>
#include <stdexcept>
#include <string>
#include <system_error>

#include "bin/cli/main.hpp"
#include "bin/shm_commands.hpp"
#include "shm/shm.hpp"

namespace mp::tools::shm {

int collect_command() {
    const auto removed = mp::shm::collect_garbage();
    for (const mp::shm::SegmentListing& segment : removed)
        std::printf("removed %s ('%c' x %llu, creator pid %d is dead, no process maps it)\n", segment.name.c_str(),
                    static_cast<char>(segment.header->type_code),
                    static_cast<unsigned long long>(segment.header->count),
                    static_cast<int>(segment.header->creator_pid));
    if (removed.empty()) std::printf("nothing to remove\n");
    return 0;
}

}  // namespace mp::tools::shm

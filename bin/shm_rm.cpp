// `shm rm NAME`.
#include <cerrno>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <system_error>

#include "bin/cli/main.hpp"
#include "bin/shm_commands.hpp"
#include "shm/shm.hpp"

namespace mp::tools::shm {

int remove_command(const Remove& request) {
    with_segment_name(request.name, [&] {
        // Unlinking needs no mapping; never another user's segment.
        if (!mp::shm::remove(request.name))
            throw std::system_error(ENOENT, std::generic_category(),
                                    "shm_unlink(\"" + mp::shm::segment_path(request.name) + "\")");
    });
    return 0;
}

}  // namespace mp::tools::shm

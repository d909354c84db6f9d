// `shm rm NAME`.
#include <sys/mman.h>

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
        // Unlinking needs no mapping; shm_unlink reports a missing name as ENOENT.
        const std::string path = mp::shm::segment_path(request.name);
        if (shm_unlink(path.c_str()) != 0)
            throw std::system_error(errno, std::generic_category(), "shm_unlink(\"" + path + "\")");
    });
    return 0;
}

}  // namespace mp::tools::shm

// `shm create NAME TYPECODE LEN [--init V]`: a segment that outlives the command.
#include <cstdio>
#include <stdexcept>
#include <string>
#include <system_error>

#include "bin/cli/main.hpp"
#include "bin/shm_commands.hpp"
#include "shm/shm.hpp"

namespace mp::tools::shm {

int create_command(const Create& request) {
    try {
        auto array = mp::shm::DynamicArray::create(request.name, request.code, request.count, request.fill, {},
                                                   request.access);
        array.release();  // the point of the command: the segment outlives it
    } catch (const std::invalid_argument& error) {  // a bad name or mode
        throw cli::UsageError(error.what());
    } catch (const std::system_error& error) {
        if (error.code() == std::errc::file_exists)
            throw std::runtime_error("a segment named \"" + request.name + "\" already exists");
        throw;
    }
    return 0;
}

}  // namespace mp::tools::shm

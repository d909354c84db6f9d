// `shm set NAME I V` and `shm add NAME I DELTA` (under the segment's lock).
#include <cstdio>
#include <stdexcept>
#include <string>
#include <system_error>

#include "bin/cli/main.hpp"
#include "bin/shm_commands.hpp"
#include "shm/shm.hpp"

namespace mp::tools::shm {

int set_command(const Set& request) {
    auto array = attach(request.name, request.access);
    if (request.add) {
        print_value(array.type_code(), array.add(request.index, mp::shm::parse_delta(array.type_code(), request.value)));
    } else {
        array.set(request.index, mp::shm::parse_scalar(array.type_code(), request.value));
    }
    return 0;
}

}  // namespace mp::tools::shm

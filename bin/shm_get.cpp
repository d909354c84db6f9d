// `shm get NAME [I | A:B]`: elements, one per line.
#include <cstdio>
#include <stdexcept>
#include <string>
#include <system_error>

#include "bin/cli/main.hpp"
#include "bin/shm_commands.hpp"
#include "shm/shm.hpp"

namespace mp::tools::shm {

int get_command(const Get& request) {
    auto array = attach(request.name, request.access);
    const Selection& selection = request.selection;
    if (selection.single) {
        print_value(array.type_code(), array.get(*selection.first));
        return 0;
    }
    for (const mp::shm::Scalar& value : array.slice(selection.first.value_or(0), selection.last.value_or(array.size())))
        print_value(array.type_code(), value);
    return 0;
}

}  // namespace mp::tools::shm

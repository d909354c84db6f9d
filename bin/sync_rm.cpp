// `bin/sync rm NAME...`.
#include <string>
#include <vector>

#include "bin/cli/cli.hpp"
#include "bin/sync_commands.hpp"
#include "sync/named.hpp"

namespace mp::tools::sync {

int remove_command(const std::vector<std::string>& names) {
    int code = 0;
    for (const std::string& name : names) {
        if (!mp::sync::remove(name)) {
            cli::print_error(kProgram, "rm: no such object: " + name);
            code = kExitError;
        }
    }
    return code;
}

}  // namespace mp::tools::sync

// `bin/sync ls`: our named objects, their state and holders.
#include <cstdio>
#include <string>

#include "bin/sync_commands.hpp"
#include "sync/named.hpp"

namespace mp::tools::sync {

int list_command() {
    const auto objects = mp::sync::list();
    if (objects.empty()) return 0;
    std::printf("%-24s %-17s %-22s %s\n", "NAME", "KIND", "STATE", "HOLDERS");
    for (const mp::sync::ObjectInfo& object : objects) {
        std::string holders;
        for (const mp::sync::Holder& holder : object.holders) {
            if (!holders.empty()) holders += ' ';
            holders += std::to_string(holder.pid);
            if (holder.count != 1) holders += "x" + std::to_string(holder.count);
            if (!holder.alive) holders += "(dead)";
        }
        std::printf("%-24s %-17s %-22s %s\n", object.name.c_str(), object.kind.c_str(), object.state.c_str(),
                    holders.empty() ? "-" : holders.c_str());
    }
    return 0;
}

}  // namespace mp::tools::sync

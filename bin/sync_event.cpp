// `bin/sync event NAME set|clear|wait`: a named Event from the shell.
#include <string>

#include "bin/sync_commands.hpp"
#include "sync/event.hpp"

namespace mp::tools::sync {

int event_command(const std::string& name, const std::string& action, const Wait& wait,
                  const mp::sync::Access& access) {
    mp::sync::Event event = mp::sync::Event::open(name, access);
    if (action == "set") {
        event.set();
    } else if (action == "clear") {
        event.clear();
    } else if (wait.nonblock) {
        return event.is_set() ? 0 : kExitBusy;
    } else if (wait.timeout) {
        if (!event.wait_for(*wait.timeout)) return kExitBusy;
    } else {
        event.wait();
    }
    return 0;
}

}  // namespace mp::tools::sync

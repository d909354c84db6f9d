// `bin/sync event`, `barrier`, `ls` and `rm`: the named objects from the shell.
#include <cstdio>
#include <string>

#include "bin/cli/cli.hpp"
#include "bin/sync_commands.hpp"
#include "sync/barrier.hpp"
#include "sync/errors.hpp"
#include "sync/event.hpp"
#include "sync/named.hpp"

namespace mp::tools::sync {

int event_command(const std::string& name, const std::string& action, const Wait& wait) {
    mp::sync::Event event = mp::sync::Event::open(name);
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

int barrier_command(const std::string& name, unsigned parties, const Wait& wait) {
    mp::sync::Barrier barrier = mp::sync::Barrier::open(name, parties);
    try {
        const std::uint32_t index = wait.timeout ? barrier.wait_for(*wait.timeout) : barrier.wait();
        std::printf("%u\n", index);
        return 0;
    } catch (const mp::sync::BrokenBarrierError&) {
        cli::print_error(kProgram, "barrier " + name + " is broken (timed out, aborted or lost a party); "
                                   "`sync rm " + name + "` starts afresh");
        return kExitBusy;
    }
}

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

// `bin/sync barrier NAME -n PARTIES`: a named Barrier from the shell.
#include <cstdio>
#include <string>

#include "bin/cli/cli.hpp"
#include "bin/sync_commands.hpp"
#include "sync/barrier.hpp"
#include "sync/errors.hpp"

namespace mp::tools::sync {

int barrier_command(const std::string& name, unsigned parties, const Wait& wait, const mp::sync::Access& access) {
    mp::sync::Barrier barrier = mp::sync::Barrier::open(name, parties, access);
    try {
        const std::uint32_t index = wait.timeout ? barrier.wait(*wait.timeout) : barrier.wait();
        std::printf("%u\n", index);
        return 0;
    } catch (const mp::sync::BrokenBarrierError&) {
        cli::print_error(kProgram, "barrier " + name + " is broken (timed out, aborted or lost a party); "
                                   "`sync rm " + name + "` starts afresh");
        return kExitBusy;
    }
}

}  // namespace mp::tools::sync

// bin/subproc pipe: a pipeline without a shell.
#include <signal.h>

#include <string>
#include <vector>

#include "bin/cli/cli.hpp"
#include "bin/subproc_commands.hpp"
#include "subproc/subproc.hpp"

namespace mp::subproc::cli {

int pipe_command(const PipeArgs& pipe) {
    // The stages run in our process group, as a shell's pipeline job: the terminal's
    // Ctrl-C reaches them directly and a stage may read the terminal.
    block_forwarded_signals();
    try {
        Pipeline job(pipe.stages, {.group = Group::inherit()});
        forward_signals_to(job.pids());
        const PipelineResult result = job.communicate();
        forward_signals_to({});
        return shell_status(pipe.pipefail ? result.returncode() : result.last_returncode());
    } catch (const SpawnError& e) {
        mp::cli::print_error(kProgram, e.what());
        return e.step() != "exec" ? 1 : e.code().value() == ENOENT ? 127 : 126;
    } catch (const std::exception& e) {
        mp::cli::print_error(kProgram, e.what());
        return 1;
    }
}

}  // namespace mp::subproc::cli

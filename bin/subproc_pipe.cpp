// bin/subproc pipe: a pipeline without a shell.
#include <signal.h>

#include <memory>
#include <optional>
#include <vector>

#include "bin/cli/children.hpp"
#include "bin/cli/cli.hpp"
#include "bin/cli/exit_status.hpp"
#include "bin/cli/main.hpp"
#include "bin/subproc_commands.hpp"
#include "subproc/subproc.hpp"

namespace mp::tools::subproc {

using namespace mp::subproc;

int pipe_command(const PipeArgs& pipe) {
    try {
        // The stages run in our process group, as a shell's pipeline job: the terminal's
        // Ctrl-C reaches them directly and a stage may read the terminal.
        std::optional<Pipeline> job;
        std::vector<std::unique_ptr<cli::ChildRegistration>> forwarding;
        {
            const cli::SignalHold hold;
            job.emplace(pipe.stages, Options{.group = Group::inherit()});
            for (const pid_t pid : job->pids())
                forwarding.push_back(std::make_unique<cli::ChildRegistration>(pid, cli::OnSignal::forward));
        }
        const PipelineResult result = job->communicate();
        return cli::shell_status(pipe.pipefail ? result.returncode() : result.last_returncode());
    } catch (const SpawnError& e) {
        cli::print_error(kProgram, cli::error_text(e));
        return cli::spawn_failure_status(e, 1);
    } catch (const std::exception& e) {
        cli::print_error(kProgram, cli::error_text(e));
        return 1;
    }
}

}  // namespace mp::tools::subproc

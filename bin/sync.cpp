// bin/sync: process-shared locks, semaphores, events and barriers for shell
// scripts, by name. See `bin/sync --help`.
#include <cstdio>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include "bin/cli/main.hpp"
#include "bin/sync_args.hpp"
#include "bin/sync_commands.hpp"

namespace {

using namespace mp::tools::sync;

constexpr const char* kHelp = R"(usage: sync COMMAND ...

Named, process-shared synchronization for shell scripts. A holder that dies (even
by SIGKILL) never wedges the others: its lock or slot is taken back.

  sync lock NAME [-n | -w SEC] [-E CODE] [ACCESS] [--] CMD [ARG...]
        run CMD while holding lock NAME (like flock)
  sync sem NAME -j N [-n | -w SEC] [-E CODE] [ACCESS] [--] CMD [ARG...]
        run CMD holding one of N slots of semaphore NAME: at most N such CMDs
        run at once, system-wide (like GNU sem, at flock's cost)
  sync event NAME set|clear|wait [-n | -w SEC] [ACCESS]
  sync barrier NAME -n PARTIES [-w SEC] [ACCESS]
        wait until PARTIES processes have arrived; prints the arrival index
  sync ls                    our named objects: kind, state, holders (dead ones marked)
  sync rm NAME...            delete the names
  sync tour                  the classic multiprocessing examples, live

options (before NAME too, as flock takes them: sync lock -w 5 NAME CMD):
  -n, --nonblock             do not wait: busy means exit 75 at once
  -w, --wait, --timeout SEC  wait at most SEC (fractions and s/m/h/ms units allowed)
  -E, --conflict-exit-code CODE   exit with CODE instead of 75 when busy
  -j, --jobs N               the semaphore's number of slots

ACCESS (who may use the object; see Security in sync/README.md):
  --mode MODE                create it with octal MODE (default 600: only you);
                             an existing one with a wider mode is refused
  --allow-other-owner        accept an object another user created

exit status: CMD's status; 128+N when CMD died of signal N; 127 when CMD was not
found, 126 when it could not be run; 75 (or CODE) when the lock, slot, event or
barrier could not be had in time (or the barrier broke); 2 on a usage error; 1
when sync itself failed.
An object another user owns, or with a wider mode than --mode, is refused (exit 1),
and `sync rm` never removes another user's object.
SIGINT/SIGTERM/SIGHUP/SIGQUIT sent to sync are passed on to CMD; the lock or slot
is released however sync ends. Names: 1-200 of [A-Za-z0-9._-], not starting with
'-' (an option), in /dev/shm as mp-sync-NAME.
)";

// Runs a parsed command; returns the exit code.
int run(const Command& command) {
    if (const auto* lock = std::get_if<LockRun>(&command)) return run_under_lock(lock->options);
    if (const auto* sem = std::get_if<SemaphoreRun>(&command))
        return run_under_semaphore(sem->options, sem->slots);
    if (const auto* event = std::get_if<EventAction>(&command))
        return event_command(event->name, event->action, event->wait, event->access);
    if (const auto* barrier = std::get_if<BarrierWait>(&command))
        return barrier_command(barrier->name, barrier->parties, barrier->wait, barrier->access);
    if (const auto* remove = std::get_if<Remove>(&command)) return remove_command(remove->names);
    if (std::holds_alternative<List>(command)) return list_command();
    return tour_command();
}

}  // namespace

int main(int argc, char** argv) {
    return mp::cli::run_parsed(argc, argv,
                               {.name = kProgram, .usage = kHelp, .usage_exit = kExitUsage, .error_exit = kExitError, .see_help = true},
                               parse_args, [](const Command& command) {
                                   try {
                                       return run(command);
                                   } catch (const std::invalid_argument& e) {  // bad name, or a name of another kind
                                       throw mp::cli::UsageError(e.what());
                                   }
                               });
}

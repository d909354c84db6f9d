// current_process() and parent_process(): Python's multiprocessing.current_process()
// and parent_process(), as values.
//
//   mp::pool::ProcessInfo me = mp::pool::current_process();
//   std::printf("%s %d\n", me.name.c_str(), static_cast<int>(me.pid));   // "MainProcess 1234"
//   if (auto parent = mp::pool::parent_process()) std::printf("child of %d\n", static_cast<int>(parent->pid));
//
// Names, as Python gives them:
// - "MainProcess" in the program as started;
// - "Process-N" in the child of a Process, N counting the Processes constructed by
//   the parent, from 1; nested ones join the numbers with ':' ("Process-1:2" is the
//   second Process made by Process-1's child). A Process given a name with
//   set_name() before start() carries that name instead; its number still makes
//   its children's names.
// - "ForkPoolWorker-N" in a worker of a Pool (and of an Executor), N counting the
//   pool's workers from 1 over its lifetime: a worker that replaces a dead one, or
//   one retired by maxtasksperchild, gets the next number. (Python's counter is one
//   per process, shared with Process; here each pool counts its own.)
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

namespace mp::pool {

// A process as multiprocessing describes it. A value of the moment it was asked.
struct ProcessInfo {
    std::string name;
    pid_t pid = 0;
    // Python's ident, the same as pid.
    pid_t ident() const noexcept { return pid; }
};

// This process: its name (see above) and getpid().
ProcessInfo current_process();

// The process that started this one: nullopt in the program as started; in a
// Process child, the parent's name and pid; in a pool worker, the process that
// made the pool (even when a replacement worker was forked by the pool's fork
// server). The pid is the one the parent had at start(); the parent may have
// exited since.
std::optional<ProcessInfo> parent_process();

}  // namespace mp::pool

// Private: starting one worker process. The pool starts its first workers with it,
// the fork server every replacement; both then hold the pool's ends of the worker's
// channel.
#pragma once

#include <sys/types.h>

#include <functional>
#include <vector>

#include "ipc/fd.hpp"

namespace mp::pool::internal {

// A worker's ends of its channel: it reads tasks from a pipe and writes results to
// a socket; and its number in the pool (1, 2, ... over the pool's lifetime), which
// names it ("ForkPoolWorker-N").
struct WorkerChannel {
    int tasks;
    int results;
    int number;
};

// The pool's ends of a worker's channel: a socket it reads results from (the pool
// can shut its read side down to end a read blocked on a worker that died), and a
// pipe it writes tasks to (a pipe's wake-ups cost about half a socket's on Linux).
struct PoolEnds {
    ipc::Fd results;
    ipc::Fd tasks;
};

struct StartedWorker {
    pid_t pid;
    PoolEnds ends;
};

// Makes the channel of worker `number`, flushes stdio and forks. The child closes
// the pool's ends, runs `prepare` (to drop what a worker must not hold), then
// `worker_main`, which must not return. Returns the child's pid and the pool's ends; the caller
// must reap the child. Throws std::system_error naming the failed call, leaving no
// fd and no child behind.
StartedWorker start_worker(int number, const std::function<void(WorkerChannel)>& prepare,
                           const std::function<void(WorkerChannel)>& worker_main);

// Closes every fd except 0-2 and `keep` (in a child about to become a worker or the
// fork server: it holds only what it was meant to).
void close_all_but(std::vector<int> keep);

}  // namespace mp::pool::internal

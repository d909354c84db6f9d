// Private: the fork server. A pool forks it once, at construction, before starting
// any thread of its own; every replacement worker is forked by this single-threaded
// process, never by the multi-threaded pool process, so it is a copy of the program
// as it was when the pool was made, like the first workers. (Where the pool cannot
// reap by pidfd, the server forks the first workers too.) It reaps the workers it
// forked and reports each exit with its wait status, so the pool learns how a
// worker died.
//
// The server keeps only stdin/stdout/stderr, its control socket, the fds the pool
// was asked to pass and pidfds of the first workers: workers never hold another
// pool's channels or unrelated pipes. It exits when its control socket closes (the
// pool shut down, or died), killing any worker still alive, the first ones too: a
// pool never leaves orphans; or, once retired, when its last worker is reaped.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <optional>
#include <vector>

#include "ipc/connection.hpp"
#include "pool/internal/worker_start.hpp"

namespace mp::pool::internal {

class ForkServer {
public:
    // What the server reports; read with next_event().
    struct Event {
        enum Kind { kSpawned, kExited } kind;
        pid_t pid;  // kSpawned: minus errno when the worker could not be started
        // kSpawned: the worker's channel; empty when it was lost in transit (fd
        // limit): a failed start
        std::optional<PoolEnds> channel;
        int status = 0;  // kExited: the wait status
    };

    // Forks the server, which at once forks `initial_workers` workers. Each worker
    // runs `worker_main(its ends of the channel)`, which must not return. The
    // server numbers the workers it forks from `first_number` on.
    // `worker_main` is called in the forked copies, so it may refer to anything alive
    // now. `first_workers`: pidfds of workers the pool forked itself, which the
    // server kills if the pool goes away without retiring it (the server keeps
    // copies; the pool keeps its own).
    ForkServer(int initial_workers, int first_number, std::function<void(WorkerChannel)> worker_main,
               std::vector<int> pass_fds,
               const std::vector<int>& first_workers);
    ~ForkServer();
    ForkServer(const ForkServer&) = delete;
    ForkServer& operator=(const ForkServer&) = delete;

    // The control socket, readable when an event is waiting (poll it). Events may
    // also wait in the connection's buffer: call next_event until it is empty.
    int fd() const { return control_.fileno(); }
    // Reads one event without blocking; empty when none is waiting. `closed` is set
    // when the server is gone (it died, or was shut down).
    std::optional<Event> next_event(bool& closed);

    // Asks for one more worker (answered by a kSpawned event).
    void spawn();
    // Sends `signal` to every worker still alive.
    void signal_all(int signal);
    // Promises that no spawn() follows: the server exits as soon as its last worker
    // is reaped (after reporting it), without waiting for shutdown(). Lets the
    // server's exit overlap the pool's own winding down.
    // spawn, signal_all and retire write the control socket: one thread at a time.
    void retire();

    // Closes the control socket; the server kills and reaps any worker left and
    // exits. Waits for that at most `grace`, then SIGKILLs the server; always reaps
    // it (or finds the kernel did, with SIGCHLD ignored). Idempotent.
    void shutdown(std::chrono::milliseconds grace);

private:
    void send_command(int kind, int value);
    // The descriptor frames that follow a kSpawned message; empty when one was lost.
    std::optional<PoolEnds> receive_channel();

    pid_t pid_ = -1;
    int pidfd_ = -1;
    ipc::Connection control_;
};

}  // namespace mp::pool::internal

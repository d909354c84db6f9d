#include "pool/internal/worker_start.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <system_error>

#include "pool/internal/child.hpp"
#include "sync/internal/os_error.hpp"

namespace mp::pool::internal {

namespace {

using sync::internal::throw_errno;

}  // namespace

StartedWorker start_worker(int number, const std::function<void(WorkerChannel)>& prepare,
                           const std::function<void(WorkerChannel)>& worker_main) {
    int results[2], tasks[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, results) != 0) throw_errno("socketpair(pool worker)");
    ipc::Fd pool_results(results[0]), worker_results(results[1]);
    if (pipe2(tasks, O_CLOEXEC) != 0) throw_errno("pipe2(pool worker)");
    ipc::Fd worker_tasks(tasks[0]), pool_tasks(tasks[1]);
    const pid_t pid = fork_flushed();
    if (pid == 0) {
        pool_results.reset();
        pool_tasks.reset();
        const WorkerChannel channel{
            .tasks = worker_tasks.release(), .results = worker_results.release(), .number = number};
        prepare(channel);
        worker_main(channel);
        exit_child(70);  // worker_main must not return
    }
    return {pid, {std::move(pool_results), std::move(pool_tasks)}};
}

void close_all_but(std::vector<int> keep) {
    keep.push_back(2);
    std::sort(keep.begin(), keep.end());
    int from = 3;
    for (int fd : keep) {
        if (fd >= from) {
            if (fd > from) close_range(static_cast<unsigned>(from), static_cast<unsigned>(fd - 1), 0);
            from = fd + 1;
        }
    }
    close_range(static_cast<unsigned>(from), ~0u, 0);
}

}  // namespace mp::pool::internal

// Core, the worker side: starting the workers and the fork server, the code a
// worker runs, recording workers, and handling their exits (core.hpp says how the
// parts fit; core_worker.hpp lists a worker's states).
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <stdexcept>
#include <system_error>

#include "pool/errors.hpp"
#include "pool/internal/child.hpp"
#include "pool/internal/core.hpp"
#include "pool/internal/core_worker.hpp"
#include "pool/internal/identity.hpp"
#include "pool/internal/remote_exception.hpp"

namespace mp::pool::internal {

Core::Core(CoreOptions options) : options_(std::move(options)) {
    if (options_.processes < 1) throw std::invalid_argument("pool: Pool: processes must be at least 1");
    if (options_.maxtasksperchild < 0) throw std::invalid_argument("pool: Pool: maxtasksperchild must be >= 0");
    int wake[2];
    if (pipe2(wake, O_CLOEXEC | O_NONBLOCK) != 0) throw std::system_error(errno, std::generic_category(), "pipe2(pool wake)");
    wake_read_ = wake[0];
    wake_write_ = wake[1];
    try {
        start_workers();
        result_thread_ = std::thread([this] { loop(); });
    } catch (...) {
        server_.reset();  // kills and reaps the workers it forked, and itself
        stop_children();
        ::close(wake_read_);
        ::close(wake_write_);
        throw;
    }
    if (options_.initializer) wait_ready();
}

Core::~Core() {
    terminate();
    ::close(wake_read_);
    ::close(wake_write_);
}

namespace {

// Whether this process can fork the first workers and reap them itself: it must
// learn of their exits without a SIGCHLD handler or a timer (a pidfd: Linux >= 5.3),
// and SIGCHLD must not be ignored (the kernel would reap them, status and all).
bool can_reap_first_workers() {
    struct sigaction chld {};
    if (sigaction(SIGCHLD, nullptr, &chld) != 0) return false;
    if ((chld.sa_flags & SA_SIGINFO) == 0 && chld.sa_handler == SIG_IGN) return false;
    if ((chld.sa_flags & SA_NOCLDWAIT) != 0) return false;
    const int probe = open_pidfd(getpid());
    if (probe < 0) return false;
    ::close(probe);
    return true;
}

}  // namespace

// Every process is forked here, before the result thread exists: the first workers
// and the fork server are copies of a process in which no thread of ours holds a
// lock. Forking the first workers from this thread rather than from the server
// takes the same snapshot (a worker the server forks copies the server's copy of
// this process) and is quicker: a worker exists after one fork instead of two in a
// row, nobody waits for the server's reports, and join() does not wait for the
// server to reap the workers and then exit.
void Core::start_workers() {
    const bool direct = can_reap_first_workers();
    if (direct) fork_first_workers();
    std::vector<int> first_workers;
    for (const Child& child : children_) first_workers.push_back(child.pidfd);
    // Workers are numbered from 1 over the pool's lifetime: the first ones 1..n
    // wherever they are forked, every replacement the next number.
    server_ = std::make_unique<ForkServer>(
        direct ? 0 : options_.processes, direct ? options_.processes + 1 : 1,
        [this](WorkerChannel channel) { worker_main(channel); }, options_.pass_fds, first_workers);
    if (direct) return;
    pending_spawns_ = options_.processes;
    await_first_workers();
}

void Core::fork_first_workers() {
    for (int i = 0; i < options_.processes; ++i) {
        StartedWorker worker = start_worker(
            i + 1,
            [this](WorkerChannel channel) {
                // Only the fds the fork server would have left it.
                std::vector<int> keep = options_.pass_fds;
                keep.push_back(channel.tasks);
                keep.push_back(channel.results);
                close_all_but(std::move(keep));
            },
            [this](WorkerChannel channel) { worker_main(channel); });
        const int pidfd = open_pidfd(worker.pid);
        if (pidfd < 0) {
            const int error = errno;
            kill(worker.pid, SIGKILL);
            wait_for_exit(worker.pid, -1, std::nullopt);
            throw std::system_error(error, std::generic_category(), "pidfd_open(pool worker)");
        }
        std::lock_guard lock(mutex_);
        children_.push_back({worker.pid, pidfd});
        add_worker(worker.pid, std::move(worker.ends));
    }
}

// Kills the first workers not reaped yet and reaps them: the end of the pool (they
// have hung up by then, or are abandoned), or of a constructor that failed.
void Core::stop_children() {
    std::vector<Child> left;
    {
        std::lock_guard lock(mutex_);
        left.swap(children_);
    }
    for (const Child& child : left) {
        signal_pidfd(child.pidfd, SIGKILL);  // by pidfd: a waitpid(-1) elsewhere may have reaped it
        try {
            wait_for_exit(child.pid, child.pidfd, std::nullopt);
        } catch (const std::system_error&) {
            // Reaped behind our back (as in reap_child): nothing is left.
        }
        ::close(child.pidfd);
    }
}

// Reads the fork server's reports of the first workers on this thread, before the
// result thread exists: a first blocking apply then finds a worker to lend itself
// (no hop through the result thread), as CPython's Pool() has its workers on return.
// Bounded: the server answers every spawn, or its death ends the wait.
void Core::await_first_workers() {
    std::vector<Finish> finished;  // stays empty: there is no task yet
    while (pending_spawns_ > 0 && server_open_) {
        pollfd entry{server_->fd(), POLLIN, 0};
        if (poll(&entry, 1, -1) < 0 && errno != EINTR) break;  // cannot happen with a valid fd; the result thread reads on
        handle_events(finished);
    }
}

void Core::wait_ready() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return ready_workers_ >= options_.processes || broken_ || done_; });
    if (!broken_) return;
    const std::string reason = *broken_;
    lock.unlock();
    terminate();
    ::close(wake_read_);
    ::close(wake_write_);
    throw BrokenPool(reason);
}

void Core::worker_main(WorkerChannel channel) {
    const std::string identity = child_identity(channel.number);
    become_child("ForkPoolWorker-" + identity, identity, owner_pid_);
    int code = 0;
    try {
        Channel pool(ipc::Fd(channel.results), ipc::Fd(channel.tasks));
        if (options_.initializer) {
            try {
                options_.initializer();
            } catch (...) {
                const ExceptionText error = current_exception_text();
                pool.results.send_bytes(simple_message(MessageKind::kInitFailed, error.type_name + ": " + error.message));
                std::fflush(nullptr);
                exit_child(1);
            }
            // Only an initializer's end is news: without one a worker is ready as
            // soon as it exists, and a message would only wake the result thread.
            pool.results.send_bytes(simple_message(MessageKind::kReady));
        }
        // Both buffers live as long as the worker: a big chunk's pages are touched
        // once, not once per task.
        Bytes task, result;
        int tasks_done = 0;
        for (;;) {
            pool.tasks.recv_bytes_into(task);
            if (kind_of(task) != MessageKind::kTask && kind_of(task) != MessageKind::kTaskWithFds) break;
            const TaskHeader header = TaskHeader::read_from(task);
            ResultHeader::start(result, MessageKind::kResult, header.id);
            // The task's descriptors, closed after it unless its arguments took them.
            std::vector<ipc::Fd> fds;
            try {
                if (header.with_fds) fds = pool.results.recv<std::vector<ipc::Fd>>();
                header.runner(std::span(task).subspan(TaskHeader::kSize), fds, result);
            } catch (...) {
                const ExceptionText error = current_exception_text();
                ResultHeader::start(result, MessageKind::kError, header.id);
                ipc::encode_into(result, error.type_name);
                ipc::encode_into(result, error.message);
                ipc::encode_into(result, error.error_code);
                ipc::encode_into(result, error.system_category);
            }
            pool.results.send_bytes(result);
            if (options_.maxtasksperchild > 0 && ++tasks_done >= options_.maxtasksperchild) break;
        }
    } catch (const ipc::EOFError&) {
        // The pool closed the channel (it is gone, or dropped this worker): leave.
    } catch (...) {
        code = 1;  // the channel broke: nothing left to report to
    }
    std::fflush(nullptr);
    exit_child(code);
}


// Records a worker that was just started. Called with the lock held.
void Core::add_worker(pid_t pid, PoolEnds ends) {
    auto worker = std::make_unique<Worker>();
    worker->pid = pid;
    worker->channel = std::make_shared<Channel>(std::move(ends.results), std::move(ends.tasks));
    worker->ready = !options_.initializer;  // else its kReady message says so
    if (terminating_) worker->state = WorkerState::kLeaving;
    workers_[pid] = std::move(worker);
}

// A first worker's pidfd is readable: it exited. Reaps it and handles its exit as
// the fork server's reports of the others.
void Core::reap_child(const Child& child, std::vector<Finish>& finished) {
    std::unique_lock lock(mutex_);  // held while its pidfd is closed: signal_workers uses it
    int status = 0;
    try {
        const std::optional<int> reaped = try_reap(child.pid);
        if (!reaped) return;  // not yet: a readable pidfd says it exited, so this cannot happen
        status = *reaped;
    } catch (const std::system_error&) {
        // Reaped behind our back (a waitpid(-1) elsewhere, or SIGCHLD set to SIG_IGN
        // since): the status is lost, and it counts as a plain exit.
    }
    std::erase_if(children_, [&](const Child& c) { return c.pid == child.pid; });
    ::close(child.pidfd);
    handle_exit(lock, child.pid, status, finished);
}

// Receives messages from the worker, as far as `until` says. A message cut short
// (the worker died while sending it) or an end of stream leaves the worker hung up;
void Core::handle_exit(std::unique_lock<std::mutex>& lock, pid_t pid, int status, std::vector<Finish>& finished) {
    const auto found = workers_.find(pid);
    if (found == workers_.end()) return;
    Worker& worker = *found->second;
    if (worker.reader == Reader::kBorrower) {
        release_borrower(worker, status);  // it reads what the worker sent, then comes back here
        return;
    }
    if (worker.state != WorkerState::kHungUp && worker.channel->results.poll()) {
        // Everything it wrote before dying is in the socket already.
        worker.reader = Reader::kResultThread;
        lock.unlock();
        receive(worker, finished, Until::kSocketEmpty);
        lock.lock();
        worker.reader = Reader::kNobody;
    }
    const bool died_in_initializer = !worker.ready && !broken_ && !terminating_;
    if (worker.held) {
        std::exception_ptr error =
            terminating_ ? error_of<CancelledError>("pool: the pool was terminated while the task ran")
                         : error_of<WorkerDied>(pid, WIFSIGNALED(status) ? WTERMSIG(status) : 0,
                                                WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        finished.push_back({worker.take_result(false), {{}, error}});
    }
    workers_.erase(found);
    if (died_in_initializer && options_.initializer) {
        mark_broken("pool: worker " + std::to_string(pid) + " died in its initializer: " +
                        (WIFSIGNALED(status) ? "signal " + std::to_string(WTERMSIG(status))
                                             : "exit code " + std::to_string(WEXITSTATUS(status))),
                    finished);
    }
    const bool wanted = !terminating_ && !broken_ && server_open_ && (!closed_ || !queue_.empty() || feeding_ != 0);
    if (wanted && static_cast<int>(workers_.size()) + pending_spawns_ < options_.processes) {
        ++pending_spawns_;
        server_->spawn();
    }
}

// A borrowed worker's exit was reported: the borrower handles it. Shutting the
// channel's read side wakes the borrower's blocking read once it has read whatever
// the worker sent.
void Core::release_borrower(Worker& worker, int status) {
    worker.exited_while_lent(status);
    ::shutdown(worker.channel->results.fileno(), SHUT_RD);
}

void Core::signal_workers(int signal) {
    std::lock_guard lock(mutex_);
    if (server_open_) server_->signal_all(signal);
    for (const Child& child : children_) signal_pidfd(child.pidfd, signal);
}


}  // namespace mp::pool::internal

#include "pool/internal/core.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <system_error>

#include "pool/async_result.hpp"
#include "pool/errors.hpp"
#include "ipc/connection.hpp"
#include "pool/internal/child.hpp"
#include "pool/internal/remote_exception.hpp"
#include "pool/internal/stream_end.hpp"
#include "sync/internal/cv_wait.hpp"

namespace mp::pool::internal {

namespace {

thread_local const Core* current_result_thread_core = nullptr;

// How long terminate() lets workers react to SIGTERM before SIGKILL, and how long
// it then waits for the fork server to report the kills.
constexpr auto kTermGrace = std::chrono::milliseconds(1000);
constexpr auto kKillGrace = std::chrono::milliseconds(3000);
// Both ends of a channel are the same program: only a corrupted stream could
// announce a frame this large.
constexpr std::size_t kMaxMessage = std::size_t{1} << 40;

template <class Error, class... Args>
std::exception_ptr error_of(Args&&... args) {
    return std::make_exception_ptr(Error(std::forward<Args>(args)...));
}

}  // namespace

// The pool's ends of a worker's channel. Shared with a submitting thread that is
// writing to it, so a worker reaped meanwhile never has its fds closed (and reused)
// under that write.
struct Core::Channel {
    Channel(ipc::Fd results_end, ipc::Fd tasks_end) : results(std::move(results_end)), tasks(std::move(tasks_end)) {
        results.set_max_message_size(kMaxMessage);
        tasks.set_max_message_size(kMaxMessage);
    }
    ipc::Connection results;  // a socket; the result thread, or a borrower, receives
    ipc::Connection tasks;    // a pipe; one submitter at a time sends
};

struct Core::Worker {
    pid_t pid;
    std::shared_ptr<Channel> channel;
    std::optional<std::pair<std::uint64_t, Completion>> held;  // the task it runs
    int tasks_done = 0;
    std::uint64_t last_given = 0;  // when it was last given a task (a task-id clock)
    bool ready = false;
    bool leaving = false;  // told to stop, or retiring after maxtasksperchild
    bool hung_up = false;  // its channel reached EOF; its exit report is due
    // Who may read its channel: the result thread (while `receiving`), or a caller
    // of Core::call that lent itself the worker (while `borrowed`); never both.
    bool receiving = false;
    bool borrowed = false;
    bool watched = false;  // in the result thread's poll set (not while borrowed)
    std::uint64_t lendings = 0;  // how often it was borrowed
    std::optional<int> exit_status;  // reported while borrowed: the borrower handles it

    bool idle() const { return !held && !leaving && !hung_up && !borrowed && !exit_status; }
};

// A frame to write to a worker outside the lock.
struct Core::Send {
    std::shared_ptr<Channel> channel;
    Bytes message;
};

Core::Core(CoreOptions options) : options_(std::move(options)) {
    if (options_.processes < 1) throw std::invalid_argument("Pool: processes must be at least 1");
    if (options_.maxtasksperchild < 0) throw std::invalid_argument("Pool: maxtasksperchild must be >= 0");
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
    server_ = std::make_unique<ForkServer>(
        direct ? 0 : options_.processes, [this](WorkerChannel channel) { worker_main(channel); }, options_.pass_fds,
        first_workers);
    if (direct) return;
    pending_spawns_ = options_.processes;
    await_first_workers();
}

void Core::fork_first_workers() {
    for (int i = 0; i < options_.processes; ++i) {
        StartedWorker worker = start_worker(
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

// ---------------------------------------------------------------- the worker side

void Core::worker_main(WorkerChannel channel) {
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
            if (kind_of(task) != MessageKind::kTask) break;
            const TaskHeader header = TaskHeader::read_from(task);
            ResultHeader::start(result, MessageKind::kResult, header.id);
            try {
                header.runner(std::span(task).subspan(TaskHeader::kSize), result);
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

// ---------------------------------------------------------------- the result thread

void Core::loop() {
    current_result_thread_core = this;
    std::vector<pollfd> fds;
    struct Polled {
        pid_t pid;
        std::uint64_t lendings;
    };
    std::vector<Polled> polled;
    std::vector<Child> children;
    for (;;) {
        polled.clear();
        {
            std::lock_guard lock(mutex_);
            // A fork server that left (retired while the first workers wind down)
            // stays at end of stream: polled no more (poll skips a negative fd).
            fds.assign({{wake_read_, POLLIN, 0}, {server_open_ ? server_->fd() : -1, POLLIN, 0}});
            for (auto& [pid, worker] : workers_) {
                worker->watched = !worker->hung_up && !worker->borrowed;
                if (!worker->watched) continue;
                fds.push_back({worker->channel->results.fileno(), POLLIN, 0});
                polled.push_back({pid, worker->lendings});
            }
            // After the channels: their pidfds, readable once they exited.
            children = children_;
            for (const Child& child : children) fds.push_back({child.pidfd, POLLIN, 0});
        }
        if (poll(fds.data(), fds.size(), -1) < 0 && errno != EINTR)
            std::perror("pool: poll");  // cannot happen with valid fds; keep the loop alive

        if (fds[0].revents != 0) {
            char drain[64];
            while (read(wake_read_, drain, sizeof drain) > 0) {
            }
        }
        std::vector<Finish> finished;
        // Worker channels first: a result already sent must win over the exit report.
        for (std::size_t i = 0; i < polled.size(); ++i) {
            if (fds[i + 2].revents == 0) continue;
            Worker* ready = nullptr;
            {
                std::lock_guard lock(mutex_);
                // A worker lent out since the poll began may be gone, and what woke
                // the poll was its answer to the borrower, who read it: a read here
                // could wait for a message that never comes. Its next poll tells.
                const auto found = workers_.find(polled[i].pid);
                if (found == workers_.end() || found->second->borrowed || found->second->lendings != polled[i].lendings)
                    continue;
                ready = found->second.get();
                ready->receiving = true;
            }
            Worker& worker = *ready;
            // A hang-up with nothing left to read: the worker closed its end, so it
            // is leaving. Noted without a read (which would throw EOFError).
            const bool ended = (fds[i + 2].revents & POLLHUP) != 0 && at_end_of_stream(worker.channel->results);
            // Only what was read ahead: the rest (if any) keeps the fd readable for
            // the next poll, which saves a poll per message.
            if (!ended) receive(worker, finished, Until::kReadAhead);
            std::lock_guard lock(mutex_);
            worker.receiving = false;
            if (ended) worker.hung_up = true;
        }
        if (fds[1].revents != 0) handle_events(finished);
        for (std::size_t i = 0; i < children.size(); ++i)
            if (fds[2 + polled.size() + i].revents != 0) reap_child(children[i], finished);
        bool done;
        std::vector<Send> sends;
        {
            std::lock_guard lock(mutex_);
            sends = schedule();
            for (Finish& finish : handed_over_) finished.push_back(std::move(finish));
            handed_over_.clear();
            done = finished_locked();
        }
        perform(sends);
        complete(finished);
        if (done) break;
    }
    {
        // Closed for terminate() first: it must not signal through a closing socket.
        std::lock_guard lock(mutex_);
        server_open_ = false;
    }
    server_->shutdown(kKillGrace);
    stop_children();
    std::lock_guard lock(mutex_);
    workers_.clear();
    done_ = true;
    changed_.notify_all();
}

// Reads the fork server's reports. A server that died breaks the pool.
void Core::handle_events(std::vector<Finish>& finished) {
    for (;;) {
        bool closed = false;
        std::optional<ForkServer::Event> event = server_->next_event(closed);
        std::unique_lock lock(mutex_);
        if (closed) {
            if (server_retired_) {
                server_open_ = false;  // it left as promised, after reporting every worker
                return;
            }
            if (server_open_ && !done_) {
                server_open_ = false;
                mark_broken("the pool's fork server died", finished);
                for (auto next = workers_.begin(); next != workers_.end();) {
                    Worker& worker = *next->second;
                    if (worker.held)
                        finished.push_back({std::move(worker.held->second), {{}, error_of<BrokenPool>("the pool's fork server died")}});
                    worker.held.reset();
                    if (worker.borrowed) {
                        release_borrower(worker, 0);
                        ++next;
                    } else {
                        next = workers_.erase(next);  // closing the channel makes an orphaned worker exit
                    }
                }
                pending_spawns_ = 0;
            }
            return;
        }
        if (!event) return;
        if (event->kind == ForkServer::Event::kExited) {
            handle_exit(lock, event->pid, event->status, finished);
            continue;
        }
        if (pending_spawns_ > 0) --pending_spawns_;
        changed_.notify_all();
        if (event->pid <= 0 || !event->channel) {
            // fork failed (EAGAIN...), or the worker's channel could not be received
            // (this process is at its fd limit; the worker sees its peer closed and
            // exits): carry on with fewer workers, unless none is left.
            const int error = event->pid <= 0 ? -event->pid : EMFILE;
            if (workers_.empty() && pending_spawns_ == 0)
                mark_broken(std::string("cannot start a worker: ") + std::strerror(error), finished);
            continue;
        }
        add_worker(event->pid, std::move(*event->channel));
    }
}

// Records a worker that was just started. Called with the lock held.
void Core::add_worker(pid_t pid, PoolEnds ends) {
    auto worker = std::make_unique<Worker>();
    worker->pid = pid;
    worker->channel = std::make_shared<Channel>(std::move(ends.results), std::move(ends.tasks));
    worker->ready = !options_.initializer;  // else its kReady message says so
    worker->leaving = terminating_;
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
// its exit report is then on its way.
void Core::receive(Worker& worker, std::vector<Finish>& finished, Until until) {
    ipc::Connection& connection = worker.channel->results;
    try {
        for (;;) {
            if (until == Until::kSocketEmpty && at_end_of_stream(connection)) {
                std::lock_guard lock(mutex_);
                worker.hung_up = true;
                return;
            }
            Bytes message;
            connection.recv_bytes_into(message);
            std::lock_guard lock(mutex_);
            handle_message(worker, message, finished);
            const bool more = until == Until::kTaskDone ? worker.held.has_value()
                              : until == Until::kReadAhead ? connection.has_buffered_input()
                                                           : connection.poll();
            if (!more) break;
        }
    } catch (const std::exception&) {
        std::lock_guard lock(mutex_);
        worker.hung_up = true;
    }
}

void Core::handle_message(Worker& worker, Bytes& message, std::vector<Finish>& finished) {
    try {
        const MessageKind kind = kind_of(message);
        if (kind == MessageKind::kReady) {
            worker.ready = true;
            ++ready_workers_;
            changed_.notify_all();
            return;
        }
        if (kind == MessageKind::kInitFailed) {
            const std::string reason = "initializer failed in worker " + std::to_string(worker.pid) + ": " +
                                       ipc::decode<std::string>(std::span(message).subspan(1));
            mark_broken(reason, finished);
            if (worker.held) finished.push_back({std::move(worker.held->second), {{}, error_of<BrokenPool>(reason)}});
            worker.held.reset();
            worker.leaving = true;
            return;
        }
        if (message.size() < ResultHeader::kSize || (kind != MessageKind::kResult && kind != MessageKind::kError))
            throw std::runtime_error("malformed message");
        if (!worker.held || worker.held->first != ResultHeader::id_of(message)) return;  // not its task: ignore
        Outcome outcome;
        if (kind == MessageKind::kResult) {
            outcome.message = std::move(message);
        } else {
            ipc::Decoder in{std::span<const std::byte>(message).subspan(ResultHeader::kSize)};
            ExceptionText text;
            in.read(text.type_name);
            in.read(text.message);
            in.read(text.error_code);
            in.read(text.system_category);
            in.finish();
            outcome.error = rebuild_exception(text, worker.pid);
        }
        finished.push_back({std::move(worker.held->second), std::move(outcome)});
        worker.held.reset();
        if (options_.maxtasksperchild > 0 && ++worker.tasks_done >= options_.maxtasksperchild) worker.leaving = true;
    } catch (const std::exception&) {
        // A malformed message can only come from a worker whose memory a task
        // corrupted: it is beyond trust, so it is killed and replaced.
        worker.leaving = true;
        kill(worker.pid, SIGKILL);
    }
}

void Core::handle_exit(std::unique_lock<std::mutex>& lock, pid_t pid, int status, std::vector<Finish>& finished) {
    const auto found = workers_.find(pid);
    if (found == workers_.end()) return;
    Worker& worker = *found->second;
    if (worker.borrowed) {
        release_borrower(worker, status);  // it reads what the worker sent, then comes back here
        return;
    }
    if (!worker.hung_up && worker.channel->results.poll()) {
        // Everything it wrote before dying is in the socket already.
        worker.receiving = true;
        lock.unlock();
        receive(worker, finished, Until::kSocketEmpty);
        lock.lock();
        worker.receiving = false;
    }
    const bool died_in_initializer = !worker.ready && !broken_ && !terminating_;
    if (worker.held) {
        std::exception_ptr error =
            terminating_ ? error_of<CancelledError>("the pool was terminated while the task ran")
                         : error_of<WorkerDied>(pid, WIFSIGNALED(status) ? WTERMSIG(status) : 0,
                                                WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        finished.push_back({std::move(worker.held->second), {{}, error}});
    }
    workers_.erase(found);
    if (died_in_initializer && options_.initializer) {
        mark_broken("worker " + std::to_string(pid) + " died in its initializer: " +
                        (WIFSIGNALED(status) ? "signal " + std::to_string(WTERMSIG(status))
                                             : "exit code " + std::to_string(WEXITSTATUS(status))),
                    finished);
    }
    const bool wanted = !terminating_ && !broken_ && server_open_ && (!closed_ || !queue_.empty());
    if (wanted && static_cast<int>(workers_.size()) + pending_spawns_ < options_.processes) {
        ++pending_spawns_;
        server_->spawn();
    }
}

// A borrowed worker's exit was reported: the borrower handles it. Shutting the
// channel's read side wakes the borrower's blocking read once it has read whatever
// the worker sent.
void Core::release_borrower(Worker& worker, int status) {
    worker.exit_status = status;
    ::shutdown(worker.channel->results.fileno(), SHUT_RD);
}

void Core::fail_queue(std::exception_ptr error, std::vector<Finish>& finished) {
    for (auto& [id, task] : queue_) finished.push_back({std::move(task.done), {{}, error}});
    queue_.clear();
}

void Core::mark_broken(const std::string& reason, std::vector<Finish>& finished) {
    if (broken_) return;
    broken_ = reason;
    fail_queue(error_of<BrokenPool>(reason), finished);
    changed_.notify_all();
}

// Pairs queued tasks with idle workers and stops workers that have nothing left to
// do after close(). Called with the lock held; the writes happen after unlocking.
std::vector<Core::Send> Core::schedule() {
    std::vector<Send> sends;
    const bool winding_down = closed_ || broken_ || terminating_;
    if (!winding_down && queue_.empty()) return sends;
    // Idle workers, least recently given a task first, so that work spreads over
    // every worker (and maxtasksperchild retires them evenly).
    std::vector<Worker*> idle;
    for (auto& [pid, worker] : workers_)
        if (worker->idle()) idle.push_back(worker.get());
    std::sort(idle.begin(), idle.end(), [](const Worker* a, const Worker* b) { return a->last_given < b->last_given; });
    for (Worker* worker : idle) {
        if (!queue_.empty() && !terminating_) {
            auto [id, task] = std::move(queue_.front());
            queue_.pop_front();
            worker->last_given = id;
            worker->held.emplace(id, std::move(task.done));
            TaskHeader{id, task.runner}.write_into(task.message);
            sends.push_back({worker->channel, std::move(task.message)});
            if (!worker->watched) wake();  // lent out lately: the result thread must watch it again
        } else if (closed_ || broken_ || terminating_) {
            worker->leaving = true;
            sends.push_back({worker->channel, simple_message(MessageKind::kStop)});
        }
    }
    retire_server_when_idle();
    return sends;
}

// After close(), once nothing is queued or running, no worker will ever be replaced:
// the fork server may leave as soon as its workers are gone, while the result
// thread winds down, instead of after it.
void Core::retire_server_when_idle() {
    if (!closed_ || server_retired_ || !server_open_ || !queue_.empty() || pending_spawns_ != 0) return;
    for (const auto& [pid, worker] : workers_)
        if (worker->held) return;
    server_retired_ = true;
    server_->retire();
}

void Core::complete(std::vector<Finish>& finished) {
    for (Finish& finish : finished) {
        try {
            finish.done(std::move(finish.outcome));
        } catch (...) {
            const ExceptionText error = current_exception_text();
            std::fprintf(stderr, "pool: a result callback threw %s: %s\n", error.type_name.c_str(), error.message.c_str());
        }
    }
    finished.clear();
}

void Core::perform(std::vector<Send>& sends) {
    for (Send& send : sends) {
        try {
            send.channel->tasks.send_bytes(send.message);
        } catch (const std::exception&) {
            // The worker died: its exit report fails the task it was given.
        }
    }
}

// Done when no task is left and every worker is gone, or has hung up owing nothing
// (its exit report adds nothing then: it is reaped when the loop ends, by the fork
// server or by stop_children).
bool Core::finished_locked() const {
    if (!(closed_ || terminating_ || broken_ || !server_open_) || !queue_.empty() || pending_spawns_ != 0) return false;
    for (const auto& [pid, worker] : workers_)
        if (!worker->hung_up || worker->held) return false;
    return true;
}

void Core::wake() { (void)!write(wake_write_, "", 1); }

// ---------------------------------------------------------------- the user side

void Core::submit(std::vector<TaskSpec> tasks) {
    std::vector<Send> sends;
    {
        std::lock_guard lock(mutex_);
        if (broken_) throw BrokenPool(*broken_);
        if (closed_ || terminating_) throw std::logic_error("Pool not running");
        for (TaskSpec& task : tasks) queue_.emplace_back(next_id_++, std::move(task));
        sends = schedule();
    }
    perform(sends);
}

void Core::call(TaskSpec task) {
    // The fast path for a blocking call: with nothing queued and a worker idle, this
    // thread lends itself that worker and reads the answer from the worker's channel
    // itself, sparing the hop through the result thread.
    Worker* worker = nullptr;
    std::shared_ptr<Channel> channel;
    {
        std::lock_guard lock(mutex_);
        if (broken_) throw BrokenPool(*broken_);
        if (closed_ || terminating_) throw std::logic_error("Pool not running");
        if (queue_.empty()) {
            for (auto& [pid, candidate] : workers_)
                if (candidate->idle() && !candidate->receiving &&
                    (worker == nullptr || candidate->last_given < worker->last_given))
                    worker = candidate.get();
        }
        if (worker != nullptr) {
            const std::uint64_t id = next_id_++;
            worker->held.emplace(id, std::move(task.done));
            worker->last_given = id;
            worker->borrowed = true;
            ++worker->lendings;
            TaskHeader{id, task.runner}.write_into(task.message);
            channel = worker->channel;
        }
    }
    if (worker == nullptr) {
        std::vector<TaskSpec> tasks;
        tasks.push_back(std::move(task));
        submit(std::move(tasks));
        return;
    }
    try {
        channel->tasks.send_bytes(task.message);
    } catch (const std::exception&) {
        // The worker died: its end of stream or exit report shows below.
    }
    // A blocking read, without a poll before it: release_borrower ends it when the
    // worker's exit is reported first (a grandchild the task started may keep the
    // worker's end of the channel open, so no end of stream would come).
    std::vector<Finish> finished;
    receive(*worker, finished, Until::kTaskDone);
    std::vector<Send> sends;
    {
        std::unique_lock lock(mutex_);
        worker->borrowed = false;
        if (worker->exit_status) handle_exit(lock, worker->pid, *worker->exit_status, finished);
        sends = schedule();
    }
    perform(sends);
    complete(finished);
}

void Core::close() {
    std::vector<Send> sends;
    {
        std::lock_guard lock(mutex_);
        closed_ = true;
        sends = schedule();  // idle workers are told to stop right here
    }
    perform(sends);
    wake();
}

void Core::cancel_queued() {
    {
        std::lock_guard lock(mutex_);
        fail_queue(error_of<CancelledError>("cancelled before it ran"), handed_over_);
    }
    wake();
}

void Core::signal_workers(int signal) {
    std::lock_guard lock(mutex_);
    if (server_open_) server_->signal_all(signal);
    for (const Child& child : children_) signal_pidfd(child.pidfd, signal);
}

bool Core::wait_done_until(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock lock(mutex_);
    return sync::internal::wait_until(changed_, lock, deadline, [&] { return done_; });
}

void Core::terminate() {
    if (on_result_thread()) throw std::logic_error("Pool::terminate: called from a callback, on the pool's own result thread");
    {
        std::lock_guard lock(mutex_);
        if (!done_ && !terminating_) {
            terminating_ = true;
            fail_queue(error_of<CancelledError>("the pool was terminated before the task ran"), handed_over_);
        }
    }
    wake();
    if (!wait_done_until(Clock::now())) {
        signal_workers(SIGTERM);
        if (!wait_done_until(Clock::now() + kTermGrace)) {
            signal_workers(SIGKILL);
            wait_done_until(Clock::now() + kKillGrace);
        }
    }
    join();
}

void Core::join() {
    {
        std::lock_guard lock(mutex_);
        if (!closed_ && !terminating_ && !broken_) throw std::logic_error("Pool::join: call close() or terminate() first");
    }
    std::lock_guard lock(join_mutex_);
    if (result_thread_.joinable()) result_thread_.join();
}

bool Core::join_until(std::chrono::steady_clock::time_point deadline) {
    {
        std::lock_guard lock(mutex_);
        if (!closed_ && !terminating_ && !broken_) throw std::logic_error("Pool::join: call close() or terminate() first");
    }
    if (!wait_done_until(deadline)) return false;
    join();
    return true;
}

std::vector<pid_t> Core::worker_pids() const {
    std::unique_lock lock(mutex_);
    // Workers being started are about to exist: count them too (bounded: the fork
    // server answers, or its death resets the count).
    changed_.wait(lock, [&] { return pending_spawns_ == 0 || done_; });
    std::vector<pid_t> pids;
    for (const auto& [pid, worker] : workers_) pids.push_back(pid);
    return pids;
}

bool Core::on_result_thread() const { return current_result_thread_core == this; }

const void* current_result_thread() { return current_result_thread_core; }

}  // namespace mp::pool::internal

// Core, the result thread: its event loop over the fork server's reports and the
// workers' channels, reading results, and pairing queued tasks with idle workers.
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "pool/errors.hpp"
#include "pool/internal/child.hpp"
#include "pool/internal/core.hpp"
#include "pool/internal/core_worker.hpp"
#include "pool/internal/remote_exception.hpp"
#include "pool/internal/stream_end.hpp"

namespace mp::pool::internal {

namespace {

thread_local const Core* current_result_thread_core = nullptr;

constexpr const char* kServerDied = "pool: the pool's fork server died";

}  // namespace

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
                worker->watched = worker->state != WorkerState::kHungUp && worker->reader != Reader::kBorrower;
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
                if (found == workers_.end() || found->second->reader == Reader::kBorrower || found->second->lendings != polled[i].lendings)
                    continue;
                ready = found->second.get();
                ready->reader = Reader::kResultThread;
            }
            Worker& worker = *ready;
            // A hang-up with nothing left to read: the worker closed its end, so it
            // is leaving. Noted without a read (which would throw EOFError).
            const bool ended = (fds[i + 2].revents & POLLHUP) != 0 && at_end_of_stream(worker.channel->results);
            // Only what was read ahead: the rest (if any) keeps the fd readable for
            // the next poll, which saves a poll per message.
            if (!ended) receive(worker, finished, Until::kReadAhead);
            std::lock_guard lock(mutex_);
            worker.reader = Reader::kNobody;
            if (ended) worker.hang_up();
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
                mark_broken(kServerDied, finished);
                for (auto next = workers_.begin(); next != workers_.end();) {
                    Worker& worker = *next->second;
                    if (worker.held)
                        finished.push_back({worker.take_result(false), {{}, error_of<BrokenPool>(kServerDied)}});
                    if (worker.reader == Reader::kBorrower) {
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
                mark_broken(std::string("pool: cannot start a worker: ") + std::strerror(error), finished);
            continue;
        }
        add_worker(event->pid, std::move(*event->channel));
    }
}
// its exit report is then on its way.
void Core::receive(Worker& worker, std::vector<Finish>& finished, Until until) {
    ipc::Connection& connection = worker.channel->results;
    try {
        for (;;) {
            if (until == Until::kSocketEmpty && at_end_of_stream(connection)) {
                std::lock_guard lock(mutex_);
                worker.hang_up();
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
        worker.hang_up();
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
            const std::string reason = "pool: initializer failed in worker " + std::to_string(worker.pid) + ": " +
                                       ipc::decode<std::string>(std::span(message).subspan(1));
            mark_broken(reason, finished);
            if (worker.held) finished.push_back({worker.take_result(false), {{}, error_of<BrokenPool>(reason)}});
            worker.leave();
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
        const bool retire = options_.maxtasksperchild > 0 && ++worker.tasks_done >= options_.maxtasksperchild;
        finished.push_back({worker.take_result(retire), std::move(outcome)});
    } catch (const std::exception&) {
        // A malformed message can only come from a worker whose memory a task
        // corrupted: it is beyond trust, so it is killed and replaced.
        worker.leave();
        kill(worker.pid, SIGKILL);
    }
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
        while (!queue_.empty() && !terminating_ && queue_.front().second.starting && !queue_.front().second.starting())
            queue_.pop_front();  // cancelled while it waited: never runs
        if (!queue_.empty() && !terminating_) {
            auto [id, task] = std::move(queue_.front());
            queue_.pop_front();
            worker->give(id, std::move(task.done));
            TaskHeader{id, task.runner, !task.fds.empty()}.write_into(task.message);
            sends.push_back({worker->channel, std::move(task.message), std::move(task.fds)});
            if (!worker->watched) wake();  // lent out lately: the result thread must watch it again
        } else if ((closed_ && feeding_ == 0) || broken_ || terminating_) {
            worker->leave();
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
    if (!closed_ || feeding_ != 0 || server_retired_ || !server_open_ || !queue_.empty() || pending_spawns_ != 0) return;
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
    for (Send& send : sends) send.channel->send_task(send.message, send.fds);
}

// Done when no task is left and every worker is gone, or has hung up owing nothing
// (its exit report adds nothing then: it is reaped when the loop ends, by the fork
// server or by stop_children).
bool Core::finished_locked() const {
    if (!(closed_ || terminating_ || broken_ || !server_open_) || !queue_.empty() || pending_spawns_ != 0) return false;
    if (feeding_ != 0 && !terminating_ && !broken_ && server_open_) return false;  // a map has chunks to come
    for (const auto& [pid, worker] : workers_)
        if (worker->state != WorkerState::kHungUp || worker->held) return false;
    return true;
}

void Core::wake() { (void)!write(wake_write_, "", 1); }


bool Core::on_result_thread() const { return current_result_thread_core == this; }

const void* current_result_thread() { return current_result_thread_core; }

}  // namespace mp::pool::internal

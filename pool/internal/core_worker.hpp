// Private: what Core (core.hpp) records of each worker, shared by its parts:
// core_workers.cpp (starting, exits, reaping), core_results.cpp (the result thread),
// core_user.cpp (the submitting side) and core_lent_map.cpp (borrowed workers).
#pragma once

#include <fcntl.h>
#include <limits.h>
#include <sys/types.h>

#include <algorithm>
#include <cassert>
#include <chrono>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>

#include "ipc/connection.hpp"
#include "pool/internal/core.hpp"

namespace mp::pool::internal {

// How long terminate() lets workers react to SIGTERM before SIGKILL, and how long
// it then waits for the fork server to report the kills.
inline constexpr auto kTermGrace = std::chrono::milliseconds(1000);
inline constexpr auto kKillGrace = std::chrono::milliseconds(3000);
inline constexpr const char* kPoolClosed = "pool: Pool: the pool is closed (close() or terminate() was called)";
inline constexpr const char* kCancelledUnrun = "pool: the pool was terminated before the task ran";
// Both ends of a channel are the same program: only a corrupted stream could
// announce a frame this large.
inline constexpr std::size_t kMaxMessage = std::size_t{1} << 40;

template <class Error, class... Args>
std::exception_ptr error_of(Args&&... args) {
    return std::make_exception_ptr(Error(std::forward<Args>(args)...));
}

// The pool's ends of a worker's channel. Shared with a submitting thread that is
// writing to it, so a worker reaped meanwhile never has its fds closed (and reused)
// under that write.
struct Core::Channel {
    Channel(ipc::Fd results_end, ipc::Fd tasks_end)
        : results(std::move(results_end)), tasks(std::move(tasks_end)), task_pipe_room(room_in_pipe(tasks.fileno())) {
        results.set_max_message_size(kMaxMessage);
        tasks.set_max_message_size(kMaxMessage);
    }
    ipc::Connection results;  // a socket; the result thread, or a borrower, receives
    ipc::Connection tasks;    // a pipe; one submitter at a time sends
    // The bytes a frame may wait in the task pipe without blocking its writer (a
    // lent map sends a worker's next chunk ahead only if it fits): the pipe's
    // capacity (one page when the user has many pipes), less a header. Asked once:
    // the question is a system call, and a map of a thousand items is tens of them.
    const std::size_t task_pipe_room;

    // Sends a task message, its descriptors first (see wire.hpp). A send that fails
    // means the worker died: its end of stream or exit report fails the task.
    void send_task(const Bytes& message, const std::vector<ipc::Fd>& fds = {}) {
        // Two sends never overlap (a worker is given its next task only once its
        // result for the last one arrived, after that task was written whole), but
        // that order passes through the worker, where ThreadSanitizer cannot see it.
        std::lock_guard lock(sending_);
        try {
            if (!fds.empty()) results.send(fds);
            tasks.send_bytes(message);
        } catch (const std::exception&) {
        }
    }

private:
    static std::size_t room_in_pipe(int fd) {
        long capacity = PIPE_BUF;
#ifdef F_GETPIPE_SZ
        capacity = std::max<long>(capacity, ::fcntl(fd, F_GETPIPE_SZ));
#endif
        return static_cast<std::size_t>(capacity) - 64;
    }

    std::mutex sending_;
};

// Where a worker is in its life. Every change happens under Core::mutex_.
//
//   event                                              from                  to
//   recorded by add_worker                             (none)                kIdle (kLeaving while terminating)
//   schedule(), call() or a borrower gives it a task   kIdle                 kBusy
//   its result arrives                                 kBusy                 kIdle
//   its result arrives, maxtasksperchild reached       kBusy                 kLeaving
//   schedule() tells it to stop (closed, broken, ...)  kIdle                 kLeaving
//   its initializer failed, or it sent a malformed     kIdle, kBusy          kLeaving
//     message (it is killed)
//   its channel reaches end of stream or breaks        any but kExited       kHungUp
//   its exit is reported while a borrower reads it     any                   kExited
//   its exit is handled (handle_exit)                  any                   (erased)
//
// A task is held in kBusy; a worker that leaves or hangs up while holding one keeps
// it until its exit report fails it (WorkerDied, or CancelledError in terminate).
enum class WorkerState {
    kIdle,     // holds no task; schedule() or call() may give it one
    kBusy,     // runs the task it holds
    kLeaving,  // takes no more tasks: told to stop, retiring, or killed; its channel is read until it ends
    kHungUp,   // its channel ended: nothing more to read; its exit report is due
    kExited,   // its exit was reported while lent to a borrower, who handles it (exit_status)
};

// Who reads a worker's channel at the moment; never two at once.
enum class Reader {
    kNobody,
    kResultThread,  // the result thread, outside the lock (receive)
    kBorrower,      // a caller of Core::call or Core::map_on_lent_workers, from lending to return
};

struct Core::Worker {
    pid_t pid;
    std::shared_ptr<Channel> channel;
    WorkerState state = WorkerState::kIdle;
    Reader reader = Reader::kNobody;
    std::optional<std::pair<std::uint64_t, Completion>> held;  // the task it runs
    int tasks_done = 0;
    std::uint64_t last_given = 0;  // when it was last given a task (a task-id clock)
    int exit_status = 0;           // in kExited
    // Its initializer reported its end. Not a step of the life above: tasks are
    // given before it (they wait in the worker's pipe), and a worker that dies
    // without it broke the pool.
    bool ready = false;
    // In the result thread's current poll set: one that was lent out since is not,
    // so giving it a task must wake the result thread.
    bool watched = false;
    std::uint64_t lendings = 0;  // how often it was borrowed

    // schedule() may give it a task (a borrower's worker is not for schedule()).
    bool idle() const { return state == WorkerState::kIdle && reader != Reader::kBorrower; }
    // call() may lend it: idle, and nobody reads its channel.
    bool lendable() const { return state == WorkerState::kIdle && reader == Reader::kNobody; }
    // It takes tasks: not leaving, hung up or gone.
    bool working() const { return state == WorkerState::kIdle || state == WorkerState::kBusy; }

    // By schedule() or call() to an idle() worker, or by a borrower to the worker it
    // reads (core_lent_map.cpp).
    void give(std::uint64_t id, Completion done) {
        assert(state == WorkerState::kIdle && !held);
        held.emplace(id, std::move(done));
        last_given = id;
        state = WorkerState::kBusy;
    }
    // Its result arrived: the completion to run. `retire`: it did its last task.
    Completion take_result(bool retire) {
        assert(held);
        Completion done = std::move(held->second);
        held.reset();
        if (state == WorkerState::kBusy) state = retire ? WorkerState::kLeaving : WorkerState::kIdle;
        return done;
    }
    void leave() {
        if (state == WorkerState::kIdle || state == WorkerState::kBusy) state = WorkerState::kLeaving;
    }
    void hang_up() {
        if (state != WorkerState::kExited) state = WorkerState::kHungUp;
    }
    void exited_while_lent(int status) {
        assert(reader == Reader::kBorrower);
        state = WorkerState::kExited;
        exit_status = status;
    }
};

// A frame to write to a worker outside the lock.
struct Core::Send {
    std::shared_ptr<Channel> channel;
    Bytes message;
    std::vector<ipc::Fd> fds{};  // the task's descriptors, closed once sent
};

}  // namespace mp::pool::internal

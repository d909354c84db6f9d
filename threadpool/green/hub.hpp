// Hub: gevent's hub — one scheduler per OS thread. It runs in a greenlet of its own,
// over epoll (poll(2) where the system has none), and resumes the greenlets whose
// wait ended: a timer came due, an fd became ready, or another greenlet woke them. Everything a green call waits for
// (sleep, join, Event, Queue, Lock, I/O, a child, a thread-pool call) is a Waiter
// blocked here.
//
//   namespace green = mp::threadpool::green;
//   green::Hub hub;                            // this thread's hub while it lives
//   auto a = green::spawn(download, urls[0]);  // task.hpp
//   green::sleep(std::chrono::seconds(0));     // let the others run
//
// A thread may have one Hub at a time. Hub::current() returns it, or makes a
// thread-default one, destroyed at thread exit, when there is none: the green calls
// work without one being declared, as gevent's do.
//
// Blocking: a green call blocks its greenlet, never the thread, unless the greenlet
// calls a plain blocking syscall (::read on a blocking fd, std::this_thread::sleep_for,
// a std::mutex held elsewhere): that stops every greenlet of the thread, and is the
// caller's bug. run_in_thread (offload.hpp) is the way to make such a call.
//
// Backends: Backend::epoll is the default on Linux; a build for another system, or
// with -DMP_GREEN_POLL, defaults to Backend::poll, which any hub may also be asked
// for (Hub(Backend::poll)). They behave the same; poll costs O(fds waited for) per
// wait of the loop where epoll costs O(fds ready).
//
// Deadlock: when every greenlet waits and nothing can wake any (no timer, no fd, no
// ready greenlet), the greenlet that created the hub gets LoopExit, as in gevent.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <unordered_map>
#include <vector>

#include "threadpool/green/greenlet.hpp"
#include "threadpool/internal/deadline.hpp"

namespace mp::threadpool {
class ThreadPool;
}

namespace mp::threadpool::green {

namespace internal {
struct TaskCore;
class FdPoller;
}

// LoopExit: every greenlet of the hub waits and nothing can wake any of them.
class LoopExit : public std::runtime_error {
public:
    LoopExit()
        : std::runtime_error("green: every greenlet waits and nothing can wake one (no timer, no fd, none ready)") {}
};

using SteadyTime = mp::threadpool::internal::SteadyTime;
using mp::threadpool::internal::kNoDeadline;

// How a hub waits for fds (see Backends above).
enum class Backend { epoll, poll };
#if defined(__linux__) && !defined(MP_GREEN_POLL)
inline constexpr Backend kDefaultBackend = Backend::epoll;
#else
inline constexpr Backend kDefaultBackend = Backend::poll;
#endif

class Hub {
public:
    // Becomes this thread's hub, waiting for fds with `backend`. Throws
    // std::logic_error if the thread has one, std::invalid_argument for
    // Backend::epoll on a build without epoll.
    explicit Hub(Backend backend = kDefaultBackend);
    // Kills every task still alive (GreenletExit is raised where each waits, so their
    // stacks unwind and their destructors run; one not started never runs), waits for
    // them to end, then closes the hub's fds and stops its thread pool. Preconditions:
    // called by a greenlet that is not a task of this hub (the main one, normally), and
    // no task swallows GreenletExit.
    ~Hub();
    Hub(const Hub&) = delete;
    Hub& operator=(const Hub&) = delete;

    // This thread's hub (a thread-default one is made on first use).
    static Hub& current();

    // ---- the building blocks of the green primitives ----

    // One blocked greenlet's wait. Lives on that greenlet's stack for the wait.
    struct Waiter {
        Greenlet* greenlet = nullptr;
        bool woken = false;
        bool timed_out = false;
        std::exception_ptr error;
    };

    // Blocks the running greenlet until wake(w) (returns true) or `deadline` (returns
    // false). Throws what raise_in delivered. Throws std::logic_error when called by
    // the hub's own greenlet (it would wait for itself).
    bool block(Waiter& w, SteadyTime deadline = kNoDeadline);
    // Makes w's greenlet runnable; false (and nothing done) if w was woken already.
    bool wake(Waiter& w);
    // Raises `error` in `g`: at once if it waits and was not woken yet, otherwise at its
    // next block. `source` identifies the raiser for cancel_raise.
    void raise_in(Greenlet& g, std::exception_ptr error, const void* source);
    // Drops a raise of `source` still pending for `g`.
    void cancel_raise(Greenlet& g, const void* source);
    // Lets the others run once: the running greenlet goes to the end of the ready line.
    void yield();
    // Blocks the running greenlet until `fd` has any of `events` (POLLIN, POLLOUT),
    // an error or a hang-up (true), or `deadline` (false). One greenlet at a time may
    // wait to read an fd and one to write it: std::logic_error otherwise. An fd epoll
    // cannot watch (a regular file) counts as ready, as poll(2) reports it.
    bool wait_fd(int fd, std::uint32_t events, SteadyTime deadline = kNoDeadline);

    // A callback the hub runs once at `at` unless destroyed first. Must not block.
    class Timer {
    public:
        Timer(Hub& hub, SteadyTime at, std::function<void()> fire);
        ~Timer();
        Timer(const Timer&) = delete;
        Timer& operator=(const Timer&) = delete;

    private:
        friend class Hub;
        Hub& hub_;
        std::function<void()> fire_;
        std::multimap<SteadyTime, Timer*>::iterator at_;
        bool scheduled_;
    };

    // ---- used by task.hpp and offload.hpp ----
    // Makes `task` live (kept until it ends) and schedules its greenlet's start.
    void start(std::shared_ptr<internal::TaskCore> task);
    // Called by a task's greenlet as it ends: released once its greenlet is dead.
    void finished(internal::TaskCore& task);
    // The pool run_in_thread uses (0 to 8 threads, made on first use).
    ThreadPool& thread_pool();

private:
    void loop();
    void run_ready();
    void poll(SteadyTime until);
    void fire_timers();
    struct FdWaiters {
        Waiter* reader = nullptr;
        Waiter* writer = nullptr;
        // The events (POLLIN, POLLOUT) the waiters not woken yet wait for.
        std::uint32_t wanted() const;
    };
    struct PendingRaise {
        const void* source;
        std::exception_ptr error;
    };

    std::unique_ptr<Greenlet> loop_;
    std::deque<Greenlet*> ready_;
    std::multimap<SteadyTime, Timer*> timers_;
    std::unordered_map<Greenlet*, Waiter*> blocked_;
    std::unordered_map<Greenlet*, PendingRaise> pending_;
    std::unordered_map<int, FdWaiters> fds_;  // every fd ever waited for
    std::size_t fd_waits_ = 0;                // greenlets waiting for an fd now
    std::unordered_map<const internal::TaskCore*, std::shared_ptr<internal::TaskCore>> live_;
    std::vector<std::shared_ptr<internal::TaskCore>> ended_;
    std::unique_ptr<internal::FdPoller> poller_;
    std::vector<std::pair<int, std::uint32_t>> ready_fds_;  // a poller wait's report
    std::unique_ptr<ThreadPool> pool_;
};

// Blocks the running greenlet for `duration` while the others run; zero or less
// yields once (gevent.sleep(0)).
template <class Rep, class Period>
void sleep(std::chrono::duration<Rep, Period> duration) {
    Hub& hub = Hub::current();
    if (duration <= duration.zero()) return hub.yield();
    Hub::Waiter w;
    hub.block(w, mp::threadpool::internal::deadline_after(duration));
}

}  // namespace mp::threadpool::green

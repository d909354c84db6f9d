// Thread: Python's threading.Thread — a named OS thread that runs a target, or the
// run() of a subclass, with start / join / join_for(timeout) / is_alive, daemon threads,
// and current_thread() / main_thread() / active_count() / enumerate().
//
//   using namespace mp::threadpool;
//   Thread t(worker, 1, std::make_unique<Job>());         // threading.Thread(target=worker, args=(1, job))
//   Thread named({.name = "reader"}, read_all, path);     // name= and daemon= go first, in ThreadOptions
//   t.start();
//   if (!t.join_for(std::chrono::seconds(1))) { /* ... */ }  // still running after 1 s
//
//   class MyThread : public mp::threadpool::Thread {      // class MyThread(threading.Thread):
//   public:
//       explicit MyThread(int n) : n_(n) {}
//       ~MyThread() override { join_if_started(); }       //   (see "Subclasses" below)
//   private:
//       void run() override { std::printf("running on number:%d\n", n_); }
//       int n_;
//   };
//
// The target and the arguments are decayed copies made at construction, moved into
// the call on the new thread (move-only values work; pass std::ref for a
// reference), as with std::thread. What the target returns is dropped.
//
// Lifetime — unlike std::thread, which calls std::terminate:
//   - Destroying a started, unjoined non-daemon Thread joins it. Python waits for a
//     non-daemon thread before the program ends; a silent terminate is worse than a
//     wait the code asked for by starting the thread.
//   - Destroying a started daemon Thread detaches it: it runs on.
//   - At exit (main returned, or exit()), every non-daemon thread still running is
//     joined, by a std::atexit handler installed at the first start(): it runs
//     before the static objects constructed before that start() are destroyed.
//     Daemon threads are abandoned: they run on while exit() destroys static
//     objects and die with the process, so they must not use static objects.
//   - The state the running thread uses is on the heap: a Thread with a target may
//     be moved at any time, even while it runs. A moved-from Thread may only be
//     destroyed or assigned to; anything else throws std::logic_error.
//
// Subclasses: a Thread made without a target calls the virtual run() of the object
// on the new thread, so the object must stay where it is until the thread ended:
// do not move a started subclass object, and end its thread in the subclass's own
// destructor (`~MyThread() override { join_if_started(); }`): ~Thread runs after the
// subclass's members are gone. A Thread made with a target runs the target, never
// run().
//
// After fork(), the child's copies of Threads have no threads: is_alive() is false,
// join() returns at once, and the destructor neither joins nor detaches.
//
// Thread-local data (threading.local) is C++'s `thread_local`.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <concepts>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "threadpool/internal/deadline.hpp"
#include "threadpool/internal/thread_state.hpp"

namespace mp::threadpool {

// ThreadOptions: Python's Thread(name=..., daemon=...).
//   name   - empty: "Thread-N", N counting the Threads made so far;
//   daemon - unset: the creating thread's (the main thread is not a daemon; a
//            thread not started by mp is one, as Python's dummy threads).
struct ThreadOptions {
    std::string name = {};
    std::optional<bool> daemon = std::nullopt;
};

// ThreadRef: a copyable view of a thread, what current_thread(), main_thread() and
// enumerate() give (Thread is one too). Equal when they view the same thread.
class ThreadRef {
public:
    // The name, which set_name may change at any time.
    std::string name() const;
    // Python's ident: pthread_self() of the thread, unique among live threads (the
    // value may be reused after the thread ends); 0 before start().
    std::uint64_t ident() const;
    // The kernel's thread id (gettid(), Python's native_id); 0 before start().
    // Right after start() it may block until the new thread has run its first line.
    pid_t native_id() const;
    bool daemon() const;
    // From start() until its run (target or run()) returned or threw.
    bool is_alive() const;

    friend bool operator==(const ThreadRef& a, const ThreadRef& b) noexcept { return a.state_ == b.state_; }

protected:
    ThreadRef() = default;
    explicit ThreadRef(std::shared_ptr<internal::ThreadState> state) : state_(std::move(state)) {}
    internal::ThreadState& state() const;

    std::shared_ptr<internal::ThreadState> state_;

    friend ThreadRef current_thread();
    friend ThreadRef main_thread();
    friend std::vector<ThreadRef> enumerate();
};

class Thread : public ThreadRef {
public:
    // The subclass form: start() calls run(). The default run() does nothing.
    Thread() : Thread(ThreadOptions{}) {}
    explicit Thread(ThreadOptions options);

    // The target form: start() calls target(args...) on the new thread.
    template <class F, class... Args>
        requires(!std::same_as<std::remove_cvref_t<F>, ThreadOptions>) &&
                std::invocable<std::decay_t<F>, std::decay_t<Args>...>
    explicit Thread(F&& target, Args&&... args) : Thread(ThreadOptions{}, std::forward<F>(target), std::forward<Args>(args)...) {}

    template <class F, class... Args>
        requires std::invocable<std::decay_t<F>, std::decay_t<Args>...>
    Thread(ThreadOptions options, F&& target, Args&&... args) {
        auto [name, daemon] = resolve(std::move(options));
        state_ = std::make_shared<internal::TargetState<std::decay_t<F>, std::decay_t<Args>...>>(
            std::move(name), daemon, std::forward<F>(target), std::forward<Args>(args)...);
    }

    // Move-only. Assigning over a started Thread first ends it as the destructor does.
    Thread(Thread&&) noexcept = default;
    Thread& operator=(Thread&& other) noexcept;
    Thread(const Thread&) = delete;
    Thread& operator=(const Thread&) = delete;
    // Joins a started non-daemon thread, detaches a daemon one (see the top).
    virtual ~Thread();

    // Starts the thread. Errors: std::logic_error when started before (Python's
    // RuntimeError), std::system_error (pthread_create: too many threads).
    void start();

    // Blocks until the thread's run ended. Errors: std::logic_error when not
    // started, or when the thread would join itself (Python's RuntimeError).
    void join();
    // The same, at most `timeout` (any duration; a huge one waits forever, zero or
    // less checks once). Returns true when the thread ended, false on timeout
    // (Python's join(timeout) returns None and one asks is_alive(): here the answer
    // is returned, so by mp's rule the name ends in _for).
    template <class Rep, class Period>
    [[nodiscard]] bool join_for(std::chrono::duration<Rep, Period> timeout) {
        return join_until(internal::deadline_after(timeout));
    }
    [[nodiscard]] bool join_until(std::chrono::steady_clock::time_point deadline);

    // Whether start() was called.
    bool started() const;
    // join() when started, else nothing; never throws. For subclass destructors.
    void join_if_started() noexcept;

    void set_name(std::string name);
    // Errors: std::logic_error once started (Python's RuntimeError).
    void set_daemon(bool daemon);

protected:
    // The subclass form's work, called on the new thread by start(). An exception
    // escaping it goes to the excepthook (excepthook.hpp).
    virtual void run() {}

private:
    static std::pair<std::string, bool> resolve(ThreadOptions options);
    void finish() noexcept;

    friend void* internal::thread_entry(void*) noexcept;
};

// The calling thread: its Thread, the main thread ("MainThread"), or for a thread
// not started by mp a daemon "Dummy-N", made at the first call and listed by
// enumerate() until that thread exits.
ThreadRef current_thread();
// The thread that started the program.
ThreadRef main_thread();
// The live threads: mp threads from start() until their run ended, the main
// thread, and the dummies of current_thread(); in start order, main first.
std::vector<ThreadRef> enumerate();
// enumerate().size(), without making the list.
std::size_t active_count();

}  // namespace mp::threadpool

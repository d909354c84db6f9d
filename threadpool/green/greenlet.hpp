// Greenlet: Python's greenlet — a stackful coroutine with its own stack, switched to
// explicitly, in one OS thread.
//
//   using namespace mp::threadpool::green;
//   Greenlet& main = Greenlet::current();
//   Greenlet child([&](std::any first) { return main.switch_to(std::any_cast<int>(first) + 1); });
//   int two = std::any_cast<int>(child.switch_to(1));  // runs child until it switches back
//
// Operations: switch_to(value) to any greenlet of this thread (symmetric: no caller /
// callee relation); throw_into(error) (greenlet's throw); dead() / started();
// parent() / set_parent(); name(); Greenlet::current().
//
// Values go both ways as std::any: the value given to switch_to(v) is what the
// switch that suspended the target returns (or the argument of its function, on the
// first switch into it), and the switch_to call that suspended us returns whatever
// the next switch back to us carries.
//
// Ending: when a greenlet's function returns, the greenlet is dead and its parent
// (by default the greenlet that created it) gets control: the switch that suspended
// the parent returns the function's result. An exception escaping the function is
// raised from that same switch in the parent instead. GreenletExit escaping is a
// normal end (the parent gets an empty value), as in Python.
//
// Threads: a greenlet belongs to the thread that created it; switching to it, setting
// it as a parent or destroying it from another thread is a precondition violation
// (switch_to and set_parent throw std::logic_error). Each thread has an implicit main
// greenlet (its own stack), the root of every parent chain.
//
// Stacks: mmap'd at the first switch (GreenletOptions::stack_size, 256 KiB by default;
// untouched pages cost no memory) with a guard page below: an overflow stops the
// process with a message naming the greenlet on stderr, then SIGSEGV. A stack is
// released as soon as its greenlet is dead: unmapped, or, at the default size, kept
// in a per-thread cache of at most 32 for the next greenlet (freed at thread exit).
//
// Catching: a greenlet must not switch away from inside a catch block while another
// greenlet of the thread is inside one (the C++ runtime keeps one chain of caught
// exceptions per thread).
#pragma once

#include <any>
#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <string>

#include "threadpool/green/internal/context.hpp"

namespace mp::threadpool::green {

namespace internal {
class Stack;
}
struct ThreadGreenlets;

// GreenletExit: thrown into a greenlet to end it (Greenlet's destructor, Task::kill,
// a Hub's destructor). Not derived from std::exception on purpose, as Python's is a
// BaseException: a `catch (const std::exception&)` does not swallow a kill. A
// function must let it propagate (catch it, clean up, rethrow).
struct GreenletExit {
    const char* what() const noexcept { return "green: greenlet killed (GreenletExit)"; }
};

struct GreenletOptions {
    std::string name;                     // in the overflow message; default "greenlet-N"
    std::size_t stack_size = 256 * 1024;  // usable bytes, rounded up to pages
};

class Greenlet {
public:
    using Run = std::function<std::any(std::any)>;

    // A greenlet that will call `run` on the first switch into it; its parent is the
    // greenlet running now. Its stack is mapped at that first switch, which throws
    // std::system_error naming mmap or mprotect if that fails.
    explicit Greenlet(Run run, GreenletOptions options = {});

    // A started, suspended greenlet is unwound first: GreenletExit is thrown into it
    // with the destroying greenlet as its parent, so the destructors on its stack run
    // (whatever else escapes it is dropped). Precondition: not the running greenlet,
    // and on the thread that created it.
    ~Greenlet();
    Greenlet(const Greenlet&) = delete;
    Greenlet& operator=(const Greenlet&) = delete;

    // Suspends the running greenlet and runs this one with `value`. Returns the value
    // of the switch that resumes the caller; throws what a dying child raised, or what
    // throw_into delivered. A dead target passes the switch to its nearest live
    // ancestor; switching to the running greenlet returns `value` at once.
    std::any switch_to(std::any value = {});

    // Raises `error` in this greenlet where it is suspended (an unstarted one dies at
    // once without running: GreenletExit then means a normal end, anything else goes
    // to its parent). Returns like switch_to.
    std::any throw_into(std::exception_ptr error);
    template <class E>
    std::any throw_into(E error) {
        return throw_into(std::make_exception_ptr(std::move(error)));
    }

    bool started() const { return started_; }
    bool dead() const { return dead_; }
    Greenlet* parent() const { return parent_; }
    // Throws std::invalid_argument if `parent` is this greenlet or one of its
    // descendants (a cycle), std::logic_error if it belongs to another thread.
    void set_parent(Greenlet& parent);
    const std::string& name() const { return name_; }

    // The greenlet running now on this thread (its main greenlet outside any other).
    static Greenlet& current();

private:
    // What a switch carries: a value, or an error to raise on arrival.
    struct Transfer {
        std::any value;
        std::exception_ptr error;
    };

    struct MainTag {};
    Greenlet(MainTag, const ThreadGreenlets* owner);
    friend struct ThreadGreenlets;

    std::any enter(Transfer& in);
    static Transfer resume(Greenlet& from, Greenlet& to, Transfer& in, bool from_dies);
    static Transfer arrive(void* from_fake_stack, void* transfer);
    [[noreturn]] static void entry(void* transfer) noexcept;
    void check_thread(const char* what) const;

    Run run_;
    std::string name_;
    std::size_t stack_size_;
    std::unique_ptr<internal::Stack> stack_;
    internal::Context context_;
    Greenlet* parent_ = nullptr;
    const ThreadGreenlets* owner_;  // the thread's bookkeeping: who may switch to it
    bool started_ = false;
    bool dead_ = false;
    // Sanitizer fiber state (unused in plain builds, hence [[maybe_unused]]: a
    // compiler that sees every member function in one unit says so otherwise):
    // ASan's fake stack of this greenlet while suspended and the bounds of its
    // stack; TSan's fiber.
    [[maybe_unused]] void* fake_stack_ = nullptr;
    [[maybe_unused]] const void* stack_bottom_ = nullptr;
    [[maybe_unused]] std::size_t stack_bytes_ = 0;
    [[maybe_unused]] void* tsan_fiber_ = nullptr;
};

}  // namespace mp::threadpool::green

// A greenlet's stack: an anonymous mapping with one PROT_NONE guard page below it, so
// an overflow faults instead of writing over the neighbouring memory. A SIGSEGV
// handler, run on an alternate signal stack (the faulting stack has no room left),
// recognises a hit of the running greenlet's guard page, prints which greenlet
// overflowed and lets the process die of the SIGSEGV; any other fault goes to the
// handler that was installed before (or the default action).
#pragma once

#include <cstddef>
#include <memory>

namespace mp::threadpool::green::internal {

class Stack {
public:
    // At least `size` usable bytes (rounded up to whole pages). Throws
    // std::system_error naming mmap or mprotect.
    explicit Stack(std::size_t size);
    ~Stack();
    Stack(const Stack&) = delete;
    Stack& operator=(const Stack&) = delete;

    // The usable range, above the guard page.
    void* base() const { return base_; }
    std::size_t size() const { return size_; }

private:
    void* base_;
    std::size_t size_;
};

// A stack of `size` usable bytes: one this thread cached, or a new one. Stacks of the
// default size (kCachedSize) come back to a small per-thread cache (at most
// kCacheLimit, freed at thread exit) instead of being unmapped, which makes spawning
// a short greenlet three syscalls cheaper; others are unmapped at once.
inline constexpr std::size_t kCachedSize = 256 * 1024;
inline constexpr std::size_t kCacheLimit = 32;
std::unique_ptr<Stack> take_stack(std::size_t size);
void give_back(std::unique_ptr<Stack> stack);

// Which stack runs now on this thread and the name of its greenlet, for the overflow
// handler (a null stack is the thread's own, not ours to report). Inline: the switch
// sets it every time, and an out-of-line call there cost a measurable share of it;
// constinit spares every access the call to a thread-local initialisation wrapper.
struct Running {
    const Stack* stack = nullptr;
    const char* name = "";
};
extern constinit thread_local Running t_running;

inline void set_running(const Stack* stack, const char* name) noexcept {
    t_running.stack = stack;
    t_running.name = name;
}

}  // namespace mp::threadpool::green::internal

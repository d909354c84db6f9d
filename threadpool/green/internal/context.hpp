// The machine-level context switch under Greenlet: save the running stack's
// callee-saved registers and stack pointer, load another's. Built for x86-64 and
// aarch64 from a few lines of assembly (context_asm.cpp: no signal-mask syscall, unlike
// swapcontext); any other POSIX target, or a build with -DMP_GREEN_UCONTEXT, uses
// ucontext (context_ucontext.cpp). The choice is made by the preprocessor at build time.
#pragma once

#include <cstddef>

#if !defined(MP_GREEN_UCONTEXT) && !defined(__x86_64__) && !defined(__aarch64__)
#define MP_GREEN_UCONTEXT 1
#endif

#if defined(MP_GREEN_UCONTEXT)
#include <ucontext.h>
#endif

namespace mp::threadpool::green::internal {

// A suspended stack. Empty until make_context() prepares it or switch_context()
// saves the running stack into it.
struct Context {
#if defined(MP_GREEN_UCONTEXT)
    ucontext_t uc{};
#else
    void* sp = nullptr;
#endif
};

using Entry = void (*)(void* transfer);

// Prepares `ctx` so that the first switch into it calls entry(transfer) on the stack
// [base, base + size). `entry` must never return: it leaves by switching away.
void make_context(Context& ctx, void* base, std::size_t size, Entry entry);

// Saves the running stack into `from`, resumes `to`, and returns the `transfer` of the
// switch that later resumes `from`.
#if defined(MP_GREEN_UCONTEXT)
void* switch_context(Context& from, Context& to, void* transfer);
#else
}  // namespace mp::threadpool::green::internal
extern "C" void* mp_green_switch(void** from_sp, void* to_sp, void* transfer);
namespace mp::threadpool::green::internal {
// Inline, so that a greenlet switch calls the assembly directly.
inline void* switch_context(Context& from, Context& to, void* transfer) {
    return mp_green_switch(&from.sp, to.sp, transfer);
}
#endif

}  // namespace mp::threadpool::green::internal

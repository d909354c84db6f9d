// The portable context switch (see context.hpp): swapcontext, which also saves and
// restores the signal mask (a syscall per switch). makecontext passes only int
// arguments: the entry goes as two halves, the transfer through a thread-local slot.
#include "threadpool/green/internal/context.hpp"

#if defined(MP_GREEN_UCONTEXT)

#include <cerrno>
#include <cstdint>
#include <system_error>

namespace mp::threadpool::green::internal {

namespace {

thread_local void* t_transfer = nullptr;

void trampoline(unsigned high, unsigned low) {
    const auto bits = static_cast<std::uintptr_t>(high) << 16 << 16 | low;
    reinterpret_cast<Entry>(bits)(t_transfer);
}

}  // namespace

void make_context(Context& ctx, void* base, std::size_t size, Entry entry) {
    if (getcontext(&ctx.uc) != 0) throw std::system_error(errno, std::generic_category(), "getcontext");
    ctx.uc.uc_stack.ss_sp = base;
    ctx.uc.uc_stack.ss_size = size;
    ctx.uc.uc_link = nullptr;
    const auto bits = reinterpret_cast<std::uintptr_t>(entry);
    makecontext(&ctx.uc, reinterpret_cast<void (*)()>(trampoline), 2, static_cast<unsigned>(bits >> 16 >> 16),
                static_cast<unsigned>(bits));
}

void* switch_context(Context& from, Context& to, void* transfer) {
    t_transfer = transfer;
    if (swapcontext(&from.uc, &to.uc) != 0) throw std::system_error(errno, std::generic_category(), "swapcontext");
    return t_transfer;
}

}  // namespace mp::threadpool::green::internal

#endif

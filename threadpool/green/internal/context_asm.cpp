// The assembly context switch (see context.hpp). mp_green_switch(&from_sp, to_sp,
// transfer) pushes the callee-saved registers on the running stack, stores the stack
// pointer in *from_sp, loads to_sp, pops the registers saved there and returns into
// that stack with `transfer` as its return value and as its first argument (so a
// fresh stack's entry function receives it). Caller-saved registers need no saving:
// the compiler assumes a call clobbers them.
#include "threadpool/green/internal/context.hpp"

#if !defined(MP_GREEN_UCONTEXT)

#include <cstdint>
#include <cstring>

#if defined(__x86_64__)
// rbx, rbp, r12-r15, and the SSE and x87 control words (the ABI says they are
// callee-saved too).
asm(R"(
    .text
    .globl mp_green_switch
    .hidden mp_green_switch
    .type mp_green_switch, @function
mp_green_switch:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    subq $8, %rsp
    stmxcsr (%rsp)
    fnstcw 4(%rsp)
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    ldmxcsr (%rsp)
    fldcw 4(%rsp)
    addq $8, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    movq %rdx, %rax
    movq %rdx, %rdi
    ret
    .size mp_green_switch, .-mp_green_switch
)");
#elif defined(__aarch64__)
// x19-x28, the frame pointer x29, the link register x30 and d8-d15.
asm(R"(
    .text
    .globl mp_green_switch
    .hidden mp_green_switch
    .type mp_green_switch, %function
mp_green_switch:
    sub sp, sp, #0xb0
    stp x19, x20, [sp, #0x00]
    stp x21, x22, [sp, #0x10]
    stp x23, x24, [sp, #0x20]
    stp x25, x26, [sp, #0x30]
    stp x27, x28, [sp, #0x40]
    stp x29, x30, [sp, #0x50]
    stp d8, d9, [sp, #0x60]
    stp d10, d11, [sp, #0x70]
    stp d12, d13, [sp, #0x80]
    stp d14, d15, [sp, #0x90]
    mov x9, sp
    str x9, [x0]
    mov sp, x1
    ldp x19, x20, [sp, #0x00]
    ldp x21, x22, [sp, #0x10]
    ldp x23, x24, [sp, #0x20]
    ldp x25, x26, [sp, #0x30]
    ldp x27, x28, [sp, #0x40]
    ldp x29, x30, [sp, #0x50]
    ldp d8, d9, [sp, #0x60]
    ldp d10, d11, [sp, #0x70]
    ldp d12, d13, [sp, #0x80]
    ldp d14, d15, [sp, #0x90]
    add sp, sp, #0xb0
    mov x0, x2
    ret
    .size mp_green_switch, .-mp_green_switch
)");
#endif

namespace mp::threadpool::green::internal {

void make_context(Context& ctx, void* base, std::size_t size, Entry entry) {
    // The top of the stack, 16-byte aligned as both ABIs require at a call.
    auto top = (reinterpret_cast<std::uintptr_t>(base) + size) & ~std::uintptr_t{15};
    auto* slot = reinterpret_cast<std::uint64_t*>(top);
#if defined(__x86_64__)
    // From the top down: a zero return address for entry (it never returns; the
    // zero ends a debugger's backtrace), entry itself for the `ret`, six registers,
    // and the default control words (MXCSR 0x1f80: all exceptions masked; x87 0x037f).
    *--slot = 0;
    *--slot = reinterpret_cast<std::uint64_t>(entry);
    for (int i = 0; i < 6; ++i) *--slot = 0;
    *--slot = std::uint64_t{0x037f} << 32 | 0x1f80;
#else
    // The 0xb0-byte frame mp_green_switch pops: zero registers, x30 (the `ret`
    // target) = entry, x29 = 0 (the end of the frame chain).
    slot -= 0xb0 / sizeof(std::uint64_t);
    std::memset(slot, 0, 0xb0);
    slot[0x58 / 8] = reinterpret_cast<std::uint64_t>(entry);
#endif
    ctx.sp = slot;
}

}  // namespace mp::threadpool::green::internal

#endif

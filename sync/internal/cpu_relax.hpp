// cpu_relax: the pause hint for spin loops (eases the sibling hyperthread and the
// memory bus while a spinning core polls a shared word). Elsewhere: nothing.
#pragma once

namespace mp::sync::internal {

inline void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    asm volatile("yield");
#endif
}

}  // namespace mp::sync::internal

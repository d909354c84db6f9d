#include "threadpool/green/internal/stack.hpp"

#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <system_error>
#include <vector>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#endif

namespace mp::threadpool::green::internal {

constinit thread_local Running t_running;

namespace {

struct sigaction g_previous;

std::size_t page_size() {
    static const std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
    return page;
}

void write_all(const char* text) {
    std::size_t left = std::strlen(text);
    while (left > 0) {
        const ssize_t n = write(STDERR_FILENO, text, left);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        text += n;
        left -= static_cast<std::size_t>(n);
    }
}

void write_number(std::size_t n) {
    char digits[24];
    char* at = digits + sizeof digits;
    *--at = '\0';
    do *--at = static_cast<char>('0' + n % 10); while ((n /= 10) != 0);
    write_all(at);
}

// Async-signal-safe: thread-local reads, write(2) and sigaction only.
void on_segv(int signo, siginfo_t* info, void* uc) {
    const Stack* stack = t_running.stack;
    const auto addr = reinterpret_cast<std::uintptr_t>(info->si_addr);
    const auto base = stack != nullptr ? reinterpret_cast<std::uintptr_t>(stack->base()) : 0;
    if (stack != nullptr && addr < base && addr >= base - page_size()) {
        write_all("mp::threadpool::green: stack overflow in greenlet \"");
        write_all(t_running.name);
        write_all("\" (its stack is ");
        write_number(stack->size());
        write_all(" bytes; give it a larger GreenletOptions::stack_size)\n");
        // Returning re-runs the faulting access, which now kills the process.
        signal(SIGSEGV, SIG_DFL);
        return;
    }
    if ((g_previous.sa_flags & SA_SIGINFO) != 0 && g_previous.sa_sigaction != nullptr) {
        g_previous.sa_sigaction(signo, info, uc);
    } else if (g_previous.sa_handler != SIG_DFL && g_previous.sa_handler != SIG_IGN) {
        g_previous.sa_handler(signo);
    } else {
        signal(SIGSEGV, SIG_DFL);
    }
}

// The thread's alternate signal stack, made when it first makes a greenlet stack
// unless it has one already (a sanitizer runtime installs its own), freed at exit.
struct AltStack {
    void* memory = nullptr;
    std::size_t size = 0;
    AltStack() {
        stack_t current{};
        if (sigaltstack(nullptr, &current) == 0 && (current.ss_flags & SS_DISABLE) == 0) return;
        size = 64 * 1024;
        memory = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (memory == MAP_FAILED) throw std::system_error(errno, std::generic_category(), "mmap(signal stack)");
        stack_t alt{};
        alt.ss_sp = memory;
        alt.ss_size = size;
        if (sigaltstack(&alt, nullptr) != 0) {
            const int error = errno;
            munmap(memory, size);
            throw std::system_error(error, std::generic_category(), "sigaltstack");
        }
    }
    ~AltStack() {
        if (memory == nullptr) return;
        stack_t off{};
        off.ss_flags = SS_DISABLE;
        sigaltstack(&off, nullptr);
        munmap(memory, size);
    }
    AltStack(const AltStack&) = delete;
    AltStack& operator=(const AltStack&) = delete;
};

void watch_overflows() {
    static std::once_flag installed;
    std::call_once(installed, [] {
        struct sigaction action{};
        action.sa_sigaction = on_segv;
        action.sa_flags = SA_SIGINFO | SA_ONSTACK;
        sigemptyset(&action.sa_mask);
        if (sigaction(SIGSEGV, &action, &g_previous) != 0)
            throw std::system_error(errno, std::generic_category(), "sigaction(SIGSEGV)");
    });
    thread_local AltStack alt_stack;
}

}  // namespace

Stack::Stack(std::size_t size) {
    watch_overflows();
    const std::size_t page = page_size();
    size_ = (size + page - 1) / page * page;
    void* low = mmap(nullptr, size_ + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
    if (low == MAP_FAILED) throw std::system_error(errno, std::generic_category(), "mmap(greenlet stack)");
    if (mprotect(low, page, PROT_NONE) != 0) {
        const int error = errno;
        munmap(low, size_ + page);
        throw std::system_error(error, std::generic_category(), "mprotect(greenlet guard page)");
    }
    base_ = static_cast<char*>(low) + page;
}

Stack::~Stack() {
    munmap(static_cast<char*>(base_) - page_size(), size_ + page_size());
}

namespace {

// At thread exit the cache may be destroyed before a thread-default Hub, whose
// destructor still ends greenlets: a plain flag says the cache is gone, and their
// stacks are then unmapped.
thread_local bool t_cache_gone = false;

struct StackCache {
    std::vector<std::unique_ptr<Stack>> stacks;
    ~StackCache() { t_cache_gone = true; }
};

std::vector<std::unique_ptr<Stack>>* cache() {
    if (t_cache_gone) return nullptr;
    thread_local StackCache cache;
    return &cache.stacks;
}

}  // namespace

std::unique_ptr<Stack> take_stack(std::size_t size) {
    std::unique_ptr<Stack> stack;
    auto* cached = size == kCachedSize ? cache() : nullptr;
    if (cached != nullptr && !cached->empty()) {
        stack = std::move(cached->back());
        cached->pop_back();
    } else {
        stack = std::make_unique<Stack>(size);
    }
#if defined(__SANITIZE_ADDRESS__)
    // The frames a dead greenlet never returned from left their redzones poisoned, in
    // a cached stack or in a new mapping at the address of an unmapped one.
    ASAN_UNPOISON_MEMORY_REGION(stack->base(), stack->size());
#endif
    return stack;
}

void give_back(std::unique_ptr<Stack> stack) {
    if (stack == nullptr || stack->size() != kCachedSize) return;
    auto* cached = cache();
    if (cached != nullptr && cached->size() < kCacheLimit) cached->push_back(std::move(stack));
}

}  // namespace mp::threadpool::green::internal

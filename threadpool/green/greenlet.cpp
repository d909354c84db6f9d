#include "threadpool/green/greenlet.hpp"

#include <atomic>
#include <stdexcept>
#include <utility>

#include "threadpool/green/internal/stack.hpp"

#if defined(__SANITIZE_ADDRESS__)
#define MP_GREEN_ASAN 1
#include <sanitizer/common_interface_defs.h>
#endif
#if defined(__SANITIZE_THREAD__)
#define MP_GREEN_TSAN 1
#include <sanitizer/tsan_interface.h>
#endif

namespace mp::threadpool::green {

// The thread's greenlet bookkeeping: its main greenlet, the running one, and about
// the last switch: the greenlet switched away from, and a greenlet that died in that
// switch, whose stack the resumed side frees (a dying greenlet cannot unmap the stack
// it still runs on).
struct ThreadGreenlets {
    std::unique_ptr<Greenlet> main{new Greenlet(Greenlet::MainTag{}, this)};
    Greenlet* current = main.get();
    Greenlet* previous = nullptr;
    Greenlet* died = nullptr;
};

namespace {

// A plain pointer, so the switch reads it without the guard a thread_local object with
// a constructor costs on every access; state() makes the object on first use.
thread_local ThreadGreenlets* t_state = nullptr;

ThreadGreenlets& state() {
    if (t_state == nullptr) [[unlikely]] {
        thread_local ThreadGreenlets greenlets;  // destroyed at thread exit
        t_state = &greenlets;
    }
    return *t_state;
}
std::atomic<unsigned long> g_counter{0};

}  // namespace

Greenlet::Greenlet(MainTag, const ThreadGreenlets* owner) : name_("main"), stack_size_(0), owner_(owner), started_(true) {
#if defined(MP_GREEN_TSAN)
    tsan_fiber_ = __tsan_get_current_fiber();
#endif
}

Greenlet::Greenlet(Run run, GreenletOptions options)
    : run_(std::move(run)),
      name_(options.name.empty() ? "greenlet-" + std::to_string(++g_counter) : std::move(options.name)),
      stack_size_(options.stack_size),
      parent_(&current()),
      owner_(t_state) {}

Greenlet::~Greenlet() {
    if (started_ && !dead_ && stack_ != nullptr && owner_ == t_state) {
        parent_ = &current();
        try {
            throw_into(GreenletExit{});
        } catch (...) {
            // The destructor only needs the stack unwound; what escaped it has no taker.
        }
    }
#if defined(MP_GREEN_TSAN)
    if (stack_size_ != 0 && tsan_fiber_ != nullptr) __tsan_destroy_fiber(tsan_fiber_);
#endif
}

Greenlet& Greenlet::current() {
    return *state().current;
}

// Out of line and cold: building the message must not weigh on every switch.
[[noreturn, gnu::cold, gnu::noinline]] static void throw_wrong_thread(const char* what, const std::string& name) {
    throw std::logic_error(std::string("green: ") + what + ": greenlet \"" + name + "\" belongs to another thread");
}

inline void Greenlet::check_thread(const char* what) const {
    if (owner_ != t_state) [[unlikely]]
        throw_wrong_thread(what, name_);
}

void Greenlet::set_parent(Greenlet& parent) {
    check_thread("set_parent");
    parent.check_thread("set_parent");
    for (const Greenlet* g = &parent; g != nullptr; g = g->parent_)
        if (g == this) throw std::invalid_argument("green: set_parent: \"" + parent.name_ + "\" would make a cycle");
    parent_ = &parent;
}

std::any Greenlet::switch_to(std::any value) {
    Transfer in{std::move(value), nullptr};
    return enter(in);
}

std::any Greenlet::throw_into(std::exception_ptr error) {
    Transfer in{{}, std::move(error)};
    return enter(in);
}

std::any Greenlet::enter(Transfer& in) {
    check_thread("switch_to");
    Greenlet* to = this;
    while (to->dead_) to = to->parent_;
    Greenlet& from = *t_state->current;
    Transfer out = to == &from ? std::move(in) : resume(from, *to, in, false);
    if (out.error) [[unlikely]]
        std::rethrow_exception(std::move(out.error));
    return std::move(out.value);
}

Greenlet::Transfer Greenlet::resume(Greenlet& from, Greenlet& to, Transfer& in, bool from_dies) {
    if (!to.started_) {
        // Mapped only now, so that spawning many greenlets that run one after another
        // holds few stacks at once; a failure leaves everything as it was.
        to.stack_ = internal::take_stack(to.stack_size_);
        to.stack_bottom_ = to.stack_->base();
        to.stack_bytes_ = to.stack_->size();
    }
    ThreadGreenlets& t = *t_state;
    t.previous = &from;
    t.died = from_dies ? &from : nullptr;
    t.current = &to;
    internal::set_running(to.stack_.get(), to.name_.c_str());
    if (!to.started_) {
        to.started_ = true;
        internal::make_context(to.context_, to.stack_->base(), to.stack_->size(), &Greenlet::entry);
#if defined(MP_GREEN_TSAN)
        to.tsan_fiber_ = __tsan_create_fiber(0);
#endif
    }
#if defined(MP_GREEN_ASAN)
    // A dying greenlet passes no slot: ASan then frees its fake stack.
    __sanitizer_start_switch_fiber(from_dies ? nullptr : &from.fake_stack_, to.stack_bottom_, to.stack_bytes_);
#endif
#if defined(MP_GREEN_TSAN)
    __tsan_switch_to_fiber(to.tsan_fiber_, 0);
#endif
    // The switch carries the address of `in`, which stays valid on this suspended
    // stack until the other side has moved it out (arrive): one move per switch,
    // nothing copied through the thread's state.
    void* transfer = internal::switch_context(from.context_, to.context_, &in);
    // Resumed: someone switched back to `from`.
    return arrive(from.fake_stack_, transfer);
}

// The first thing a resumed (or newly started) stack does: finish the sanitizer's
// switch, learn the bounds of the stack we came from (the main greenlet's are known
// only this way), take what the switch carries, and only then free the stack of a
// greenlet that died in the switch (the carried value lives on it).
Greenlet::Transfer Greenlet::arrive([[maybe_unused]] void* from_fake_stack, void* transfer) {
    ThreadGreenlets& t = *t_state;
#if defined(MP_GREEN_ASAN)
    const void* bottom = nullptr;
    std::size_t bytes = 0;
    __sanitizer_finish_switch_fiber(from_fake_stack, &bottom, &bytes);
    if (t.previous != nullptr && t.previous->stack_size_ == 0) {
        t.previous->stack_bottom_ = bottom;
        t.previous->stack_bytes_ = bytes;
    }
#endif
    Transfer in = std::move(*static_cast<Transfer*>(transfer));
    if (Greenlet* died = t.died) [[unlikely]] {
        t.died = nullptr;
        internal::give_back(std::move(died->stack_));
    }
    return in;
}

void Greenlet::entry(void* transfer) noexcept {
    Greenlet& self = *t_state->current;
    // `out` is what the final switch below carries to the parent, which moves it out
    // before freeing this stack; that switch never returns, so `out` is never
    // destroyed, and it holds nothing once moved from.
    Transfer out;
    Greenlet* to = nullptr;
    {
        // Everything else with a destructor lives in this block, for the same reason.
        Transfer in = arrive(nullptr, transfer);
        try {
            if (in.error) std::rethrow_exception(in.error);
            out.value = self.run_(std::move(in.value));
        } catch (const GreenletExit&) {
            // A normal end: the parent gets an empty value.
        } catch (...) {
            out.error = std::current_exception();
        }
        self.run_ = nullptr;
        self.dead_ = true;
        to = self.parent_;
        while (to->dead_) to = to->parent_;
    }
    resume(self, *to, out, true);
    __builtin_unreachable();
}

}  // namespace mp::threadpool::green

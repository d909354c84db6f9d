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

// The thread's greenlet bookkeeping: its main greenlet, the running one, and what a
// switch hands over (the value or error, the greenlet switched away from, and a
// greenlet that died in that switch, whose stack the resumed side frees: a dying
// greenlet cannot unmap the stack it still runs on).
struct ThreadGreenlets {
    std::unique_ptr<Greenlet> main{new Greenlet(Greenlet::MainTag{}, this)};
    Greenlet* current = main.get();
    Greenlet::Transfer pending;
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

void Greenlet::check_thread(const char* what) const {
    if (owner_ != t_state)
        throw std::logic_error(std::string("green: ") + what + ": greenlet \"" + name_ + "\" belongs to another thread");
}

void Greenlet::set_parent(Greenlet& parent) {
    check_thread("set_parent");
    parent.check_thread("set_parent");
    for (const Greenlet* g = &parent; g != nullptr; g = g->parent_)
        if (g == this) throw std::invalid_argument("green: set_parent: \"" + parent.name_ + "\" would make a cycle");
    parent_ = &parent;
}

std::any Greenlet::switch_to(std::any value) {
    return enter({std::move(value), nullptr});
}

std::any Greenlet::throw_into(std::exception_ptr error) {
    return enter({{}, std::move(error)});
}

std::any Greenlet::enter(Transfer in) {
    check_thread("switch_to");
    Greenlet* to = this;
    while (to->dead_) to = to->parent_;
    Greenlet& from = current();
    Transfer out = to == &from ? std::move(in) : resume(from, *to, std::move(in), false);
    if (out.error) std::rethrow_exception(out.error);
    return std::move(out.value);
}

Greenlet::Transfer Greenlet::resume(Greenlet& from, Greenlet& to, Transfer in, bool from_dies) {
    if (!to.started_) {
        // Mapped only now, so that spawning many greenlets that run one after another
        // holds few stacks at once; a failure leaves everything as it was.
        to.stack_ = internal::take_stack(to.stack_size_);
        to.stack_bottom_ = to.stack_->base();
        to.stack_bytes_ = to.stack_->size();
    }
    ThreadGreenlets& t = *t_state;
    t.pending = std::move(in);
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
    internal::switch_context(from.context_, to.context_, &to);
    // Resumed: someone switched back to `from`.
    after_switch(from.fake_stack_);
    return std::move(t_state->pending);
}

// The first thing a resumed (or newly started) stack does: finish the sanitizer's
// switch, learn the bounds of the stack we came from (the main greenlet's are known
// only this way), and free the stack of a greenlet that died in the switch.
void Greenlet::after_switch([[maybe_unused]] void* from_fake_stack) {
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
    if (Greenlet* died = std::exchange(t.died, nullptr)) internal::give_back(std::move(died->stack_));
}

void Greenlet::entry(void* self_pointer) noexcept {
    auto& self = *static_cast<Greenlet*>(self_pointer);
    after_switch(nullptr);
    Greenlet* to = nullptr;
    {
        // Everything with a destructor lives in this block: the final switch below
        // never returns, so nothing on this stack is destroyed after it.
        Transfer in = std::move(t_state->pending);
        Transfer out;
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
        t_state->pending = std::move(out);
    }
    resume(self, *to, std::move(t_state->pending), true);
    __builtin_unreachable();
}

}  // namespace mp::threadpool::green

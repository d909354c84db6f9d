// Private: a move-only std::function<R()>. C++20 has no std::move_only_function,
// and std::function copies what it holds, so it cannot hold the move-only objects
// programs hand to a Process or an initializer (an ipc::Queue, a Connection, a
// sync::Lock, a shm::Value).
#pragma once

#include <concepts>
#include <memory>
#include <type_traits>
#include <utility>

namespace mp::pool::internal {

template <class R>
class UniqueFunction {
public:
    UniqueFunction() = default;
    template <class F>
        requires(!std::same_as<std::decay_t<F>, UniqueFunction> && std::invocable<std::decay_t<F>&>)
    UniqueFunction(F&& f) : callable_(std::make_unique<Holder<std::decay_t<F>>>(std::forward<F>(f))) {}

    R operator()() const { return callable_->call(); }
    explicit operator bool() const noexcept { return callable_ != nullptr; }

private:
    struct Callable {
        virtual ~Callable() = default;
        virtual R call() = 0;
    };
    template <class F>
    struct Holder final : Callable {
        explicit Holder(F&& f) : f(std::move(f)) {}
        explicit Holder(const F& f) : f(f) {}
        R call() override { return static_cast<R>(f()); }
        F f;
    };
    std::unique_ptr<Callable> callable_;
};

}  // namespace mp::pool::internal

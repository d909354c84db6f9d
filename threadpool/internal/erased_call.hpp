// ErasedCall<R(Args...), Holder>: any callable of one signature behind a small
// virtual interface, as std::function, without <functional> in the public headers
// (it is a large part of what they cost to compile). The callable lives on the
// heap, held by std::shared_ptr (copyable handles: a pool's error handler, an
// executor's initializer) or std::unique_ptr (move-only: a future's done callback).
// May be empty (default-constructed); calling an empty one is undefined.
#pragma once

#include <memory>
#include <type_traits>
#include <utility>

namespace mp::threadpool::internal {

template <class Signature, template <class...> class Holder>
class ErasedCall;

template <class R, class... Args, template <class...> class Holder>
class ErasedCall<R(Args...), Holder> {
public:
    ErasedCall() = default;
    template <class F>
    requires(!std::is_same_v<std::decay_t<F>, ErasedCall> && std::is_invocable_r_v<R, std::decay_t<F>&, Args...>)
    ErasedCall(F&& f) : impl_(new Model<std::decay_t<F>>(std::forward<F>(f))) {}

    R operator()(Args... args) const { return impl_->call(std::forward<Args>(args)...); }
    explicit operator bool() const noexcept { return impl_ != nullptr; }

private:
    struct Concept {
        virtual ~Concept() = default;
        virtual R call(Args... args) = 0;
    };
    template <class F>
    struct Model final : Concept {
        explicit Model(F fn) : f(std::move(fn)) {}
        R call(Args... args) override { return f(std::forward<Args>(args)...); }
        F f;
    };
    Holder<Concept> impl_;
};

}  // namespace mp::threadpool::internal

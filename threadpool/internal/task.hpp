// Task: the pool's unit of work, a move-only type-erased job with inline storage, so
// a small job (a lambda plus a promise) is queued without a heap allocation — the
// allocation std::function makes for anything that is not trivially copyable.
//
// A job is any callable object that also has `void cancel() noexcept`: a Task is
// either run (operator()) or cancelled (terminate() dropped it), exactly once, and a
// Task destroyed with a job still inside cancels it, so no future can be left pending.
#pragma once

#include <cstddef>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>

namespace mp::threadpool::internal {

class Task {
public:
    static constexpr std::size_t kInlineBytes = 48;

    Task() noexcept = default;

    template <class Job, class = std::enable_if_t<!std::is_same_v<std::decay_t<Job>, Task>>>
    explicit Task(Job&& job) {
        using J = std::decay_t<Job>;
        if constexpr (fits_inline<J>()) {
            ::new (static_cast<void*>(storage_)) J(std::forward<Job>(job));
            ops_ = &inline_ops<J>;
        } else {
            *reinterpret_cast<J**>(storage_) = new J(std::forward<Job>(job));
            ops_ = &heap_ops<J>;
        }
    }

    Task(Task&& other) noexcept : ops_(other.ops_) {
        if (ops_ != nullptr) ops_->relocate(storage_, other.storage_);
        other.ops_ = nullptr;
    }
    Task& operator=(Task&& other) noexcept {
        if (this != &other) {
            reset();
            ops_ = other.ops_;
            if (ops_ != nullptr) ops_->relocate(storage_, other.storage_);
            other.ops_ = nullptr;
        }
        return *this;
    }
    Task(const Task&) = delete;
    Task& operator=(const Task&) = delete;
    ~Task() { reset(); }

    explicit operator bool() const noexcept { return ops_ != nullptr; }

    // Runs the job, then destroys it; the Task is empty afterwards. The job is
    // expected to handle its own exceptions (the pool's jobs all do).
    void run() {
        const Ops* ops = std::exchange(ops_, nullptr);
        ops->run_and_destroy(storage_);
    }

    // Cancels the job (see Job::cancel) and destroys it; a no-op on an empty Task.
    void reset() noexcept {
        if (const Ops* ops = std::exchange(ops_, nullptr)) ops->cancel_and_destroy(storage_);
    }

private:
    struct Ops {
        void (*run_and_destroy)(void* storage);
        void (*cancel_and_destroy)(void* storage) noexcept;
        void (*relocate)(void* to, void* from) noexcept;
    };

    template <class J>
    static constexpr bool fits_inline() {
        return sizeof(J) <= kInlineBytes && alignof(J) <= alignof(std::max_align_t) &&
               std::is_nothrow_move_constructible_v<J>;
    }

    template <class J>
    static J& inline_job(void* storage) noexcept {
        return *std::launder(static_cast<J*>(storage));
    }

    template <class J>
    static constexpr Ops inline_ops = {
        [](void* s) {
            J& job = inline_job<J>(s);
            struct Destroy {
                J& job;
                ~Destroy() { std::destroy_at(&job); }
            } destroy{job};
            job();
        },
        [](void* s) noexcept {
            J& job = inline_job<J>(s);
            job.cancel();
            std::destroy_at(&job);
        },
        [](void* to, void* from) noexcept {
            J& job = inline_job<J>(from);
            ::new (to) J(std::move(job));
            std::destroy_at(&job);
        },
    };

    template <class J>
    static constexpr Ops heap_ops = {
        [](void* s) {
            J* job = *static_cast<J**>(s);
            struct Destroy {
                J* job;
                ~Destroy() { delete job; }
            } destroy{job};
            (*job)();
        },
        [](void* s) noexcept {
            J* job = *static_cast<J**>(s);
            job->cancel();
            delete job;
        },
        [](void* to, void* from) noexcept { *static_cast<J**>(to) = *static_cast<J**>(from); },
    };

    const Ops* ops_ = nullptr;
    alignas(std::max_align_t) unsigned char storage_[kInlineBytes];
};

}  // namespace mp::threadpool::internal

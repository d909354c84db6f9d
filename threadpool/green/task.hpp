// spawn / Task / joinall: gevent's spawn, Greenlet.join/get/kill/ready and joinall.
//
//   using namespace mp::threadpool::green;
//   Task<int> a = spawn(square, 1);           // runs when the spawner next waits
//   Task<void> b = spawn(GreenletOptions{.name = "cleanup", .stack_size = 64 * 1024}, cleanup);
//   joinall({a, b});
//   int x = a.get();                          // re-throws what escaped square
//
// A task is a greenlet of the thread's hub (hub.hpp) whose parent is the hub: it
// starts the next time the hub runs (the spawner waits, sleeps or yields), in spawn
// order. Task handles are cheap copies of one shared state; dropping every handle
// neither kills nor detaches anything: a live task runs to its end (the hub holds it).
// Handles are for greenlets of the hub's thread only.
#pragma once

#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "threadpool/errors.hpp"
#include "threadpool/green/greenlet.hpp"
#include "threadpool/green/hub.hpp"
#include "threadpool/green/internal/task_core.hpp"

namespace mp::threadpool::green {

class TaskBase {
public:
    // Whether the task has ended (returned, thrown or been killed): gevent's ready().
    bool ready() const { return core_->done; }
    // Ended by returning.
    bool successful() const { return core_->done && !core_->error; }
    // What escaped the task (GreenletExit for a killed one); null while it runs or
    // when it returned.
    std::exception_ptr exception() const { return core_->error; }
    const std::string& name() const { return core_->greenlet->name(); }

    // Blocks the calling greenlet until the task ended. join_for returns false when
    // `timeout` ran out first. Throws std::logic_error when the task joins itself.
    void join() const;
    template <class Rep, class Period>
    [[nodiscard]] bool join_for(std::chrono::duration<Rep, Period> timeout) const {
        return join_until(mp::threadpool::internal::deadline_after(timeout));
    }

    // Raises GreenletExit in the task where it waits (one not started never runs) and
    // blocks until it ended. A task that already ended is left as it is. Killing the
    // running task itself throws GreenletExit at once.
    void kill() const;

    bool join_until(SteadyTime deadline) const;

protected:
    explicit TaskBase(std::shared_ptr<internal::TaskCore> core) : core_(std::move(core)) {}
    std::shared_ptr<internal::TaskCore> core_;
};

namespace internal {
template <class R>
struct TaskState : TaskCore {
    using TaskCore::TaskCore;
    std::optional<std::conditional_t<std::is_void_v<R>, bool, R>> value;
};
}  // namespace internal

template <class R>
class Task : public TaskBase {
public:
    // Made by spawn.
    explicit Task(std::shared_ptr<internal::TaskState<R>> state) : TaskBase(std::move(state)) {}

    // The task's result, after blocking until it ended; re-throws what escaped it
    // (GreenletExit if killed). get(timeout) throws TimeoutError when it did not end in
    // time. A copyable result can be got again; a move-only one is moved out once.
    R get() const {
        join();
        return result();
    }
    template <class Rep, class Period>
    R get(std::chrono::duration<Rep, Period> timeout) const {
        if (!join_for(timeout)) throw TimeoutError("green: get: the task " + name() + " did not end in time");
        return result();
    }

private:
    R result() const {
        if (core_->error) std::rethrow_exception(core_->error);
        if constexpr (std::is_copy_constructible_v<R>) {
            return *static_cast<internal::TaskState<R>&>(*core_).value;
        } else if constexpr (!std::is_void_v<R>) {
            return std::move(*static_cast<internal::TaskState<R>&>(*core_).value);
        }
    }
};

// Spawns f(args...) (decayed copies moved into the call) on this thread's hub.
// Returns its Task. Throws std::system_error if its stack cannot be mapped.
template <class F, class... Args>
auto spawn(GreenletOptions options, F&& f, Args&&... args) {
    using R = std::invoke_result_t<std::decay_t<F>, std::decay_t<Args>...>;
    Hub& hub = Hub::current();
    auto core = std::make_shared<internal::TaskState<R>>(hub);
    // The greenlet is owned by the core, so a raw pointer to it is never dangling; the
    // call sits behind a shared_ptr because Greenlet::Run (a std::function) must be
    // copyable and a call with move-only arguments is not.
    auto call = std::make_shared<std::tuple<std::decay_t<F>, std::decay_t<Args>...>>(std::forward<F>(f),
                                                                                     std::forward<Args>(args)...);
    core->greenlet = std::make_unique<Greenlet>(
        [state = core.get(), call](std::any) {
            state->run([&] {
                auto invoke = [](auto& fn, auto&... a) { return std::invoke(std::move(fn), std::move(a)...); };
                if constexpr (std::is_void_v<R>) {
                    std::apply(invoke, *call);
                    state->value.emplace(true);
                } else {
                    state->value.emplace(std::apply(invoke, *call));
                }
            });
            return std::any{};
        },
        std::move(options));
    hub.start(core);
    return Task<R>(std::move(core));
}

template <class F, class... Args>
auto spawn(F&& f, Args&&... args) {
    return spawn(GreenletOptions{}, std::forward<F>(f), std::forward<Args>(args)...);
}

// Blocks the calling greenlet until every task ended. joinall_for returns false when
// `timeout` ran out first (gevent's joinall(timeout) returns the ended ones: ask each
// ready()).
void joinall(const std::vector<TaskBase>& tasks);
bool joinall_until(const std::vector<TaskBase>& tasks, SteadyTime deadline);
template <class Rep, class Period>
[[nodiscard]] bool joinall_for(const std::vector<TaskBase>& tasks, std::chrono::duration<Rep, Period> timeout) {
    return joinall_until(tasks, mp::threadpool::internal::deadline_after(timeout));
}

}  // namespace mp::threadpool::green

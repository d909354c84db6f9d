// Event: Python's Event between threads and processes: a flag that set() raises,
// clear() lowers, and wait() blocks on until it is raised.
//
// Placement as for Lock (lock.hpp): `Event ready;` is anonymous (threads and forked
// children); `Event::open("ready")` creates or opens a named one.
//
// Lock-free: one futex word, no mutex, so a process killed anywhere inside an
// Event call leaves nothing to repair. A waiter woken by set() returns true even
// if clear() ran before it did, as in Python.
#pragma once

#include <chrono>
#include <string_view>

#include "sync/access.hpp"
#include "sync/internal/deadline.hpp"
#include "sync/internal/shared.hpp"
#include "sync/internal/states.hpp"

namespace mp::sync {

class Event {
public:
    // A new, cleared event in an anonymous shared mapping. Errors: std::system_error.
    Event();
    // Creates (cleared) or opens the named event. Errors: std::invalid_argument
    // (bad name, another kind), std::system_error.
    static Event open(std::string_view name, const Access& access = {});

    // Raises the flag and wakes every waiter. No effect if already set.
    void set();
    // Lowers the flag.
    void clear();
    bool is_set() const;

    // Blocks until the flag is raised. Returns at once if it is set.
    void wait() { wait_until_steady(internal::SteadyTime::max()); }
    // Waits at most `timeout` / until `deadline`: true when the flag was raised,
    // false when the time ran out first (Python's wait(timeout)).
    template <class Rep, class Period>
    [[nodiscard]] bool wait_for(const std::chrono::duration<Rep, Period>& timeout) {
        return wait_until_steady(internal::deadline_after(timeout));
    }
    template <class Clock, class Duration>
    [[nodiscard]] bool wait_until(const std::chrono::time_point<Clock, Duration>& deadline) {
        return wait_until_steady(internal::to_steady(deadline));
    }

private:
    explicit Event(internal::Shared<internal::EventState> shared) : shared_(std::move(shared)) {}
    bool wait_until_steady(internal::SteadyTime deadline);
    internal::Shared<internal::EventState> shared_;
};

}  // namespace mp::sync

// Shared<State>: a handle on a primitive's state placed in a Segment (anonymous or
// named). Move-only; dropping it unmaps this process's view, never destroys the
// state (other processes may still use it; a named one lives until removed).
#pragma once

#include <new>
#include <string_view>
#include <utility>

#include "sync/internal/segment.hpp"

namespace mp::sync::internal {

template <class State>
class Shared {
public:
    // A new state, constructed from `args`, in a new anonymous shared mapping.
    template <class... Args>
    static Shared anonymous(Kind kind, const Args&... args) {
        return Shared(Segment::anonymous(kind, sizeof(State), [&](void* at) { new (at) State(args...); }));
    }

    // The same in this process's heap, for its threads only (placement.hpp).
    template <class... Args>
    static Shared private_heap(Kind kind, const Args&... args) {
        return Shared(Segment::private_heap(kind, sizeof(State), [&](void* at) { new (at) State(args...); }));
    }

    // The state named `name`; constructed from `args` if this call creates it.
    template <class... Args>
    static Shared named(std::string_view name, const Access& access, Kind kind, const Args&... args) {
        return Shared(Segment::open_or_create(
            name, kind, sizeof(State), [&](void* at) { new (at) State(args...); }, access));
    }

    // See Segment: whether this handle still maps the state, and letting go of it
    // without unmapping.
    bool mapped() const { return segment_.mapped(); }
    void keep_for_process_lifetime() { segment_.keep_for_process_lifetime(); }

    State* operator->() const { return state_; }
    State& operator*() const { return *state_; }

private:
    explicit Shared(Segment segment) : segment_(std::move(segment)), state_(static_cast<State*>(segment_.state())) {}
    Segment segment_;
    State* state_;
};

}  // namespace mp::sync::internal

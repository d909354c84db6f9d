// The child registry: what the tool does with SIGINT, SIGTERM, SIGHUP and SIGQUIT
// while it has children. Each registered child either hears the signal too
// (forward: the tool then reports how the child ended) or is killed with the tool
// (kill_and_die: SIGKILL, reaped, then the tool dies of the signal, so no child
// and no zombie outlives an interrupted tour). With no child registered, a signal
// has its default effect. A signal the tool ignored when the first child was
// registered (SIGINT of a background job) stays ignored, for the tool and its
// children.
//
// Register from one thread (the handler reads the registry without a lock; it is
// only written while the forwarded signals are blocked in that thread).
#pragma once

#include <signal.h>
#include <sys/types.h>

namespace mp::cli {

enum class OnSignal { forward, kill_and_die };

// Blocks the forwarded signals for its lifetime: construct it before fork and
// register the child before it ends, so that a signal arriving in between waits
// for the registration instead of finding no child to pass to.
class SignalHold {
public:
    SignalHold();
    ~SignalHold();
    SignalHold(const SignalHold&) = delete;
    SignalHold& operator=(const SignalHold&) = delete;

    // In a child forked under this hold, before it runs anything: the signals get
    // their default action again (where the registry had installed its handler)
    // and the mask the parent had before the hold. Async-signal-safe (vfork too).
    void in_child() const;

private:
    sigset_t old_;
};

// Registers `target` for its lifetime: a kill() target, a pid for a child in our
// process group or -pgid for a child that leads its own group. A signal from the
// terminal (si_code SI_KERNEL) is not forwarded to a pid target: it already
// reached our whole foreground group, child included.
class ChildRegistration {
public:
    ChildRegistration(pid_t target, OnSignal mode);
    ~ChildRegistration();
    ChildRegistration(const ChildRegistration&) = delete;
    ChildRegistration& operator=(const ChildRegistration&) = delete;

private:
    pid_t target_;
};

}  // namespace mp::cli

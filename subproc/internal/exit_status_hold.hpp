// Keeps the exit statuses of our children collectable. A program that ignores
// SIGCHLD (SIG_IGN or SA_NOCLDWAIT, set by the program or inherited across exec from
// a parent that ignored it) makes the kernel reap its children by itself, and their
// exit statuses are lost: a failing child would look like a success. While at least
// one hold exists, SIGCHLD is at its default; the program's own disposition comes
// back when the last hold goes. A program that handles SIGCHLD is left alone.
#pragma once

namespace mp::subproc::internal {

class ExitStatusHold {
public:
    ExitStatusHold();
    ~ExitStatusHold() { release(); }
    ExitStatusHold(ExitStatusHold&& other) noexcept : held_(other.held_) { other.held_ = false; }
    ExitStatusHold& operator=(ExitStatusHold&& other) noexcept;
    ExitStatusHold(const ExitStatusHold&) = delete;
    ExitStatusHold& operator=(const ExitStatusHold&) = delete;

    // The child is reaped: its status no longer needs keeping.
    void release() noexcept;

private:
    bool held_ = true;
};

}  // namespace mp::subproc::internal

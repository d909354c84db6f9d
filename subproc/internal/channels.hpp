// The parent's ends of a child's standard pipes and the one poll loop that moves
// data through all of them at once. Every wait in Popen and Pipeline goes through
// pump(), so no call can block on one pipe while the child blocks on another: a
// child that fills stderr while we wait for stdout, or for its exit, cannot deadlock.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "subproc/internal/exit_watch.hpp"
#include "subproc/internal/fd.hpp"

namespace mp::subproc::internal {

struct Channels {
    UniqueFd in;   // we write `input` here (non-blocking)
    UniqueFd out;  // we read the child's stdout into out_data (non-blocking)
    UniqueFd err;  // we read the child's stderr into err_data (non-blocking)
    // What is left to write: a view of the caller's buffer during a call, of
    // input_storage once keep_input() has copied it for a later call.
    std::string_view input;
    std::string input_storage;
    std::size_t input_written = 0;
    std::string out_data;
    std::size_t out_consumed = 0;  // bytes of out_data already returned by readline
    std::string err_data;
    // Where read() puts bytes before they are appended to out_data/err_data
    // (allocated on first use). Appending from here measured ~1.5x faster than
    // reading straight into a resized string, whose zero-filled tail is re-grown
    // on every read.
    std::unique_ptr<char[]> read_buffer;

    // Takes our ends of freshly made pipes (any may be empty) and makes them non-blocking.
    void adopt(UniqueFd stdin_end, UniqueFd stdout_end, UniqueFd stderr_end);
    bool outputs_open() const { return out || err; }
    // Returns the unread stdout and all stderr, leaving both buffers empty.
    std::string take_out();
    std::string take_err();
    void close_all();
    // Copies the input not yet written into input_storage, so the caller's buffer
    // may go away before the next call resumes writing.
    void keep_input();
};

enum class Until {
    all_closed,  // input fully written (or refused) and both outputs at EOF
    line_ready,  // a whole line (or the last bytes before EOF) is in out_data
    exited,      // the watched child has exited (outputs stay open; a grandchild may hold them)
};

// Writes pending input and reads both outputs until `goal` holds (true) or the
// deadline passes (false). Even a deadline already passed (a zero timeout) first
// takes what the pipes hold and writes what they accept, without waiting. A child
// that closed its stdin early ends the input (EPIPE, without a SIGPIPE reaching the
// process). `watch` is needed for Until::exited.
// Throws std::system_error when poll/read/write fail for another reason.
bool pump(Channels& channels, Until goal, Deadline deadline, ExitWatch* watch = nullptr);

}  // namespace mp::subproc::internal

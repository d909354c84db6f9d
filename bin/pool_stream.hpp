// A job of bin/pool whose output goes on as it comes (--line-buffer, -u), not
// collected whole: the I/O loop between the job's pipes and the tool.
#pragma once

#include <functional>
#include <string_view>

#include "bin/pool_input.hpp"
#include "subproc/subproc.hpp"

namespace mp::tools::pool {

// Writes `input` to the started `job`'s stdin (a PIPE, or none when `input` is
// empty) and closes it, passes each piece of its stdout (fd 1) and stderr (fd 2) to
// `emit` as it comes (whole lines only when `whole_lines`; a last line without its
// '\n' at the end), then reaps it. Returns false when `timeout` passed first: the
// job still runs then (Popen::stop ends it). A job that stops reading its stdin
// (EPIPE) simply gets no more of it. Throws std::system_error when poll, read or
// reading the input file fails.
bool stream_job(mp::subproc::Popen& job, const JobInput& input, mp::subproc::Timeout timeout, bool whole_lines,
                const std::function<void(int fd, std::string_view text)>& emit);

}  // namespace mp::tools::pool

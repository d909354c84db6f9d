// GNU parallel's --termseq: the signals a job's process group gets when it is
// stopped (--timeout, --halt now, --memfree, SIGINT/SIGTERM), each followed by how long to wait
// for it to end: "TERM,200,TERM,100,TERM,50,KILL,25". Whatever is still in the group
// after the last wait gets SIGKILL: no process outlives its job.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace mp::tools::pool {

struct TermStep {
    int signal;
    std::chrono::milliseconds wait;
};
using TermSeq = std::vector<TermStep>;

// bin/pool's default: TERM, one second, KILL.
TermSeq default_termseq();

// SIG,MS[,SIG,MS]...: signal names (TERM, SIGTERM) or numbers, waits in milliseconds
// (a last wait may be left out: 0). Throws cli::UsageError naming the value.
TermSeq parse_termseq(const std::string& text);

}  // namespace mp::tools::pool

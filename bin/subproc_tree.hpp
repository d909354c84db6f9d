// The process tree under bin/subproc run, setsid escapees included: the tool makes
// itself a child subreaper, so a descendant whose parent exits is re-parented to
// the tool instead of init and stays findable through /proc's parent links.
#pragma once

#include <sys/types.h>

namespace mp::tools::subproc {

// prctl(PR_SET_CHILD_SUBREAPER): from now on orphaned descendants become our
// children. Throws std::system_error naming the call.
void adopt_orphans();

// Sends `signal` to every descendant of this process (children, theirs, ...),
// whatever group or session it is in. The walk repeats until it finds no process
// it has not signalled, so one forked meanwhile is caught too.
void signal_descendants(int signal);

}  // namespace mp::tools::subproc

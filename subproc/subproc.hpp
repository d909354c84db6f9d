// mp::subproc: Python's subprocess module for C++20 on POSIX.
//
//   Popen      one child: communicate, wait, poll, readline/lines, signals, stop
//   run        start, feed, capture, wait, with timeout and check, in one call;
//              check_output, check_call, call, getoutput, getstatusoutput
//   Pipeline   stages connected stdout to stdin without a shell; pipeline()
//   Options    streams (PIPE, DEVNULL, STDOUT, fds, files), cwd, env, process group,
//              close_fds/pass_fds, umask, stop sequence
//   errors     SpawnError, CalledProcessError, TimeoutExpired
//
// It does not run a shell unless asked (Options::shell), and it never leaves a child
// unreaped: every Popen and Pipeline reaps what it started.
#pragma once

#include "subproc/errors.hpp"
#include "subproc/options.hpp"
#include "subproc/pipeline.hpp"
#include "subproc/popen.hpp"
#include "subproc/run.hpp"
#include "subproc/timeout.hpp"

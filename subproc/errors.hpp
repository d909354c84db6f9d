// The exceptions of mp::subproc, named as in Python's subprocess module.
//
//   SpawnError          the program could not be started (errno + the failed step)
//   SubprocessError     base of the two outcomes below
//   CalledProcessError  check=true and the command failed (carries its output)
//   TimeoutExpired      a timed call ran out of time (carries the partial output)
//
// Anything else an OS call reports is a plain std::system_error naming the call.
#pragma once

#include <chrono>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

namespace mp::subproc {

// SpawnError: starting the program failed before it ran a single instruction of its
// own, so no child is left behind. code() holds the errno: ENOENT (not found),
// EACCES (not executable), ENOEXEC (not a valid executable), EAGAIN (no process
// could be made: RLIMIT_NPROC or the pid limit). step() names what failed: "fork",
// "exec", "chdir", "dup2", "setpgid", "setsid", "umask", "prctl" or "preexec_fn". what() names the step and
// its object: `exec("nope"): No such file or directory`, `chdir("/gone"): ...`.
class SpawnError : public std::system_error {
public:
    // `object` is what the step worked on; the program itself when empty.
    SpawnError(int error, std::string step, std::string program, const std::string& object = {});
    const std::string& step() const { return step_; }
    const std::string& program() const { return program_; }

private:
    std::string step_;
    std::string program_;
};

// SubprocessError: the base of the outcomes a caller may want to branch on.
class SubprocessError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// CalledProcessError: thrown by check=true calls when the command failed.
// returncode() is the exit status, or -N when signal N ended it; out()/err() hold
// what was captured (empty when not captured). what() ends with the tail of err().
class CalledProcessError : public SubprocessError {
public:
    CalledProcessError(int returncode, std::vector<std::string> args, std::string out, std::string err);
    int returncode() const { return returncode_; }
    const std::vector<std::string>& args() const { return args_; }
    const std::string& out() const { return out_; }
    const std::string& err() const { return err_; }

private:
    int returncode_;
    std::vector<std::string> args_;
    std::string out_;
    std::string err_;
};

// TimeoutExpired: a timed call (wait, communicate, readline, run, pipeline) ran out
// of time. out()/err() hold what had been captured until then. Whether the child is
// still running depends on the call: Popen methods leave it running (call again or
// kill it); run() and pipeline() have already killed and reaped it.
class TimeoutExpired : public SubprocessError {
public:
    TimeoutExpired(std::vector<std::string> args, std::chrono::nanoseconds timeout, std::string out = {},
                   std::string err = {});
    const std::vector<std::string>& args() const { return args_; }
    std::chrono::nanoseconds timeout() const { return timeout_; }
    const std::string& out() const { return out_; }
    const std::string& err() const { return err_; }

private:
    std::vector<std::string> args_;
    std::chrono::nanoseconds timeout_;
    std::string out_;
    std::string err_;
};

// "ls -l 'my file'": args joined for messages, quoted where a shell would need it.
std::string join_args(const std::vector<std::string>& args);

// "SIGKILL" for 9, "signal 99" for a number with no name.
std::string signal_name(int signal);

}  // namespace mp::subproc

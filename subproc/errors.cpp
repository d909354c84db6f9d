#include "subproc/errors.hpp"

#include <signal.h>
#include <string.h>

namespace mp::subproc {

namespace {

std::string quote_if_needed(const std::string& word) {
    if (word == "|") return word;  // the stage separator of a pipeline's joined args
    if (!word.empty() && word.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                "0123456789@%+=:,./-_") == std::string::npos)
        return word;
    std::string quoted = "'";
    for (char c : word) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return quoted + "'";
}

// The last line of `text` (at most ~200 bytes), for error messages.
std::string tail_line(const std::string& text) {
    std::string tail = text;
    while (!tail.empty() && (tail.back() == '\n' || tail.back() == '\r')) tail.pop_back();
    if (const auto newline = tail.rfind('\n'); newline != std::string::npos) tail.erase(0, newline + 1);
    if (tail.size() > 200) tail = "..." + tail.substr(tail.size() - 200);
    return tail;
}

// A one-word command (a shell command line) as is, else the words joined.
std::string describe_command(const std::vector<std::string>& args) {
    return "Command '" + (args.size() == 1 ? args[0] : join_args(args)) + "'";
}

std::string describe_failure(int returncode, const std::vector<std::string>& args, const std::string& err) {
    std::string message = "subproc: " + describe_command(args) + " ";
    message += returncode < 0 ? "died with " + signal_name(-returncode)
                              : "returned non-zero exit status " + std::to_string(returncode);
    const std::string tail = tail_line(err);
    if (!tail.empty()) message += ": " + tail;
    return message;
}

std::string describe_timeout(const std::vector<std::string>& args, std::chrono::nanoseconds timeout) {
    const double seconds = std::chrono::duration<double>(timeout).count();
    char text[64];
    snprintf(text, sizeof text, "%g", seconds);
    return "subproc: " + describe_command(args) + " timed out after " + text + " seconds";
}

}  // namespace

SpawnError::SpawnError(int error, std::string step, std::string program, const std::string& object)
    : std::system_error(error, std::generic_category(),
                        step + "(\"" + (object.empty() ? program : object) + "\")"),
      step_(std::move(step)),
      program_(std::move(program)) {}

CalledProcessError::CalledProcessError(int returncode, std::vector<std::string> args, std::string out,
                                       std::string err)
    : SubprocessError(describe_failure(returncode, args, err)),
      returncode_(returncode),
      args_(std::move(args)),
      out_(std::move(out)),
      err_(std::move(err)) {}

TimeoutExpired::TimeoutExpired(std::vector<std::string> args, std::chrono::nanoseconds timeout, std::string out,
                               std::string err)
    : SubprocessError(describe_timeout(args, timeout)),
      args_(std::move(args)),
      timeout_(timeout),
      out_(std::move(out)),
      err_(std::move(err)) {}

std::string join_args(const std::vector<std::string>& args) {
    std::string joined;
    for (const std::string& arg : args) joined += (joined.empty() ? "" : " ") + quote_if_needed(arg);
    return joined;
}

std::string signal_name(int signal) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32))
    if (const char* abbrev = sigabbrev_np(signal)) return std::string("SIG") + abbrev;
#endif
    return "signal " + std::to_string(signal);
}

}  // namespace mp::subproc

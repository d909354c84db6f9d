#include "pool/errors.hpp"

#include <cstring>

namespace mp::pool {

namespace {

std::string describe_death(pid_t pid, int signal, int exit_code) {
    std::string text = "pool: worker " + std::to_string(pid) + " died: ";
    if (signal != 0) return text + "signal " + std::to_string(signal) + " (" + strsignal(signal) + ")";
    return text + "exit code " + std::to_string(exit_code);
}

}  // namespace

bool internal::is_cancellation(const std::exception_ptr& error) noexcept {
    try {
        std::rethrow_exception(error);
    } catch (const CancelledError&) {
        return true;
    } catch (...) {
        return false;
    }
}

WorkerDied::WorkerDied(pid_t pid, int signal, int exit_code)
    : std::runtime_error(describe_death(pid, signal, exit_code)), pid_(pid), signal_(signal), exit_code_(exit_code) {}

RemoteError::RemoteError(std::string type_name, std::string message, pid_t pid)
    : std::runtime_error(type_name + ": " + message),
      type_name_(std::move(type_name)),
      message_(std::move(message)),
      pid_(pid) {}

}  // namespace mp::pool

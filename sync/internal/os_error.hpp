// std::system_error for a failed OS call, worded as DESIGN.md asks: the message
// names the call and, where there is one, its object:
//   shm_open("/mp-counter"): Permission denied
// The one helper for sync and the libraries above it.
#pragma once

#include <cerrno>
#include <string>
#include <string_view>

namespace mp::sync::internal {

// Throws std::system_error(error) whose message is "<call>: <strerror>".
[[noreturn]] void throw_errno(const std::string& call, int error = errno);
// Throws std::system_error(error) whose message is "<call>("<object>"): <strerror>".
[[noreturn]] void throw_errno(const std::string& call, std::string_view object, int error = errno);

}  // namespace mp::sync::internal

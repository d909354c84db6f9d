// The excepthook's way of printing an exception, for the other places that must
// report one nobody can receive (a future's done callback that threw).
#pragma once

#include <string>

namespace mp::threadpool::internal {

// Prints `heading`, then "type: message" of the exception being handled, on stderr
// in one write. Called inside a catch block.
void print_current_exception(const std::string& heading) noexcept;

}  // namespace mp::threadpool::internal

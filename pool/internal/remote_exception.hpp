// Private: a task's exception rebuilt in the parent from what the worker sent.
#pragma once

#include <sys/types.h>

#include <exception>

#include "pool/internal/child.hpp"

namespace mp::pool::internal {

// The exception `text` describes, as its own type when that type is known (see
// pool/exceptions.hpp), else as RemoteError naming the worker `pid`.
std::exception_ptr rebuild_exception(const ExceptionText& text, pid_t pid);

}  // namespace mp::pool::internal

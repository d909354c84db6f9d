// Fd: an owned file descriptor, closed by its destructor (move-only): get(),
// release(), reset(fd), and a bool test for "owns one". Defined once, in sync.
#pragma once

#include "sync/internal/fd.hpp"

namespace mp::ipc {

using Fd = sync::internal::Fd;

}  // namespace mp::ipc

// mp::ipc: Connections (framed pipes and socketpairs), a codec for typed messages,
// descriptor passing, and multi-process queues. See ipc/README.md.
#pragma once

#include "ipc/codec.hpp"
#include "ipc/connection.hpp"
#include "ipc/errors.hpp"
#include "ipc/fd.hpp"
#include "ipc/manager.hpp"
#include "ipc/object.hpp"
#include "ipc/queue.hpp"

// mp::sync: Python's Lock, RLock, Semaphore, BoundedSemaphore, Event, Condition and
// Barrier, shared between threads and processes, robust to a holder that dies.
// See sync/README.md.
#pragma once

#include "sync/access.hpp"
#include "sync/barrier.hpp"
#include "sync/condition.hpp"
#include "sync/errors.hpp"
#include "sync/event.hpp"
#include "sync/lock.hpp"
#include "sync/named.hpp"
#include "sync/placement.hpp"
#include "sync/process_mutex.hpp"
#include "sync/semaphore.hpp"

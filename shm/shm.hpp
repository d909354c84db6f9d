// mp::shm: shared memory between processes, after Python's multiprocessing.Value,
// multiprocessing.Array and multiprocessing.shared_memory.SharedMemory.
//
// - SharedMemory: a named or anonymous block of bytes; ownership explicit in the type.
// - Value<T>, Array<T>: typed data with a header that attaching checks, a robust
//   process-shared lock, and lock-free atomics.
// - DynamicArray: a typed segment whose type code is read at run time.
// - list_segments(), collect_garbage(): what is in /dev/shm, and removing the dead.
#pragma once

#include "shm/array.hpp"
#include "shm/dynamic_array.hpp"
#include "shm/gc.hpp"
#include "shm/errors.hpp"
#include "shm/lock.hpp"
#include "shm/options.hpp"
#include "shm/segment_header.hpp"
#include "shm/shared_memory.hpp"
#include "shm/type_code.hpp"
#include "shm/value.hpp"

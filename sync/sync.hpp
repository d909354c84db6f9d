// mp::sync: process-shared synchronization primitives that survive a dead holder.
#pragma once

#include "sync/process_mutex.hpp"

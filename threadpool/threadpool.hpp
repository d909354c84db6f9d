// threadpool: threads, thread queues and a fast thread pool — Python's threading /
// queue / concurrent.futures.ThreadPoolExecutor for C++20. Depends on nothing
// but the C++ standard library and POSIX threads.
#pragma once

#include "threadpool/blocking_queue.hpp"
#include "threadpool/errors.hpp"
#include "threadpool/excepthook.hpp"
#include "threadpool/executor.hpp"
#include "threadpool/future.hpp"
#include "threadpool/futures.hpp"
#include "threadpool/idle_timeout.hpp"
#include "threadpool/lifo_queue.hpp"
#include "threadpool/priority_queue.hpp"
#include "threadpool/result.hpp"
#include "threadpool/simple_queue.hpp"
#include "threadpool/thread.hpp"
#include "threadpool/thread_pool.hpp"
#include "threadpool/timer.hpp"

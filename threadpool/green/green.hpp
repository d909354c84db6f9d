// green: greenlet and gevent for C++ — stackful coroutines switched explicitly
// (Greenlet) and, on top, one cooperative scheduler per thread over epoll or poll(2)
// (Hub) with spawn / sleep / joinall, Timeout, Event / Queue / Lock / Semaphore and
// I/O calls that let the other greenlets run while one waits. See
// threadpool/README.md "green".
#pragma once

#include "threadpool/green/child.hpp"
#include "threadpool/green/event.hpp"
#include "threadpool/green/greenlet.hpp"
#include "threadpool/green/hub.hpp"
#include "threadpool/green/io.hpp"
#include "threadpool/green/offload.hpp"
#include "threadpool/green/queue.hpp"
#include "threadpool/green/semaphore.hpp"
#include "threadpool/green/task.hpp"
#include "threadpool/green/timeout.hpp"

// PriorityQueue<T, Compare>: Python's queue.PriorityQueue: get takes the smallest
// item (by `Compare`, std::less by default, as Python's heapq), and items that
// compare equal come out in the order they were put (Python does not promise
// that; here it is part of the contract, kept by a sequence number per put).
// Everything else is BlockingQueue's contract (see lifo_queue.hpp for the list):
// put/get block, put(x, timeout)/get(timeout) throw QueueFull/QueueEmpty, the try_
// forms report, task_done/join/join_for count, close wakes everyone and makes every
// form throw QueueClosed (gets drain first). Move-only T works.
//
//   using Job = std::pair<int, std::string>;   // (priority, what), as in Python
//   auto by_priority = [](const Job& a, const Job& b) { return a.first < b.first; };
//   mp::threadpool::PriorityQueue<Job, decltype(by_priority)> jobs(0, by_priority);
//   jobs.put(Job{2, "write"});
//   jobs.put(Job{1, "read"});
//   jobs.put(Job{1, "parse"});
//   Job next = jobs.get();   // {1, "read"}, then {1, "parse"}, then {2, "write"}
//
// `Compare` is a strict weak order; it runs with the queue's lock held, so it must
// not use the queue. It may throw: the exception reaches the caller of put or get
// (every form, try_ and timed ones too) and the queue is as it was before the call:
// put has not queued the item (a T passed as an rvalue is moved back into the
// caller's variable) nor counted it for task_done/join, get has not taken one. T must
// be nothrow move-assignable as well. put and get cost O(log n).
#pragma once

#include <cstddef>
#include <functional>
#include <utility>

#include "threadpool/internal/locked_queue.hpp"
#include "threadpool/internal/priority_order.hpp"

namespace mp::threadpool {

template <class T, class Compare = std::less<T>>
class PriorityQueue : public internal::LockedQueue<T, internal::PriorityOrder<T, Compare>> {
public:
    // maxsize 0 means unbounded (as in Python).
    explicit PriorityQueue(std::size_t maxsize = 0, Compare compare = Compare())
        : internal::LockedQueue<T, internal::PriorityOrder<T, Compare>>(
              maxsize, internal::PriorityOrder<T, Compare>(std::move(compare))) {}
};

}  // namespace mp::threadpool

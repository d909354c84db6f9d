#include "ipc/manager_sync.hpp"

#include "ipc/internal/call_arguments.hpp"

namespace mp::ipc {

using internal::Method;

// ---- Queue ----
bool QueueProxy::put_within(Object item, std::int64_t timeout_ns) {
    return call(Method::queue_put, internal::call_arguments(std::move(item)), timeout_ns).as_bool();
}
std::optional<Object> QueueProxy::get_within(std::int64_t timeout_ns) {
    List got = call(Method::queue_get, {}, timeout_ns).as_list();  // [item], or [] when the time ran out
    if (got.empty()) return std::nullopt;
    return std::move(got.front());
}
std::size_t QueueProxy::qsize() const { return static_cast<std::size_t>(call(Method::queue_qsize).as_int()); }
bool QueueProxy::full() const { return call(Method::queue_full).as_bool(); }
void QueueProxy::task_done() { call(Method::queue_task_done); }
bool QueueProxy::join_within(std::int64_t timeout_ns) { return call(Method::queue_join, {}, timeout_ns).as_bool(); }

// ---- Semaphore, Condition ----
std::uint32_t SemaphoreProxy::value() const { return static_cast<std::uint32_t>(call(Method::semaphore_value).as_int()); }
bool ConditionProxy::wait_within(std::int64_t timeout_ns) { return call(Method::condition_wait, {}, timeout_ns).as_bool(); }
void ConditionProxy::notify(std::uint32_t n) { call(Method::condition_notify, internal::call_arguments(std::int64_t{n})); }

// ---- Event ----
void EventProxy::set() { call(Method::event_set); }
void EventProxy::clear() { call(Method::event_clear); }
bool EventProxy::is_set() const { return call(Method::event_is_set).as_bool(); }
bool EventProxy::wait_within(std::int64_t timeout_ns) { return call(Method::event_wait, {}, timeout_ns).as_bool(); }

// ---- Barrier ----
std::uint32_t BarrierProxy::wait_within(std::int64_t timeout_ns) {
    return static_cast<std::uint32_t>(call(Method::barrier_wait, {}, timeout_ns).as_int());
}
void BarrierProxy::abort() { call(Method::barrier_abort); }
void BarrierProxy::reset() { call(Method::barrier_reset); }
std::uint32_t BarrierProxy::parties() const { return static_cast<std::uint32_t>(call(Method::barrier_parties).as_int()); }
std::uint32_t BarrierProxy::n_waiting() const {
    return static_cast<std::uint32_t>(call(Method::barrier_n_waiting).as_int());
}
bool BarrierProxy::broken() const { return call(Method::barrier_broken).as_bool(); }

}  // namespace mp::ipc

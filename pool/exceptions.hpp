// Exceptions keep their type across the process boundary, as in Python, where a
// worker's ValueError is raised as ValueError by AsyncResult.get(). A task's
// exception travels as its type name, message (and, for std::system_error, its
// error code); the parent rebuilds it when it knows the type:
// - the standard ones: std::runtime_error, logic_error, invalid_argument,
//   out_of_range, length_error, domain_error, range_error, overflow_error,
//   underflow_error, bad_alloc, system_error (with its code and category);
// - mp's own: TimeoutError (one type for pool, ipc and sync), pool's CancelledError,
//   BrokenPool; ipc's EOFError, BrokenPipeError, DecodeError, MessageTooLarge,
//   QueueFull, QueueEmpty, QueueClosed; sync's BrokenBarrierError, ValueError;
// - yours, once registered:
//
//   struct ParseError : std::runtime_error { using std::runtime_error::runtime_error; };
//   mp::pool::register_exception<ParseError>();
//
// Anything else arrives as RemoteError (type name, message, worker pid). The most
// derived type is what travels: a class derived from std::runtime_error that is
// not registered arrives as RemoteError, not as std::runtime_error.
#pragma once

#include <exception>
#include <functional>
#include <string>
#include <type_traits>
#include <typeinfo>

namespace mp::pool {

namespace internal {
using ExceptionFactory = std::function<std::exception_ptr(const std::string& message)>;
void register_exception_factory(const std::type_info& type, ExceptionFactory make);
}  // namespace internal

// Makes exceptions of type E thrown by tasks arrive as E (rebuilt as E(message)).
// Call it in the parent, before the results arrive (registration is process-wide
// and thread-safe; the workers need nothing).
template <class E>
void register_exception() {
    static_assert(std::is_constructible_v<E, std::string>,
                  "mp::pool::register_exception<E>: E must be constructible from its message (a std::string)");
    internal::register_exception_factory(typeid(E), [](const std::string& message) {
        return std::make_exception_ptr(E(message));
    });
}

}  // namespace mp::pool

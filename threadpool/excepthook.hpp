// The excepthook: where an exception escaping a Thread's target or run() goes
// (Python's threading.excepthook).
//
// By default it is printed on stderr, in one write, as Python prints it:
//   Exception in thread Thread-1:
//   std::runtime_error: disk full
// (the demangled type, then what(); a type not derived from std::exception shows
// its type alone). set_excepthook installs a function called instead, on the
// thread that failed, after its run ended and before join() returns. A hook that
// throws has its own exception printed ("Exception in threading.excepthook:").
#pragma once

#include <cstdint>
#include <exception>
#include <functional>
#include <string>

namespace mp::threadpool {

// ExceptHookArgs: Python's ExceptHookArgs, with the thread given by name and ident.
struct ExceptHookArgs {
    std::exception_ptr exception;
    std::string type;     // demangled: "std::runtime_error", "int"
    std::string message;  // what(), or empty when not a std::exception
    std::string thread_name;
    std::uint64_t thread_ident = 0;
};

using ExceptHook = std::function<void(const ExceptHookArgs&)>;

// Installs `hook` for every thread (an empty one restores the printing) and returns
// the previous hook (empty when it was the printing). Thread-safe.
ExceptHook set_excepthook(ExceptHook hook);

}  // namespace mp::threadpool

#include "threadpool/excepthook.hpp"

#include <cxxabi.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <typeinfo>

#include "threadpool/internal/exception_report.hpp"
#include "threadpool/internal/thread_state.hpp"

namespace mp::threadpool {

namespace {

// Leaked: a daemon thread may fail while exit() destroys static objects.
struct Installed {
    std::mutex mutex;
    ExceptHook hook;
};
Installed& installed() {
    static Installed* const instance = new Installed;
    return *instance;
}

std::string demangle(const std::type_info* type) {
    if (type == nullptr) return "unknown exception";
    int status = 0;
    const std::unique_ptr<char, decltype(&std::free)> name(abi::__cxa_demangle(type->name(), nullptr, nullptr, &status),
                                                           &std::free);
    return status == 0 && name ? name.get() : type->name();
}

// The exception being handled, described. Called inside a catch block.
ExceptHookArgs describe_current() {
    ExceptHookArgs args;
    args.exception = std::current_exception();
    args.type = demangle(abi::__cxa_current_exception_type());
    try {
        throw;
    } catch (const std::exception& e) {
        args.message = e.what();
    } catch (...) {
    }
    return args;
}

// One write, so that lines of threads failing together do not interleave.
void print(const std::string& heading, const ExceptHookArgs& args) {
    std::string text = heading + "\n" + args.type;
    if (!args.message.empty()) text += ": " + args.message;
    text += "\n";
    for (std::size_t done = 0; done < text.size();) {
        const ssize_t n = write(STDERR_FILENO, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        done += static_cast<std::size_t>(n);
    }
}

}  // namespace

void internal::print_current_exception(const std::string& heading) noexcept {
    try {
        print(heading, describe_current());
    } catch (...) {
    }
}

ExceptHook set_excepthook(ExceptHook hook) {
    std::lock_guard lock(installed().mutex);
    std::swap(installed().hook, hook);
    return hook;
}

void internal::report_uncaught_exception(const ThreadState& state) noexcept {
    try {
        ExceptHookArgs args = describe_current();
        {
            std::lock_guard lock(state.mutex);
            args.thread_name = state.name;
        }
        args.thread_ident = state.ident.load();
        ExceptHook hook;
        {
            std::lock_guard lock(installed().mutex);
            hook = installed().hook;
        }
        if (!hook) return print("Exception in thread " + args.thread_name + ":", args);
        try {
            hook(args);
        } catch (...) {
            print("Exception in threading.excepthook:", describe_current());
        }
    } catch (...) {
        // Out of memory while describing it: nothing more can be said.
    }
}

}  // namespace mp::threadpool

#include "pool/internal/remote_exception.hpp"

#include <mutex>
#include <new>
#include <stdexcept>
#include <string>
#include <system_error>
#include <unordered_map>

#include "ipc/errors.hpp"
#include "pool/errors.hpp"
#include "pool/exceptions.hpp"
#include "sync/errors.hpp"

namespace mp::pool::internal {

namespace {

using Rebuild = std::function<std::exception_ptr(const ExceptionText&)>;

template <class E>
std::exception_ptr with_message(const ExceptionText& text) {
    return std::make_exception_ptr(E(text.message));
}

std::error_code code_of(const ExceptionText& text) {
    return {text.error_code, text.system_category ? std::system_category() : std::generic_category()};
}

class ExceptionTypes {
public:
    ExceptionTypes() {
        add<std::runtime_error>();
        add<std::logic_error>();
        add<std::invalid_argument>();
        add<std::out_of_range>();
        add<std::length_error>();
        add<std::domain_error>();
        add<std::range_error>();
        add<std::overflow_error>();
        add<std::underflow_error>();
        add<CancelledError>();
        add<PoolClosed>();
        add<BrokenPool>();
        add<ipc::EOFError>();
        add<ipc::DecodeError>();
        add<ipc::MessageTooLarge>();
        add<ipc::QueueFull>();
        add<ipc::QueueEmpty>();
        add<ipc::QueueClosed>();
        add<TimeoutError>();  // ipc's and sync's too: one type
        add<sync::BrokenBarrierError>();
        add<sync::ValueError>();
        add(typeid(std::bad_alloc), [](const ExceptionText&) { return std::make_exception_ptr(std::bad_alloc()); });
        add(typeid(std::system_error), [](const ExceptionText& text) {
            return text.message.empty() ? std::make_exception_ptr(std::system_error(code_of(text)))
                                        : std::make_exception_ptr(std::system_error(code_of(text), text.message));
        });
        add(typeid(ipc::BrokenPipeError), [](const ExceptionText& text) {
            return std::make_exception_ptr(ipc::BrokenPipeError(text.error_code, text.message));
        });
    }

    void add(const std::type_info& type, Rebuild rebuild) {
        std::lock_guard lock(mutex_);
        by_name_[demangle(type.name())] = std::move(rebuild);
    }
    template <class E>
    void add() {
        add(typeid(E), with_message<E>);
    }

    std::exception_ptr rebuild(const ExceptionText& text) const {
        std::lock_guard lock(mutex_);
        const auto found = by_name_.find(text.type_name);
        return found == by_name_.end() ? nullptr : found->second(text);
    }

private:
    mutable std::mutex mutex_;
    std::unordered_map<std::string, Rebuild> by_name_;
};

ExceptionTypes& exception_types() {
    static ExceptionTypes instance;
    return instance;
}

}  // namespace

void register_exception_factory(const std::type_info& type, ExceptionFactory make) {
    exception_types().add(type, [make = std::move(make)](const ExceptionText& text) { return make(text.message); });
}

std::exception_ptr rebuild_exception(const ExceptionText& text, pid_t pid) {
    try {
        if (std::exception_ptr known = exception_types().rebuild(text)) return known;
    } catch (...) {
        // A user factory that throws: report the original as a RemoteError.
    }
    return std::make_exception_ptr(RemoteError(text.type_name, text.message, pid));
}

}  // namespace mp::pool::internal

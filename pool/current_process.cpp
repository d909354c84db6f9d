#include "pool/current_process.hpp"

#include <unistd.h>

#include <atomic>
#include <optional>
#include <utility>

#include "pool/internal/identity.hpp"

namespace mp::pool::internal {

namespace {

struct Self {
    std::string name = "MainProcess";
    std::string identity;  // empty in the main program
    std::optional<ProcessInfo> parent;
    std::atomic<int> children_made{0};
};

Self& self() {
    static Self state;
    return state;
}

}  // namespace

int next_child_number() { return self().children_made.fetch_add(1, std::memory_order_relaxed) + 1; }

std::string child_identity(int number) {
    const std::string& ours = self().identity;
    return ours.empty() ? std::to_string(number) : ours + ":" + std::to_string(number);
}

void become_child(std::string name, std::string identity, pid_t parent_pid) {
    Self& state = self();
    state.parent = ProcessInfo{std::move(state.name), parent_pid};
    state.name = std::move(name);
    state.identity = std::move(identity);
    state.children_made.store(0, std::memory_order_relaxed);
}

}  // namespace mp::pool::internal

namespace mp::pool {

ProcessInfo current_process() { return {internal::self().name, getpid()}; }

std::optional<ProcessInfo> parent_process() { return internal::self().parent; }

}  // namespace mp::pool

#include "sync/internal/process_table.hpp"

#include <algorithm>
#include <iterator>

namespace mp::sync::internal {

namespace {

bool same_process(const ProcessIdentity& a, const ProcessIdentity& b) {
    return a.pid == b.pid && a.start_time == b.start_time;
}

}  // namespace

void ProcessTable::add(const ProcessIdentity& process, std::uint32_t n) {
    ProcessCount* free_entry = nullptr;
    for (ProcessCount& entry : entries) {
        if (entry.count > 0 && same_process(entry.process, process)) {
            entry.count += n;
            return;
        }
        if (entry.count == 0 && free_entry == nullptr) free_entry = &entry;
    }
    if (free_entry == nullptr) {
        untracked += n;
        return;
    }
    free_entry->process = process;
    free_entry->count = n;
}

std::uint32_t ProcessTable::take(const ProcessIdentity& process, std::uint32_t n) {
    std::uint32_t taken = 0;
    for (ProcessCount& entry : entries) {
        if (entry.count > 0 && same_process(entry.process, process)) {
            taken = std::min(n, entry.count);
            entry.count -= taken;
            break;
        }
    }
    const std::uint32_t from_untracked = std::min(n - taken, untracked);
    untracked -= from_untracked;
    return taken + from_untracked;
}

std::uint32_t ProcessTable::remove_dead() {
    std::uint32_t freed = 0;
    for (ProcessCount& entry : entries) {
        if (entry.count > 0 && !is_alive(entry.process)) {
            freed += entry.count;
            entry.count = 0;
        }
    }
    return freed;
}

std::size_t ProcessTable::size() const {
    return static_cast<std::size_t>(
        std::count_if(std::begin(entries), std::end(entries), [](const ProcessCount& e) { return e.count > 0; }));
}

}  // namespace mp::sync::internal

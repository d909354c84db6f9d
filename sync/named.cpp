#include "sync/named.hpp"

#include <algorithm>
#include <mutex>

#include "sync/internal/segment.hpp"
#include "sync/internal/shm_directory.hpp"
#include "sync/internal/shm_object.hpp"
#include "sync/internal/states.hpp"

namespace mp::sync {

using namespace internal;

namespace {

void describe_lock(const ProcessMutex& mutex, ObjectInfo& info) {
    const pid_t owner = mutex.owner_pid();
    info.state = owner != 0 ? "locked" : "unlocked";
    if (owner != 0) info.holders.push_back({owner, 1, is_alive({owner, 0})});
}

void add_table(const ProcessTable& table, ObjectInfo& info) {
    for (const ProcessCount& entry : table.entries)
        if (entry.count > 0) info.holders.push_back({entry.process.pid, entry.count, is_alive(entry.process)});
}

void describe_semaphore(SemaphoreState& s, ObjectInfo& info) {
    std::lock_guard guard(s.mutex);
    info.state = std::to_string(s.value) + "/" + std::to_string(s.initial) + " free";
    if (s.waiters > 0) info.state += ", " + std::to_string(s.waiters) + " waiting";
    add_table(s.holders, info);
}

void describe_event(const EventState& s, ObjectInfo& info) {
    info.state = (s.word.load(std::memory_order_acquire) & 1) ? "set" : "clear";
}

void describe_barrier(BarrierState& s, ObjectInfo& info) {
    std::lock_guard guard(s.mutex);
    info.state = s.phase == BarrierPhase::broken ? "broken"
                                                 : std::to_string(s.count) + "/" + std::to_string(s.parties) + " waiting";
    add_table(s.waiting, info);
}

}  // namespace

bool remove(std::string_view name) {
    validate_name(name);
    return remove_shm_object(segment_path(name));
}

ObjectInfo describe(std::string_view name) {
    const Segment segment = Segment::open_existing(name);
    ObjectInfo info{std::string(name), kind_name(segment.kind()), "", {}};
    void* state = segment.state();
    switch (segment.kind()) {
        case Kind::lock:
        case Kind::rlock: describe_lock(static_cast<LockState*>(state)->mutex, info); break;
        case Kind::condition: describe_lock(static_cast<ConditionState*>(state)->mutex, info); break;
        case Kind::semaphore:
        case Kind::bounded_semaphore: describe_semaphore(*static_cast<SemaphoreState*>(state), info); break;
        case Kind::event: describe_event(*static_cast<EventState*>(state), info); break;
        case Kind::barrier: describe_barrier(*static_cast<BarrierState*>(state), info); break;
    }
    return info;
}

std::vector<ObjectInfo> list() {
    std::vector<std::string> names = shm_entries(open_shm_directory().get(), kSegmentPrefix);
    std::sort(names.begin(), names.end());
    std::vector<ObjectInfo> objects;
    for (const std::string& name : names) {
        try {
            objects.push_back(describe(name));
        } catch (const std::exception&) {
            // vanished, half-built, or not ours to read: skip it
        }
    }
    return objects;
}

}  // namespace mp::sync

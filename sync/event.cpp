#include "sync/event.hpp"

#include "sync/internal/futex.hpp"

namespace mp::sync {

using internal::EventState;
using internal::Kind;
using internal::Shared;

namespace {

constexpr std::uint32_t kSetBit = 1;
constexpr std::uint32_t kGeneration = 2;  // one step of the generation count

}  // namespace

Event::Event() : shared_(Shared<EventState>::anonymous(Kind::event)) {}

Event Event::open(std::string_view name, const Access& access) {
    return Event(Shared<EventState>::named(name, access, Kind::event));
}

void Event::set() {
    std::atomic<std::uint32_t>& word = shared_->word;
    std::uint32_t old = word.load(std::memory_order_relaxed);
    do {
        if (old & kSetBit) return;
    } while (!word.compare_exchange_weak(old, (old + kGeneration) | kSetBit, std::memory_order_release,
                                         std::memory_order_relaxed));
    internal::futex_wake_all(word);
}

void Event::clear() { shared_->word.fetch_and(~kSetBit, std::memory_order_relaxed); }

bool Event::is_set() const { return (shared_->word.load(std::memory_order_acquire) & kSetBit) != 0; }

bool Event::wait_until_steady(internal::SteadyTime deadline) {
    const std::atomic<std::uint32_t>& word = shared_->word;
    const std::uint32_t start = word.load(std::memory_order_acquire);
    if (start & kSetBit) return true;
    std::uint32_t seen = start;
    for (;;) {
        // Raised since we started (possibly cleared again): a set() happened.
        if ((seen & kSetBit) || (seen & ~kSetBit) != (start & ~kSetBit)) return true;
        if (!internal::futex_wait_until(word, seen, deadline)) {
            const std::uint32_t last = word.load(std::memory_order_acquire);
            return (last & kSetBit) || (last & ~kSetBit) != (start & ~kSetBit);
        }
        seen = word.load(std::memory_order_acquire);
    }
}

}  // namespace mp::sync

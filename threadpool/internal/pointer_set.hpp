// PointerSet: a set of pointers in one flat array (open addressing, linear probing),
// for as_completed's and wait's de-duplication: a node-based std::unordered_set
// allocates once per insert, which cost more than the rest of as_completed together.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace mp::threadpool::internal {

class PointerSet {
public:
    // Sized for about `expected` pointers; it grows past that.
    explicit PointerSet(std::size_t expected) : slots_(std::bit_ceil(2 * expected + 16), nullptr) {}

    // Adds `p` (not null); false when it was there already.
    bool insert(const void* p) {
        if (2 * (size_ + 1) > slots_.size()) grow();
        const bool added = place(slots_, p);
        size_ += added ? 1 : 0;
        return added;
    }

private:
    static bool place(std::vector<const void*>& slots, const void* p) {
        const std::size_t mask = slots.size() - 1;
        // Pointers to heap objects share their low bits; mixing spreads them.
        std::size_t i = static_cast<std::size_t>((reinterpret_cast<std::uintptr_t>(p) >> 4) * 0x9E3779B97F4A7C15ull) & mask;
        for (; slots[i] != nullptr; i = (i + 1) & mask)
            if (slots[i] == p) return false;
        slots[i] = p;
        return true;
    }
    void grow() {
        std::vector<const void*> bigger(2 * slots_.size(), nullptr);
        for (const void* p : slots_)
            if (p != nullptr) place(bigger, p);
        slots_.swap(bigger);
    }

    std::vector<const void*> slots_;
    std::size_t size_ = 0;
};

}  // namespace mp::threadpool::internal

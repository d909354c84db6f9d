#include <algorithm>
#include <bit>
#include <cstring>
#include <stdexcept>

#include "ipc/object.hpp"

namespace mp::ipc {

Dict::Dict(std::initializer_list<Item> items) {
    for (const auto& [key, value] : items) set(key, value);
}

Dict::Dict(Dict&& other) noexcept { *this = std::move(other); }

Dict& Dict::operator=(Dict&& other) noexcept {
    if (this != &other) {
        entries_ = std::move(other.entries_);
        hashes_ = std::move(other.hashes_);
        table_ = std::move(other.table_);
        live_ = std::exchange(other.live_, 0);
        filled_ = std::exchange(other.filled_, 0);
        other.clear();
    }
    return *this;
}

// CPython's probe sequence: every slot is reached once perturb has run out, and
// the table always has an empty slot (it is at most 2/3 full), so probing ends.
struct Dict::Probe {
    std::size_t mask;
    std::size_t perturb;
    std::size_t slot;
    Probe(std::size_t hash, std::size_t table_size) : mask(table_size - 1), perturb(hash), slot(hash & mask) {}
    void next() {
        perturb >>= 5;
        slot = (slot * 5 + perturb + 1) & mask;
    }
};

std::optional<std::size_t> Dict::slot_of(const Object& key, std::size_t hash) const {
    if (table_.empty()) return std::nullopt;
    for (Probe probe(hash, table_.size());; probe.next()) {
        const Position at = table_[probe.slot];
        if (at == kEmpty) return std::nullopt;
        if (at != kErased && hashes_[at] == hash && entries_[at]->first == key) return probe.slot;
    }
}

const Object* Dict::find(const Object& key) const {
    const auto slot = slot_of(key, key.hash());
    return slot ? &entries_[table_[*slot]]->second : nullptr;
}

Object* Dict::find(const Object& key) {
    const auto slot = slot_of(key, key.hash());
    return slot ? &entries_[table_[*slot]]->second : nullptr;
}

const Object& Dict::at(const Object& key) const {
    if (const Object* value = find(key)) return *value;
    throw KeyError("ipc: KeyError: " + key.repr());
}

void Dict::set(Object key, Object value) {
    const std::size_t hash = key.hash();  // throws for an unhashable key before any change
    set_hashed(hash, std::move(key), std::move(value));
}

void Dict::set_hashed(std::size_t hash, Object&& key, Object&& value) {
    if ((filled_ + 1) * 3 > table_.size() * 2) rebuild(2 * live_ + 1);
    std::optional<std::size_t> reusable;  // the first erased slot on the way
    Probe probe(hash, table_.size());
    for (;; probe.next()) {
        const Position at = table_[probe.slot];
        if (at == kEmpty) break;
        if (at == kErased) {
            if (!reusable) reusable = probe.slot;
        } else if (hashes_[at] == hash && entries_[at]->first == key) {
            entries_[at]->second = std::move(value);
            return;
        }
    }
    if (entries_.size() >= kMaxEntries) throw std::length_error("ipc: a Dict holds at most 2^32 - 2 items");
    entries_.emplace_back(std::in_place, std::move(key), std::move(value));
    try {
        hashes_.push_back(hash);
    } catch (...) {
        entries_.pop_back();
        throw;
    }
    if (!reusable) ++filled_;
    table_[reusable.value_or(probe.slot)] = static_cast<Position>(entries_.size() - 1);
    ++live_;
}

void Dict::update(Dict&& other) {
    if (empty()) {
        *this = std::move(other);
        return;
    }
    for (std::size_t at = 0; at < other.entries_.size(); ++at)
        if (auto& entry = other.entries_[at]) set_hashed(other.hashes_[at], std::move(entry->first), std::move(entry->second));
    other.clear();
}

bool Dict::erase(const Object& key) {
    const auto slot = slot_of(key, key.hash());
    if (!slot) return false;
    entries_[table_[*slot]].reset();
    table_[*slot] = kErased;
    --live_;
    if (entries_.size() > 2 * live_ + 8) rebuild(live_);
    return true;
}

Dict::Item Dict::pop_last() {
    while (!entries_.empty() && !entries_.back()) {
        entries_.pop_back();
        hashes_.pop_back();
    }
    if (entries_.empty()) throw KeyError("ipc: popitem(): dictionary is empty");
    const auto last = static_cast<Position>(entries_.size() - 1);
    Probe probe(hashes_.back(), table_.size());
    while (table_[probe.slot] != last) probe.next();
    table_[probe.slot] = kErased;
    Item item = std::move(*entries_.back());
    entries_.pop_back();
    hashes_.pop_back();
    --live_;
    return item;
}

void Dict::clear() {
    entries_.clear();
    hashes_.clear();
    table_.clear();
    live_ = 0;
    filled_ = 0;
}

void Dict::rebuild(std::size_t count) {
    if (live_ != entries_.size()) {
        std::size_t kept = 0;
        for (std::size_t at = 0; at < entries_.size(); ++at) {
            if (!entries_[at]) continue;
            if (at != kept) {
                entries_[kept] = std::move(entries_[at]);
                hashes_[kept] = hashes_[at];
            }
            ++kept;
        }
        entries_.resize(kept);
        hashes_.resize(kept);
    }
    empty_table_for(count);
    for (std::size_t at = 0; at < entries_.size(); ++at) {
        Probe probe(hashes_[at], table_.size());
        while (table_[probe.slot] != kEmpty) probe.next();
        table_[probe.slot] = static_cast<Position>(at);
    }
    filled_ = entries_.size();
}

// kEmpty is all ones in every byte, so memset fills the table: several times faster
// than assign() on a large one, which fills a slot at a time.
void Dict::empty_table_for(std::size_t count) {
    static_assert(kEmpty == Position(~0u));
    table_.resize(std::bit_ceil(std::max<std::size_t>(8, count * 3 / 2 + 1)));
    std::memset(table_.data(), 0xFF, table_.size() * sizeof(Position));
}

bool Dict::index_entries() {
    empty_table_for(entries_.size());
    for (std::size_t at = 0; at < entries_.size(); ++at) {
        const std::size_t hash = hashes_[at];
        Probe probe(hash, table_.size());
        for (Position seen; (seen = table_[probe.slot]) != kEmpty; probe.next())
            if (hashes_[seen] == hash && entries_[seen]->first == entries_[at]->first) return false;
        table_[probe.slot] = static_cast<Position>(at);
    }
    live_ = filled_ = entries_.size();
    return true;
}

std::vector<Object> Dict::keys() const {
    std::vector<Object> out;
    out.reserve(size());
    for_each([&](const Object& key, const Object&) { out.push_back(key); });
    return out;
}

std::vector<Object> Dict::values() const {
    std::vector<Object> out;
    out.reserve(size());
    for_each([&](const Object&, const Object& value) { out.push_back(value); });
    return out;
}

std::vector<Dict::Item> Dict::items() const {
    std::vector<Item> out;
    out.reserve(size());
    for_each([&](const Object& key, const Object& value) { out.emplace_back(key, value); });
    return out;
}

// Python: equal when they hold equal values under equal keys, whatever the order.
bool operator==(const Dict& a, const Dict& b) {
    if (a.size() != b.size()) return false;
    bool equal = true;
    a.for_each([&](const Object& key, const Object& value) {
        if (!equal) return;
        const Object* other = b.find(key);
        equal = other != nullptr && *other == value;
    });
    return equal;
}

}  // namespace mp::ipc

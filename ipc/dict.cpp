#include "ipc/object.hpp"

namespace mp::ipc {

Dict::Dict(std::initializer_list<Item> items) {
    for (const auto& [key, value] : items) set(key, value);
}

std::unordered_multimap<std::size_t, std::size_t>::const_iterator Dict::locate(const Object& key, std::size_t hash) const {
    const auto [first, last] = index_.equal_range(hash);
    for (auto it = first; it != last; ++it)
        if (slots_[it->second]->first == key) return it;
    return index_.end();
}

const Object* Dict::find(const Object& key) const {
    const auto it = locate(key, key.hash());
    return it == index_.end() ? nullptr : &slots_[it->second]->second;
}

Object* Dict::find(const Object& key) {
    const auto it = locate(key, key.hash());
    return it == index_.end() ? nullptr : &slots_[it->second]->second;
}

const Object& Dict::at(const Object& key) const {
    if (const Object* value = find(key)) return *value;
    throw KeyError("ipc: KeyError: " + key.repr());
}

void Dict::set(Object key, Object value) {
    const std::size_t hash = key.hash();  // throws for an unhashable key before any change
    if (const auto it = locate(key, hash); it != index_.end()) {
        slots_[it->second]->second = std::move(value);
        return;
    }
    slots_.emplace_back(std::in_place, std::move(key), std::move(value));
    index_.emplace(hash, slots_.size() - 1);
}

bool Dict::erase(const Object& key) {
    const auto it = locate(key, key.hash());
    if (it == index_.end()) return false;
    slots_[it->second].reset();
    index_.erase(it);
    if (slots_.size() > 2 * index_.size() + 8) compact();
    return true;
}

Dict::Item Dict::pop_last() {
    while (!slots_.empty() && !slots_.back()) slots_.pop_back();
    if (slots_.empty()) throw KeyError("ipc: popitem(): dictionary is empty");
    index_.erase(locate(slots_.back()->first, slots_.back()->first.hash()));
    Item item = std::move(*slots_.back());
    slots_.pop_back();
    return item;
}

void Dict::clear() {
    slots_.clear();
    index_.clear();
}

void Dict::compact() {
    std::vector<std::optional<Item>> live;
    live.reserve(index_.size());
    index_.clear();
    for (auto& slot : slots_) {
        if (!slot) continue;
        index_.emplace(slot->first.hash(), live.size());
        live.push_back(std::move(slot));
    }
    slots_.swap(live);
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

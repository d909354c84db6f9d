// Typed proxies: a Manager's dict, list and value seen through C++ types, for
// programs whose shared data has one type (the seeds' mixed-type dicts keep the
// Object proxies of manager_proxies.hpp).
//
//   auto counts = manager.dict<std::string, int>();      // Manager().dict()
//   counts.set("jobs", 3);
//   int jobs = counts["jobs"];                           // KeyError when missing
//   auto squares = manager.list<int>({1, 4, 9});
//   auto array = manager.array<double>(4);               // Manager().Array('d', [0.0] * 4)
//   auto lines = manager.queue<std::string>(10);         // Manager().Queue(10)
//
// Values travel as Objects (object_convert.hpp says which C++ types convert): a value
// another client stored with another type throws TypeError on reading, and an int
// too large for the type asked for throws sync::ValueError. untyped() gives the
// Object proxy underneath. An ArrayProxy keeps its length, as Python's Array: it
// has no append, and a slice assignment must keep the length (sync::ValueError).
#pragma once

#include <chrono>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "ipc/manager_proxies.hpp"
#include "ipc/manager_sync.hpp"
#include "ipc/object_convert.hpp"

namespace mp::ipc {

namespace internal {
template <class T, class Range>
std::vector<T> from_list(const Range& objects) {
    std::vector<T> out;
    out.reserve(objects.size());
    for (const Object& item : objects) out.push_back(from_object<T>(item));
    return out;
}
}  // namespace internal

// TypedItem: typed_proxy[key], reading on conversion and writing on assignment.
template <class Owner, class Key, class Value>
class TypedItem {
public:
    TypedItem(Owner& owner, Key key) : owner_(owner), key_(std::move(key)) {}
    operator Value() const { return owner_.get(key_); }
    TypedItem& operator=(const Value& value) {
        owner_.set(key_, value);
        return *this;
    }

private:
    Owner& owner_;
    Key key_;
};

template <class K, class V>
class TypedDictProxy {
public:
    TypedDictProxy() = default;
    explicit TypedDictProxy(DictProxy untyped) : d_(std::move(untyped)) {}

    V get(const K& key) const { return from_object<V>(d_.get(to_object(key))); }
    V get(const K& key, const V& fallback) const { return from_object<V>(d_.get(to_object(key), to_object(fallback))); }
    void set(const K& key, const V& value) { d_.set(to_object(key), to_object(value)); }
    TypedItem<TypedDictProxy, K, V> operator[](K key) { return {*this, std::move(key)}; }
    void del(const K& key) { d_.del(to_object(key)); }
    bool contains(const K& key) const { return d_.contains(to_object(key)); }
    std::size_t size() const { return d_.size(); }
    std::vector<K> keys() const { return internal::from_list<K>(d_.keys()); }
    std::vector<V> values() const { return internal::from_list<V>(d_.values()); }
    std::vector<std::pair<K, V>> items() const { return pairs(d_.items()); }
    // Any range of (key, value) pairs: a std::map, a vector of pairs, ...
    template <class Pairs>
    void update(const Pairs& pairs) {
        Dict other;
        for (const auto& [key, value] : pairs) other.set(to_object(key), to_object(value));
        d_.update(other);
    }
    V setdefault(const K& key, const V& fallback) { return from_object<V>(d_.setdefault(to_object(key), to_object(fallback))); }
    V pop(const K& key) { return from_object<V>(d_.pop(to_object(key))); }
    V pop(const K& key, const V& fallback) { return from_object<V>(d_.pop(to_object(key), to_object(fallback))); }
    std::pair<K, V> popitem() {
        const auto [key, value] = d_.popitem();
        return {from_object<K>(key), from_object<V>(value)};
    }
    void clear() { d_.clear(); }
    // The items in insertion order, in one round trip.
    std::vector<std::pair<K, V>> copy() const { return items(); }
    std::string repr() const { return d_.repr(); }
    // d[key] += delta, atomically in the server (DictProxy::add).
    V add(const K& key, const V& delta) requires std::is_arithmetic_v<V> {
        return from_object<V>(d_.add(to_object(key), to_object(delta)));
    }
    const DictProxy& untyped() const noexcept { return d_; }

    template <std::same_as<TypedDictProxy> P>
    friend void mp_encode(Encoder& out, const P& proxy) { out.write(proxy.d_); }
    template <std::same_as<TypedDictProxy> P>
    friend void mp_decode(Decoder& in, P& proxy) { in.read(proxy.d_); }

private:
    static std::vector<std::pair<K, V>> pairs(const List& items) {
        std::vector<std::pair<K, V>> out;
        out.reserve(items.size());
        for (const Object& item : items) out.emplace_back(from_object<K>(item.as_list().at(0)), from_object<V>(item.as_list().at(1)));
        return out;
    }
    DictProxy d_;
};

// Indexing, slicing and copying, shared by a typed list and an array.
template <class T, class Self>
class TypedSequence {
public:
    T get(std::int64_t index) const { return from_object<T>(l_.get(index)); }  // negative from the end; IndexError
    void set(std::int64_t index, const T& value) { l_.set(index, to_object(value)); }
    TypedItem<Self, std::int64_t, T> operator[](std::int64_t index) { return {static_cast<Self&>(*this), index}; }
    // l[start:stop], bounds clamped as Python's; nullopt is an open end.
    std::vector<T> slice(std::optional<std::int64_t> start, std::optional<std::int64_t> stop) const {
        return internal::from_list<T>(l_.slice(start, stop));
    }
    std::size_t size() const { return l_.size(); }
    std::size_t index(const T& value) const { return l_.index(to_object(value)); }  // sync::ValueError when missing
    std::size_t count(const T& value) const { return l_.count(to_object(value)); }
    std::vector<T> copy() const { return internal::from_list<T>(l_.copy()); }
    std::string repr() const { return l_.repr(); }

    template <std::same_as<Self> P>
    friend void mp_encode(Encoder& out, const P& proxy) { out.write(proxy.l_); }
    template <std::same_as<Self> P>
    friend void mp_decode(Decoder& in, P& proxy) { in.read(proxy.l_); }

protected:
    TypedSequence() = default;
    explicit TypedSequence(ListProxy untyped) : l_(std::move(untyped)) {}
    static List to_list(const std::vector<T>& items) {
        List list;
        list.reserve(items.size());
        for (const T& item : items) list.push_back(to_object(item));
        return list;
    }
    ListProxy l_;
};

template <class T>
class TypedListProxy : public TypedSequence<T, TypedListProxy<T>> {
    using Base = TypedSequence<T, TypedListProxy<T>>;

public:
    TypedListProxy() = default;
    explicit TypedListProxy(ListProxy untyped) : Base(std::move(untyped)) {}

    void set_slice(std::optional<std::int64_t> start, std::optional<std::int64_t> stop, const std::vector<T>& items) {
        this->l_.set_slice(start, stop, Base::to_list(items));
    }
    void append(const T& value) { this->l_.append(to_object(value)); }
    void extend(const std::vector<T>& items) { this->l_.extend(Base::to_list(items)); }
    void insert(std::int64_t index, const T& value) { this->l_.insert(index, to_object(value)); }
    T pop() { return from_object<T>(this->l_.pop()); }
    T pop(std::int64_t index) { return from_object<T>(this->l_.pop(index)); }
    void remove(const T& value) { this->l_.remove(to_object(value)); }
    void reverse() { this->l_.reverse(); }
    void sort(bool descending = false) { this->l_.sort(descending); }
    const ListProxy& untyped() const noexcept { return this->l_; }
};

// Python's Manager().Array(typecode, sequence): a list of fixed length.
template <class T>
class ArrayProxy : public TypedSequence<T, ArrayProxy<T>> {
    using Base = TypedSequence<T, ArrayProxy<T>>;

public:
    ArrayProxy() = default;
    explicit ArrayProxy(ListProxy untyped) : Base(std::move(untyped)) {}

    // Python's a[i:j] = seq on an array: the same number of items, or sync::ValueError.
    void set_slice(std::optional<std::int64_t> start, std::optional<std::int64_t> stop, const std::vector<T>& items) {
        if (this->l_.slice(start, stop).size() != items.size())
            throw sync::ValueError("ipc: can only assign an array slice of the same size");
        this->l_.set_slice(start, stop, Base::to_list(items));
    }
};

template <class T>
class TypedValueProxy {
public:
    TypedValueProxy() = default;
    explicit TypedValueProxy(ValueProxy untyped) : v_(std::move(untyped)) {}

    T get() const { return from_object<T>(v_.get()); }
    void set(const T& value) { v_.set(to_object(value)); }
    std::string repr() const { return v_.repr(); }
    const ValueProxy& untyped() const noexcept { return v_; }

    template <std::same_as<TypedValueProxy> P>
    friend void mp_encode(Encoder& out, const P& proxy) { out.write(proxy.v_); }
    template <std::same_as<TypedValueProxy> P>
    friend void mp_decode(Decoder& in, P& proxy) { in.read(proxy.v_); }

private:
    ValueProxy v_;
};

// Python's Manager().Queue(maxsize) of one type: QueueProxy's operations (see
// manager_sync.hpp) with T for Object. An item another client put with another type
// throws TypeError from the get that takes it (the item is taken all the same).
template <class T>
class TypedQueueProxy {
public:
    TypedQueueProxy() = default;
    explicit TypedQueueProxy(QueueProxy untyped) : q_(std::move(untyped)) {}

    void put(const T& item) { q_.put(to_object(item)); }
    template <class Rep, class Period>
    void put(const T& item, const std::chrono::duration<Rep, Period>& timeout) { q_.put(to_object(item), timeout); }
    void put_nowait(const T& item) { q_.put_nowait(to_object(item)); }
    [[nodiscard]] bool try_put(const T& item) { return q_.try_put(to_object(item)); }
    template <class Rep, class Period>
    [[nodiscard]] bool try_put_for(const T& item, const std::chrono::duration<Rep, Period>& timeout) {
        return q_.try_put_for(to_object(item), timeout);
    }
    T get() { return from_object<T>(q_.get()); }
    template <class Rep, class Period>
    T get(const std::chrono::duration<Rep, Period>& timeout) { return from_object<T>(q_.get(timeout)); }
    T get_nowait() { return from_object<T>(q_.get_nowait()); }
    [[nodiscard]] std::optional<T> try_get() { return typed(q_.try_get()); }
    template <class Rep, class Period>
    [[nodiscard]] std::optional<T> try_get_for(const std::chrono::duration<Rep, Period>& timeout) {
        return typed(q_.try_get_for(timeout));
    }
    std::size_t qsize() const { return q_.qsize(); }
    bool empty() const { return q_.empty(); }
    bool full() const { return q_.full(); }
    void task_done() { q_.task_done(); }
    void join() { q_.join(); }
    template <class Rep, class Period>
    [[nodiscard]] bool join_for(const std::chrono::duration<Rep, Period>& timeout) { return q_.join_for(timeout); }
    const QueueProxy& untyped() const noexcept { return q_; }

    template <std::same_as<TypedQueueProxy> P>
    friend void mp_encode(Encoder& out, const P& proxy) { out.write(proxy.q_); }
    template <std::same_as<TypedQueueProxy> P>
    friend void mp_decode(Decoder& in, P& proxy) { in.read(proxy.q_); }

private:
    static std::optional<T> typed(std::optional<Object> item) {
        if (!item) return std::nullopt;
        return from_object<T>(*item);
    }
    QueueProxy q_;
};

}  // namespace mp::ipc

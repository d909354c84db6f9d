// The proxies a Manager hands out: DictProxy, ListProxy, NamespaceProxy and
// ValueProxy. Each is a cheap handle to an object that lives in the Manager's server
// process: copy it, pass it to a pool::Process or a Pool task, send it through a
// Connection or a Queue. What travels is the server's address and the object's id,
// never the authkey: the receiving process must already reach that Manager (a fork
// of its maker, or Manager::connect), else receiving throws ManagerError. As in
// Python, keep the sender's proxy alive until the receiver has its own: the object
// lives while some process holds a proxy to it. Every call is one round trip to the
// server and applies whole, atomically with respect to every other client's calls.
// A default-made proxy refers to nothing (calls throw std::logic_error), so that a
// received one can be decoded into it.
//
// Reading a missing key throws KeyError (Python's d[k]): proxy[key] returns an Item
// that reads on conversion and writes on assignment, so it cannot insert silently:
//   d[1] = "1";                         // d[1] = '1'
//   mp::ipc::Object v = d[1];           // KeyError when missing; d.get(1, fallback) does not throw
//
// modify(..., fn) runs `fn` (a plain function: void fn(mp::ipc::Object&)) in the
// server on the stored value, under the server's lock: `d['count'] += 1` of the seeds,
// which needs a separate Lock in Python, is `d.modify("count", add_one, 0)`. The
// server is a fork of the program that made the Manager, so a function's address
// means the same code there; a process of another program (Manager::connect) gets
// TypeError. fn must not throw (if it does, the stored value is left as it was and
// the error comes back as ManagerError).
#pragma once

#include <concepts>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "ipc/internal/manager_protocol.hpp"
#include "ipc/internal/manager_session.hpp"
#include "ipc/object.hpp"

namespace mp::ipc {

class Manager;
using ModifyFunction = internal::ModifyFunction;

// Proxy: the reference counting and the round trip every proxy shares.
class Proxy {
public:
    Proxy() = default;
    Proxy(const Proxy& other);
    Proxy& operator=(const Proxy& other);
    Proxy(Proxy&& other) noexcept;
    Proxy& operator=(Proxy&& other) noexcept;
    ~Proxy();

    std::uint64_t id() const noexcept { return id_; }
    const std::string& address() const;

    // The codec hooks (Connection::send/recv, Queue): the address and the id.
    template <std::derived_from<Proxy> P>
    friend void mp_encode(Encoder& out, const P& proxy) {
        out.write(proxy.address());
        out.write(proxy.id_);
    }
    template <std::derived_from<Proxy> P>
    friend void mp_decode(Decoder& in, P& proxy) {
        auto address = in.read<std::string>();
        const auto id = in.read<std::uint64_t>();
        static_cast<Proxy&>(proxy) = received(address, id);
    }

protected:
    friend class Manager;
    // Takes over one reference the session already counted.
    Proxy(std::shared_ptr<internal::Session> session, std::uint64_t id) : session_(std::move(session)), id_(id) {}
    // `timeout_ns`: how long a method that may block waits in the server (kNoTimeout:
    // as long as it takes).
    Object call(internal::Method method, List args = {}, std::int64_t timeout_ns = internal::kNoTimeout) const;
    // A call whose arguments are encoded straight onto the wire (manager_protocol.hpp).
    Object call(internal::Method method, internal::EncodeArguments encode_args) const;
    static Object function_argument(ModifyFunction fn) { return static_cast<std::int64_t>(reinterpret_cast<std::uintptr_t>(fn)); }
    // A proxy that came through the codec: a new reference in this process's session.
    static Proxy received(const std::string& address, std::uint64_t id);

private:
    // The session; std::logic_error for a proxy that refers to nothing.
    internal::Session& session() const;

    std::shared_ptr<internal::Session> session_;
    std::uint64_t id_ = 0;
};

// Item: proxy[key] — reads on conversion, writes on assignment.
template <class Owner, class Key>
class Item {
public:
    Item(Owner& owner, Key key) : owner_(owner), key_(std::move(key)) {}
    operator Object() const { return owner_.get(key_); }
    Item& operator=(Object value) {
        owner_.set(key_, std::move(value));
        return *this;
    }
    std::string repr() const { return owner_.get(key_).repr(); }

private:
    Owner& owner_;
    Key key_;
};

class DictProxy : public Proxy {
public:
    Object get(const Object& key) const;                          // KeyError when missing
    Object get(const Object& key, const Object& fallback) const;  // d.get(key, fallback)
    void set(const Object& key, const Object& value);
    Item<DictProxy, Object> operator[](Object key) { return {*this, std::move(key)}; }
    void del(const Object& key);  // KeyError when missing
    bool contains(const Object& key) const;
    std::size_t size() const;
    List keys() const;
    List values() const;
    List items() const;  // [key, value] pairs
    void update(const Dict& other);
    Object setdefault(const Object& key, const Object& fallback);
    Object pop(const Object& key);  // KeyError when missing
    Object pop(const Object& key, const Object& fallback);
    std::pair<Object, Object> popitem();  // the last item; KeyError when empty
    void clear();
    Dict copy() const;
    std::string repr() const { return Object(copy()).repr(); }
    // fn(value) in the server; KeyError when missing, or starts from `initial`. Returns
    // the new value.
    Object modify(const Object& key, ModifyFunction fn);
    Object modify(const Object& key, ModifyFunction fn, const Object& initial);
    // d[key] += delta in one step, in the server: for any client, another program's
    // too (modify is for the Manager's own program). A missing key counts from 0, as
    // a collections.Counter; ints stay ints (ValueError on overflow), a float makes a
    // float; TypeError for a value that is not a number. Returns the new value.
    Object add(const Object& key, const Object& delta);

private:
    friend class Manager;
    using Proxy::Proxy;
};

class ListProxy : public Proxy {
public:
    Object get(std::int64_t index) const;  // negative counts from the end; IndexError
    void set(std::int64_t index, const Object& value);
    Item<ListProxy, std::int64_t> operator[](std::int64_t index) { return {*this, index}; }
    // l[start:stop], bounds clamped as Python's; nullopt is an open end.
    List slice(std::optional<std::int64_t> start, std::optional<std::int64_t> stop) const;
    void set_slice(std::optional<std::int64_t> start, std::optional<std::int64_t> stop, const List& items);
    std::size_t size() const;
    void append(const Object& value);
    void extend(const List& items);
    void insert(std::int64_t index, const Object& value);
    Object pop();
    Object pop(std::int64_t index);
    void remove(const Object& value);  // sync::ValueError when missing
    std::size_t index(const Object& value) const;
    std::size_t count(const Object& value) const;
    void reverse();
    void sort(bool descending = false);  // TypeError for kinds that do not compare
    List copy() const;
    std::string repr() const { return Object(copy()).repr(); }

private:
    friend class Manager;
    using Proxy::Proxy;
};

// Python's Namespace: attributes by name.
class NamespaceProxy : public Proxy {
public:
    Object get(const std::string& name) const;  // AttributeError when not set
    void set(const std::string& name, const Object& value);
    Item<NamespaceProxy, std::string> operator[](std::string name) { return {*this, std::move(name)}; }
    void del(const std::string& name);
    Dict copy() const;
    std::string repr() const;  // Namespace(a=1, b='x')

private:
    friend class Manager;
    using Proxy::Proxy;
};

class ValueProxy : public Proxy {
public:
    Object get() const;
    void set(const Object& value);
    Object modify(ModifyFunction fn);
    std::string repr() const { return get().repr(); }

private:
    friend class Manager;
    using Proxy::Proxy;
};

}  // namespace mp::ipc

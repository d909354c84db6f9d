#include "ipc/internal/manager_store.hpp"

#include <algorithm>
#include <string>

#include "ipc/internal/call_arguments.hpp"
#include "sync/errors.hpp"

namespace mp::ipc::internal {

namespace {

// An argument the call keeps: moved from, not copied.
Object&& taken(List& args, std::size_t i) {
    (void)call_argument(args, i);
    return std::move(args[i]);
}

// A Python index (negative counts from the end) into a sequence of `size`.
std::size_t position(const Object& index, std::size_t size, const char* what) {
    std::int64_t i = index.as_int();
    if (i < 0) i += static_cast<std::int64_t>(size);
    if (i < 0 || i >= static_cast<std::int64_t>(size)) throw IndexError(std::string("ipc: ") + what + " index out of range");
    return static_cast<std::size_t>(i);
}

// A slice bound, clamped into [0, size] as Python's slices are; None is the default.
std::size_t bound(const Object& index, std::size_t size, std::size_t if_none) {
    if (index.is_none()) return if_none;
    std::int64_t i = index.as_int();
    if (i < 0) i += static_cast<std::int64_t>(size);
    return static_cast<std::size_t>(std::clamp<std::int64_t>(i, 0, static_cast<std::int64_t>(size)));
}

// Python 3's ordering for sort(): numbers by value, str and bytes by their bytes,
// lists elementwise; anything else, or two kinds that do not compare, is a TypeError.
bool less(const Object& a, const Object& b) {
    using K = Object::Kind;
    const auto number = [](K k) { return k == K::boolean || k == K::integer || k == K::floating; };
    if (number(a.kind()) && number(b.kind())) {
        if (a.kind() == K::floating || b.kind() == K::floating) return a.as_float() < b.as_float();
        return a.as_int() < b.as_int();
    }
    if (a.kind() == b.kind()) {
        if (a.kind() == K::string) return a.as_string() < b.as_string();
        if (a.kind() == K::bytes) return a.as_bytes().data < b.as_bytes().data;
        if (a.kind() == K::list)
            return std::lexicographical_compare(a.as_list().begin(), a.as_list().end(), b.as_list().begin(),
                                                b.as_list().end(), less);
    }
    throw TypeError("ipc: '<' not supported between " + a.repr() + " and " + b.repr());
}

ModifyFunction modify_function(const Object& address, bool allowed) {
    if (!allowed) throw TypeError("ipc: Manager: modify() runs a function of the program that made the Manager; "
                                  "this client is another program");
    return reinterpret_cast<ModifyFunction>(static_cast<std::uintptr_t>(address.as_int()));
}

// d[key] += delta, a missing key counting from 0 (as a Counter): ints stay ints
// (an overflow is a ValueError, not a wrap), a float on either side gives a float.
Object added(const Object* current, const Object& delta) {
    using K = Object::Kind;
    const Object& base = current ? *current : Object(std::int64_t{0});
    const auto number = [](K k) { return k == K::boolean || k == K::integer || k == K::floating; };
    if (!number(base.kind()) || !number(delta.kind()))
        throw TypeError("ipc: unsupported operand type(s) for +=: " + base.repr() + " and " + delta.repr());
    if (base.kind() == K::floating || delta.kind() == K::floating) return base.as_float() + delta.as_float();
    std::int64_t sum = 0;
    if (__builtin_add_overflow(base.as_int(), delta.as_int(), &sum))
        throw sync::ValueError("ipc: += overflows a 64-bit integer");
    return sum;
}

Object dict_call(Dict& d, Method method, List& args, bool allow_modify) {
    switch (method) {
        case Method::dict_get:
            return d.at(call_argument(args, 0));
        case Method::dict_get_or: {
            const Object* value = d.find(call_argument(args, 0));
            return value ? *value : call_argument(args, 1);
        }
        case Method::dict_set:
            d.set(taken(args, 0), taken(args, 1));
            return None{};
        case Method::dict_del:
            if (!d.erase(call_argument(args, 0))) throw KeyError("ipc: KeyError: " + call_argument(args, 0).repr());
            return None{};
        case Method::dict_contains:
            return d.contains(call_argument(args, 0));
        case Method::dict_len:
            return d.size();
        case Method::dict_keys:
            return d.keys();
        case Method::dict_values:
            return d.values();
        case Method::dict_items: {
            List items;
            d.for_each([&](const Object& k, const Object& v) { items.push_back(List{k, v}); });
            return items;
        }
        case Method::dict_update:
            d.update(std::move(taken(args, 0).as_dict()));  // keys were checked hashable when decoded
            return None{};
        case Method::dict_setdefault: {
            if (const Object* value = d.find(call_argument(args, 0))) return *value;
            d.set(call_argument(args, 0), call_argument(args, 1));
            return call_argument(args, 1);
        }
        case Method::dict_pop:
        case Method::dict_pop_or: {
            Object* value = d.find(call_argument(args, 0));
            if (value == nullptr) {
                if (method == Method::dict_pop_or) return call_argument(args, 1);
                throw KeyError("ipc: KeyError: " + call_argument(args, 0).repr());
            }
            Object taken = std::move(*value);
            d.erase(call_argument(args, 0));
            return taken;
        }
        case Method::dict_popitem: {
            auto [key, value] = d.pop_last();
            return List{std::move(key), std::move(value)};
        }
        case Method::dict_clear:
            d.clear();
            return None{};
        case Method::dict_copy:
            return d;
        case Method::dict_modify: {
            const ModifyFunction fn = modify_function(call_argument(args, 0), allow_modify);
            Object* value = d.find(call_argument(args, 1));
            if (value == nullptr && args.size() < 3) throw KeyError("ipc: KeyError: " + call_argument(args, 1).repr());
            Object updated = value ? *value : args[2];
            fn(updated);  // on a copy: a function that throws leaves the stored value as it was
            if (value != nullptr)
                *value = updated;
            else
                d.set(call_argument(args, 1), updated);
            return updated;
        }
        case Method::dict_add: {
            Object* value = d.find(call_argument(args, 0));
            Object sum = added(value, call_argument(args, 1));
            if (value != nullptr)
                *value = sum;
            else
                d.set(call_argument(args, 0), sum);
            return sum;
        }
        default:
            throw TypeError("ipc: Manager: not a dict method");
    }
}

Object list_call(List& l, Method method, const List& args) {
    switch (method) {
        case Method::list_get:
            return l[position(call_argument(args, 0), l.size(), "list")];
        case Method::list_set:
            l[position(call_argument(args, 0), l.size(), "list assignment")] = call_argument(args, 1);
            return None{};
        case Method::list_slice: {
            const std::size_t lo = bound(call_argument(args, 0), l.size(), 0), hi = bound(call_argument(args, 1), l.size(), l.size());
            return lo < hi ? List(l.begin() + static_cast<std::ptrdiff_t>(lo), l.begin() + static_cast<std::ptrdiff_t>(hi))
                           : List{};
        }
        case Method::list_set_slice: {
            const std::size_t lo = bound(call_argument(args, 0), l.size(), 0);
            const std::size_t hi = std::max(lo, bound(call_argument(args, 1), l.size(), l.size()));
            const List& items = call_argument(args, 2).as_list();
            l.erase(l.begin() + static_cast<std::ptrdiff_t>(lo), l.begin() + static_cast<std::ptrdiff_t>(hi));
            l.insert(l.begin() + static_cast<std::ptrdiff_t>(lo), items.begin(), items.end());
            return None{};
        }
        case Method::list_len:
            return l.size();
        case Method::list_append:
            l.push_back(call_argument(args, 0));
            return None{};
        case Method::list_extend: {
            const List& items = call_argument(args, 0).as_list();
            l.insert(l.end(), items.begin(), items.end());
            return None{};
        }
        case Method::list_insert:
            l.insert(l.begin() + static_cast<std::ptrdiff_t>(bound(call_argument(args, 0), l.size(), l.size())), call_argument(args, 1));
            return None{};
        case Method::list_pop: {
            if (l.empty()) throw IndexError("ipc: pop from empty list");
            const std::size_t i = args.empty() ? l.size() - 1 : position(args[0], l.size(), "pop");
            Object taken = std::move(l[i]);
            l.erase(l.begin() + static_cast<std::ptrdiff_t>(i));
            return taken;
        }
        case Method::list_remove:
        case Method::list_index: {
            const auto it = std::find(l.begin(), l.end(), call_argument(args, 0));
            if (it == l.end())
                throw sync::ValueError("ipc: " + call_argument(args, 0).repr() + (method == Method::list_remove
                                                                              ? " not in list (list.remove(x))"
                                                                              : " is not in list"));
            if (method == Method::list_index) return it - l.begin();
            l.erase(it);
            return None{};
        }
        case Method::list_count:
            return std::count(l.begin(), l.end(), call_argument(args, 0));
        case Method::list_reverse:
            std::reverse(l.begin(), l.end());
            return None{};
        case Method::list_sort: {
            List sorted = l;  // a TypeError half-way leaves the list as it was
            std::stable_sort(sorted.begin(), sorted.end(), less);
            if (!args.empty() && args[0].as_bool()) std::reverse(sorted.begin(), sorted.end());
            l = std::move(sorted);
            return None{};
        }
        case Method::list_copy:
            return l;
        default:
            throw TypeError("ipc: Manager: not a list method");
    }
}

Object namespace_call(Dict& attributes, Method method, const List& args) {
    const auto missing = [&] {
        return AttributeError("ipc: 'Namespace' object has no attribute " + call_argument(args, 0).repr());
    };
    switch (method) {
        case Method::namespace_get:
            if (const Object* value = attributes.find(call_argument(args, 0).as_string())) return *value;
            throw missing();
        case Method::namespace_set:
            attributes.set(call_argument(args, 0).as_string(), call_argument(args, 1));
            return None{};
        case Method::namespace_del:
            if (!attributes.erase(call_argument(args, 0).as_string())) throw missing();
            return None{};
        case Method::namespace_copy:
            return attributes;
        default:
            throw TypeError("ipc: Manager: not a Namespace method");
    }
}

Object value_call(Object& value, Method method, const List& args, bool allow_modify) {
    switch (method) {
        case Method::value_get:
            return value;
        case Method::value_set:
            value = call_argument(args, 0);
            return None{};
        case Method::value_modify: {
            Object updated = value;
            modify_function(call_argument(args, 0), allow_modify)(updated);
            value = updated;
            return updated;
        }
        default:
            throw TypeError("ipc: Manager: not a Value method");
    }
}

}  // namespace

std::uint64_t ManagerStore::create(ClientId client, StoredKind kind, Object initial) {
    const bool fits = kind == StoredKind::value || is_waitable(kind) ||
                      (kind == StoredKind::list && initial.kind() == Object::Kind::list) ||
                      ((kind == StoredKind::dict || kind == StoredKind::namespace_) &&
                       initial.kind() == Object::Kind::dict);
    if (!fits) throw TypeError("ipc: Manager: cannot make this kind of object from " + initial.repr());
    const std::uint64_t id = next_id_++;
    if (kind == StoredKind::condition) {
        if (initial.is_none()) {  // a lock of its own, held by the condition alone
            const std::uint64_t lock = next_id_++;
            waitables_.create(lock, StoredKind::rlock, None{});
            objects_.emplace(lock, Stored{StoredKind::rlock, None{}, 0});
            initial = static_cast<std::int64_t>(lock);
        }
        waitables_.create(id, kind, initial);  // checks that the lock is one
        ++find(static_cast<std::uint64_t>(initial.as_int())).references;
    } else if (is_waitable(kind)) {
        waitables_.create(id, kind, initial);
    }
    objects_.emplace(id, Stored{kind, is_waitable(kind) ? Object(None{}) : std::move(initial), 0});
    incref(client, id);
    return id;
}

std::uint64_t ManagerStore::open_named(ClientId client, StoredKind kind, const std::string& name, Object initial) {
    if (const auto it = named_.find(name); it != named_.end()) {
        if (find(it->second).kind != kind)
            throw TypeError("ipc: Manager: \"" + name + "\" names an object of another kind");
        incref(client, it->second);
        return it->second;
    }
    const std::uint64_t id = create(client, kind, std::move(initial));
    ++find(id).references;  // the server's own: it lives until the server ends
    named_.emplace(name, id);
    return id;
}

ManagerStore::Stored& ManagerStore::find(std::uint64_t object) {
    const auto it = objects_.find(object);
    if (it == objects_.end())
        throw KeyError("ipc: Manager: no object " + std::to_string(object) + " (released by every proxy)");
    return it->second;
}

void ManagerStore::incref(ClientId client, std::uint64_t object) {
    ++find(object).references;
    ++held_[client][object];
}

void ManagerStore::decref(ClientId client, std::uint64_t object) {
    auto& held = held_[client];
    const auto it = held.find(object);
    if (it == held.end()) return;  // never held by this client: ignore, as a stale message
    if (--it->second == 0) held.erase(it);
    drop_references(object, 1);
}

void ManagerStore::drop_references(std::uint64_t object, std::uint64_t references) {
    const auto stored = objects_.find(object);
    if (stored == objects_.end() || (stored->second.references -= references) != 0) return;
    objects_.erase(stored);
    if (const std::optional<std::uint64_t> lock = waitables_.erase(object)) drop_references(*lock, 1);
}

bool ManagerStore::drop_client(ClientId client) {
    if (const auto it = held_.find(client); it != held_.end()) {
        for (const auto& [object, count] : it->second) drop_references(object, count);
        held_.erase(it);
    }
    return waitables_.drop_client(client);
}

std::optional<Object> ManagerStore::call(const Caller& caller, std::uint64_t object, Method method,
                                         List& args, bool allow_modify, bool expired, WaitState& state) {
    Stored& stored = find(object);
    switch (stored.kind) {
        case StoredKind::dict:
            return dict_call(stored.value.as_dict(), method, args, allow_modify);
        case StoredKind::list:
            return list_call(stored.value.as_list(), method, args);
        case StoredKind::namespace_:
            return namespace_call(stored.value.as_dict(), method, args);
        case StoredKind::value:
            return value_call(stored.value, method, args, allow_modify);
        default:
            return waitables_.attempt(caller, object, method, args, expired, state);
    }
}

}  // namespace mp::ipc::internal

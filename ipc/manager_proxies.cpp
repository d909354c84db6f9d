#include "ipc/manager_proxies.hpp"

#include <algorithm>
#include <vector>

#include "ipc/internal/call_arguments.hpp"

namespace mp::ipc {

using internal::Method;
using internal::call_arguments;

Proxy::Proxy(const Proxy& other) : session_(other.session_), id_(other.id_) {
    if (session_) session_->acquire(id_);
}

Proxy& Proxy::operator=(const Proxy& other) {
    if (this != &other) *this = Proxy(other);
    return *this;
}

Proxy::Proxy(Proxy&& other) noexcept : session_(std::move(other.session_)), id_(other.id_) {}

Proxy& Proxy::operator=(Proxy&& other) noexcept {
    if (this != &other) {
        if (session_) session_->release(id_);
        session_ = std::move(other.session_);
        id_ = other.id_;
    }
    return *this;
}

Proxy::~Proxy() {
    if (session_) session_->release(id_);
}

const std::string& Proxy::address() const { return session().address(); }

Proxy Proxy::received(const std::string& address, std::uint64_t id) {
    std::shared_ptr<internal::Session> session = internal::existing_session(address);
    if (!session)
        throw ManagerError("ipc: Manager proxy received for " + address +
                           ", a Manager this process has not reached: Manager::connect(address, authkey) first");
    session->acquire(id);
    return Proxy(std::move(session), id);
}

Object Proxy::call(Method method, List args, std::int64_t timeout_ns) const {
    return session().call(id_, method, std::move(args), timeout_ns);
}

Object Proxy::call(Method method, internal::EncodeArguments encode_args) const {
    return session().call(id_, method, std::move(encode_args));
}

internal::Session& Proxy::session() const {
    if (!session_) throw std::logic_error("ipc: Manager proxy: this proxy refers to nothing (default-made or moved from)");
    return *session_;
}

// ---- dict ----
Object DictProxy::get(const Object& key) const { return call(Method::dict_get, call_arguments(key)); }
Object DictProxy::get(const Object& key, const Object& fallback) const { return call(Method::dict_get_or, call_arguments(key, fallback)); }
void DictProxy::set(const Object& key, const Object& value) { call(Method::dict_set, call_arguments(key, value)); }
void DictProxy::del(const Object& key) { call(Method::dict_del, call_arguments(key)); }
bool DictProxy::contains(const Object& key) const { return call(Method::dict_contains, call_arguments(key)).as_bool(); }
std::size_t DictProxy::size() const { return static_cast<std::size_t>(call(Method::dict_len).as_int()); }
List DictProxy::keys() const { return call(Method::dict_keys).as_list(); }
List DictProxy::values() const { return call(Method::dict_values).as_list(); }
List DictProxy::items() const { return call(Method::dict_items).as_list(); }
void DictProxy::update(const Dict& other) {
    call(Method::dict_update, [&other](Encoder& out) {
        out.write_count(1);
        internal::encode_dict_object(out, other);
    });
}
Object DictProxy::setdefault(const Object& key, const Object& fallback) {
    return call(Method::dict_setdefault, call_arguments(key, fallback));
}
Object DictProxy::pop(const Object& key) { return call(Method::dict_pop, call_arguments(key)); }
Object DictProxy::pop(const Object& key, const Object& fallback) { return call(Method::dict_pop_or, call_arguments(key, fallback)); }
std::pair<Object, Object> DictProxy::popitem() {
    const List pair = call(Method::dict_popitem).as_list();
    return {pair.at(0), pair.at(1)};
}
void DictProxy::clear() { call(Method::dict_clear); }
Dict DictProxy::copy() const { return call(Method::dict_copy).as_dict(); }
Object DictProxy::modify(const Object& key, ModifyFunction fn) {
    return call(Method::dict_modify, call_arguments(function_argument(fn), key));
}
Object DictProxy::modify(const Object& key, ModifyFunction fn, const Object& initial) {
    return call(Method::dict_modify, call_arguments(function_argument(fn), key, initial));
}
Object DictProxy::add(const Object& key, const Object& delta) { return call(Method::dict_add, call_arguments(key, delta)); }

// ---- list ----
namespace {
Object bound(std::optional<std::int64_t> index) { return index ? Object(*index) : Object(None{}); }
}  // namespace

Object ListProxy::get(std::int64_t index) const { return call(Method::list_get, call_arguments(index)); }
void ListProxy::set(std::int64_t index, const Object& value) { call(Method::list_set, call_arguments(index, value)); }
List ListProxy::slice(std::optional<std::int64_t> start, std::optional<std::int64_t> stop) const {
    return call(Method::list_slice, call_arguments(bound(start), bound(stop))).as_list();
}
void ListProxy::set_slice(std::optional<std::int64_t> start, std::optional<std::int64_t> stop, const List& items) {
    call(Method::list_set_slice, call_arguments(bound(start), bound(stop), items));
}
std::size_t ListProxy::size() const { return static_cast<std::size_t>(call(Method::list_len).as_int()); }
void ListProxy::append(const Object& value) { call(Method::list_append, call_arguments(value)); }
void ListProxy::extend(const List& items) { call(Method::list_extend, call_arguments(items)); }
void ListProxy::insert(std::int64_t index, const Object& value) { call(Method::list_insert, call_arguments(index, value)); }
Object ListProxy::pop() { return call(Method::list_pop); }
Object ListProxy::pop(std::int64_t index) { return call(Method::list_pop, call_arguments(index)); }
void ListProxy::remove(const Object& value) { call(Method::list_remove, call_arguments(value)); }
std::size_t ListProxy::index(const Object& value) const {
    return static_cast<std::size_t>(call(Method::list_index, call_arguments(value)).as_int());
}
std::size_t ListProxy::count(const Object& value) const {
    return static_cast<std::size_t>(call(Method::list_count, call_arguments(value)).as_int());
}
void ListProxy::reverse() { call(Method::list_reverse); }
void ListProxy::sort(bool descending) { call(Method::list_sort, call_arguments(descending)); }
List ListProxy::copy() const { return call(Method::list_copy).as_list(); }

// ---- Namespace ----
Object NamespaceProxy::get(const std::string& name) const { return call(Method::namespace_get, call_arguments(name)); }
void NamespaceProxy::set(const std::string& name, const Object& value) { call(Method::namespace_set, call_arguments(name, value)); }
void NamespaceProxy::del(const std::string& name) { call(Method::namespace_del, call_arguments(name)); }
Dict NamespaceProxy::copy() const { return call(Method::namespace_copy).as_dict(); }
// As Python's Namespace.__repr__: "name=repr" for each attribute, sorted.
std::string NamespaceProxy::repr() const {
    std::vector<std::string> attributes;
    copy().for_each([&](const Object& name, const Object& value) { attributes.push_back(name.as_string() + "=" + value.repr()); });
    std::sort(attributes.begin(), attributes.end());
    std::string out = "Namespace(";
    for (std::size_t i = 0; i < attributes.size(); ++i) out += (i ? ", " : "") + attributes[i];
    return out + ")";
}

// ---- Value ----
Object ValueProxy::get() const { return call(Method::value_get); }
void ValueProxy::set(const Object& value) { call(Method::value_set, call_arguments(value)); }
Object ValueProxy::modify(ModifyFunction fn) { return call(Method::value_modify, call_arguments(function_argument(fn))); }

}  // namespace mp::ipc

// The Manager's wire protocol: after the handshake (manager_auth.hpp), a client sends
// Requests and the server answers each call with one Reply; incref and decref are
// one-way (no Reply), so copying or dropping a proxy costs no round trip.
#pragma once

#include <cstdint>
#include <string>

#include "ipc/codec.hpp"
#include "ipc/object.hpp"

namespace mp::ipc::internal {

enum class RequestKind : std::uint8_t { call, create, incref, decref };

// A function the client names by address (an integer argument of a modify call), run
// in the server on a stored value: the server is a fork of the client's program, so
// the address means the same code.
using ModifyFunction = void (*)(Object& value);

// What a proxy asks of its object. The first word names the kind of object.
enum class Method : std::uint8_t {
    dict_get, dict_get_or, dict_set, dict_del, dict_contains, dict_len, dict_keys, dict_values, dict_items,
    dict_update, dict_setdefault, dict_pop, dict_pop_or, dict_popitem, dict_clear, dict_copy, dict_modify, dict_add,
    list_get, list_set, list_slice, list_set_slice, list_len, list_append, list_extend, list_insert, list_pop,
    list_remove, list_index, list_count, list_reverse, list_sort, list_copy,
    namespace_get, namespace_set, namespace_del, namespace_copy,
    value_get, value_set, value_modify,
    last = value_modify
};

// The kinds of object a Manager holds (what `create` makes).
enum class StoredKind : std::uint8_t { dict, list, namespace_, value };

struct Request {
    RequestKind kind = RequestKind::call;
    std::uint64_t object = 0;  // call, incref, decref
    std::uint8_t code = 0;     // call: a Method; create: a StoredKind
    List args;                 // call: the arguments; create: the initial value, and a name for a named object
};

// Reply status: ok, or the Python exception the call raised.
enum class Status : std::uint8_t { ok, key_error, index_error, value_error, type_error, attribute_error, error };

struct Reply {
    Status status = Status::ok;
    Object value;         // ok: the result (create: the new object's id)
    std::string message;  // an error's message
};

inline void mp_encode(Encoder& out, const Request& r) {
    out.write(static_cast<std::uint8_t>(r.kind));
    out.write(r.object);
    out.write(r.code);
    out.write(r.args);
}
inline void mp_decode(Decoder& in, Request& r) {
    const auto kind = in.read<std::uint8_t>();
    if (kind > static_cast<std::uint8_t>(RequestKind::decref)) throw DecodeError("ipc: Manager: unknown request kind");
    r.kind = static_cast<RequestKind>(kind);
    in.read(r.object);
    in.read(r.code);
    in.read(r.args);
}
inline void mp_encode(Encoder& out, const Reply& r) {
    out.write(static_cast<std::uint8_t>(r.status));
    out.write(r.value);
    out.write(r.message);
}
inline void mp_decode(Decoder& in, Reply& r) {
    const auto status = in.read<std::uint8_t>();
    if (status > static_cast<std::uint8_t>(Status::error)) throw DecodeError("ipc: Manager: unknown reply status");
    r.status = static_cast<Status>(status);
    in.read(r.value);
    in.read(r.message);
}

}  // namespace mp::ipc::internal

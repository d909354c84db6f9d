// The argument list of a proxy call, as the client builds it and the server reads it.
#pragma once

#include <cstddef>
#include <string>
#include <utility>

#include "ipc/object.hpp"

namespace mp::ipc::internal {

// Each value copied (or moved) into the List once: a braced list would copy each
// twice, into the initializer_list and out of it, which counts for a big dict or a
// big queue item.
template <class... A>
List call_arguments(A&&... values) {
    List list;
    list.reserve(sizeof...(A));
    (list.emplace_back(std::forward<A>(values)), ...);
    return list;
}

// Argument i of a call the server received: a shorter list is the caller's error.
inline const Object& call_argument(const List& args, std::size_t i) {
    if (i >= args.size()) throw TypeError("ipc: Manager: missing argument " + std::to_string(i + 1));
    return args[i];
}

}  // namespace mp::ipc::internal

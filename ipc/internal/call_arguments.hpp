// The argument list of a proxy call.
#pragma once

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

}  // namespace mp::ipc::internal

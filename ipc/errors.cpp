#include "ipc/errors.hpp"

namespace mp::ipc::detail {

void throw_errno(const std::string& call, int error) {
    throw std::system_error(error, std::generic_category(), call);
}

}  // namespace mp::ipc::detail

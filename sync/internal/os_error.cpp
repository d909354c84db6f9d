#include "sync/internal/os_error.hpp"

#include <system_error>

namespace mp::sync::internal {

void throw_errno(const std::string& call, int error) { throw std::system_error(error, std::generic_category(), call); }

void throw_errno(const std::string& call, std::string_view object, int error) {
    throw_errno(call + "(\"" + std::string(object) + "\")", error);
}

}  // namespace mp::sync::internal

// What bin/shm's segment commands share: opening a segment by name with the tool's
// error rules, and printing one value.
#include <cstdio>
#include <stdexcept>
#include <string>
#include <system_error>

#include "bin/cli/main.hpp"
#include "bin/shm_commands.hpp"
#include "shm/shm.hpp"

namespace mp::tools::shm {

void with_segment_name(const std::string& name, const std::function<void()>& open) {
    try {
        open();
    } catch (const std::invalid_argument& error) {
        throw cli::UsageError(error.what());
    } catch (const std::system_error& error) {
        if (error.code() == std::errc::no_such_file_or_directory)
            throw std::runtime_error("no segment named \"" + name + "\" (/dev/shm/mp-" + name + ")");
        throw;
    }
}

mp::shm::DynamicArray attach(const std::string& name, const mp::shm::Access& access) {
    std::optional<mp::shm::DynamicArray> array;
    with_segment_name(name, [&] { array.emplace(mp::shm::DynamicArray::attach(name, access)); });
    return std::move(*array);
}

void print_value(mp::shm::TypeCode code, const mp::shm::Scalar& value) {
    std::printf("%s\n", mp::shm::format_scalar(code, value).c_str());
}

}  // namespace mp::tools::shm

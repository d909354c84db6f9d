// libFuzzer target over the Manager's request decoder and store.
#include "tests/fuzz/manager_fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    mp::ipc::fuzz::manager_requests(data, size);
    return 0;
}

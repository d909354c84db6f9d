// libFuzzer target over the codec: decode every supported type from any bytes.
#include "tests/fuzz/ipc_fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    mp::ipc::fuzz::codec(data, size);
    return 0;
}

// libFuzzer target over the framing: receive frames from any byte stream.
#include "tests/fuzz/ipc_fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    mp::ipc::fuzz::framing(data, size);
    return 0;
}

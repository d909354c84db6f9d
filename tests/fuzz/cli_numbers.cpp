// libFuzzer target over the demos' shared number and duration parsing (bin/cli).
// The fuzz build links the libraries only, so the parser's source comes along here.
#include "bin/cli/cli.cpp"
#include "tests/fuzz/cli_fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    mp::cli::fuzz::numbers(data, size);
    return 0;
}

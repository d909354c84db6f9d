// Replays the fuzz corpus (tests/fuzz/corpus/<target>/) through the fuzz bodies,
// so that every input the fuzzer ever kept stays a regression test of `make test`
// (and of the sanitizer build in `make check`).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "tests/fuzz/ipc_fuzz.hpp"

namespace {

namespace fs = std::filesystem;

// Runs `body` over every file of the target's corpus; returns how many.
template <class Body>
int replay(const std::string& target, Body body) {
    int files = 0;
    const fs::path dir = fs::path("tests/fuzz/corpus") / target;
    for (const auto& entry : fs::directory_iterator(dir)) {
        std::ifstream in(entry.path(), std::ios::binary);
        const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        SCOPED_TRACE(entry.path().string());
        body(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
        ++files;
    }
    return files;
}

TEST(FuzzCorpus, CodecInputsDecodeOrFailCleanly) {
    // The suite runs from the repository root (as `make test` does).
    EXPECT_GE(replay("ipc_codec", mp::ipc::fuzz::codec), 15) << "corpus missing: run from the repository root";
}

TEST(FuzzCorpus, FramingInputsReceiveOrFailCleanly) {
    EXPECT_GE(replay("ipc_framing", mp::ipc::fuzz::framing), 9) << "corpus missing: run from the repository root";
}

}  // namespace

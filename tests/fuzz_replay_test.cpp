// Replays the corpora of the fuzz targets outside ipc (tests/fuzz/corpus/<target>/)
// through their bodies, so every input a fuzzer kept, and every crash it found,
// stays a regression test of `make test` and of the sanitizer build (`make check`).
// The ipc targets are replayed by the ipc suite (tests/ipc/fuzz_replay_test.cpp);
// demo_cli runs processes in a mount namespace and is left to `make fuzz`.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "tests/fuzz/cli_fuzz.hpp"

extern "C" int shm_header_fuzz_one(const std::uint8_t* data, std::size_t size);

namespace {

namespace fs = std::filesystem;

// Runs `body` over every file of the target's corpus; returns how many.
template <class Body>
int replay(const std::string& target, Body body) {
    int files = 0;
    const fs::path dir = fs::path("tests/fuzz/corpus") / target;
    if (!fs::is_directory(dir)) return 0;
    for (const auto& entry : fs::directory_iterator(dir)) {
        std::ifstream in(entry.path(), std::ios::binary);
        const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        SCOPED_TRACE(entry.path().string());
        body(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
        ++files;
    }
    return files;
}

TEST(FuzzCorpus, CliNumbersParseOrRefuseCleanly) {
    // The suite runs from the repository root (as `make test` does).
    EXPECT_GE(replay("cli_numbers", mp::cli::fuzz::numbers), 12)
        << "corpus missing: run from the repository root";
}

TEST(FuzzCorpus, ShmHeadersReadOrFailCleanly) {
    EXPECT_GE(replay("shm_header", shm_header_fuzz_one), 2) << "corpus missing: run from the repository root";
}

}  // namespace

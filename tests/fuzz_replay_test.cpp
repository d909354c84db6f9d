// Replays the corpora of the fuzz targets outside ipc (tests/fuzz/corpus/<target>/)
// through their bodies, so every input a fuzzer kept, and every crash it found,
// stays a regression test of `make test` and of the sanitizer build (`make check`).
// The ipc targets are replayed by the ipc suite (tests/ipc/fuzz_replay_test.cpp);
// demo_cli runs processes in a mount namespace and is left to `make fuzz`; its
// command lines are replayed in memory by demo_args.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>

#include "tests/fuzz/cli_fuzz.hpp"
#include "tests/fuzz/demo_args_fuzz.hpp"
#include "tests/fuzz/replay.hpp"

extern "C" int shm_header_fuzz_one(const std::uint8_t* data, std::size_t size);

namespace {

TEST(FuzzCorpus, CliNumbersParseOrRefuseCleanly) {
    // The suite runs from the repository root (as `make test` does).
    EXPECT_GE(mp::fuzz::replay_corpus("cli_numbers", mp::cli::fuzz::numbers), 12)
        << "corpus missing: run from the repository root";
}

TEST(FuzzCorpus, DemoCommandLinesParseOrRefuseCleanly) {
    EXPECT_GE(mp::fuzz::replay_corpus("demo_args", mp::cli::fuzz::demo_args), 30)
        << "corpus missing: run from the repository root";
}

TEST(FuzzCorpus, ShmHeadersReadOrFailCleanly) {
    EXPECT_GE(mp::fuzz::replay_corpus("shm_header", shm_header_fuzz_one), 2)
        << "corpus missing: run from the repository root";
}

}  // namespace

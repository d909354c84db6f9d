// Replays the fuzz corpus (tests/fuzz/corpus/<target>/) through the fuzz bodies,
// so that every input the fuzzer ever kept stays a regression test of `make test`
// (and of the sanitizer build in `make check`).
#include <gtest/gtest.h>

#include "tests/fuzz/ipc_fuzz.hpp"
#include "tests/fuzz/manager_fuzz.hpp"
#include "tests/fuzz/replay.hpp"

namespace {

TEST(FuzzCorpus, CodecInputsDecodeOrFailCleanly) {
    // The suite runs from the repository root (as `make test` does).
    EXPECT_GE(mp::fuzz::replay_corpus("ipc_codec", mp::ipc::fuzz::codec), 15)
        << "corpus missing: run from the repository root";
}

TEST(FuzzCorpus, FramingInputsReceiveOrFailCleanly) {
    EXPECT_GE(mp::fuzz::replay_corpus("ipc_framing", mp::ipc::fuzz::framing), 9)
        << "corpus missing: run from the repository root";
}

TEST(FuzzCorpus, ManagerRequestsRunOrFailCleanly) {
    EXPECT_GE(mp::fuzz::replay_corpus("ipc_manager", mp::ipc::fuzz::manager_requests), 13)
        << "corpus missing: run from the repository root";
}

}  // namespace

// Replays a fuzz target's corpus (tests/fuzz/corpus/<target>/) through its body in a
// GoogleTest suite, so that every input a fuzzer kept stays a regression test of
// `make test` and of the sanitizer builds. Suites run from the repository root.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace mp::fuzz {

// Runs `body(data, size)` over every file of the target's corpus; returns how many.
template <class Body>
int replay_corpus(const std::string& target, Body body) {
    int files = 0;
    const std::filesystem::path dir = std::filesystem::path("tests/fuzz/corpus") / target;
    if (!std::filesystem::is_directory(dir)) return 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        std::ifstream in(entry.path(), std::ios::binary);
        const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        SCOPED_TRACE(entry.path().string());
        body(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
        ++files;
    }
    return files;
}

}  // namespace mp::fuzz

// SHA-256 against FIPS 180-4's examples and the padding boundaries, HMAC-SHA-256
// against RFC 4231's seven test cases.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ipc/internal/sha256.hpp"

namespace {

using mp::ipc::internal::Digest;

std::vector<std::byte> from_hex(const std::string& hex) {
    std::vector<std::byte> out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
        out.push_back(static_cast<std::byte>(std::stoi(hex.substr(i, 2), nullptr, 16)));
    return out;
}

std::vector<std::byte> text(const std::string& s) {
    const auto bytes = std::as_bytes(std::span(s.data(), s.size()));
    return {bytes.begin(), bytes.end()};
}

std::string to_hex(const Digest& digest) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (std::byte b : digest) {
        out += kHex[std::to_integer<int>(b) >> 4];
        out += kHex[std::to_integer<int>(b) & 15];
    }
    return out;
}

TEST(Sha256, FipsExamples) {
    using mp::ipc::internal::sha256;
    EXPECT_EQ(to_hex(sha256(text(""))), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(to_hex(sha256(text("abc"))), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(to_hex(sha256(text("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))),
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    mp::ipc::internal::Sha256 million;
    const std::string thousand(1000, 'a');
    for (int i = 0; i < 1000; ++i) million.update(thousand);
    EXPECT_EQ(to_hex(million.finish()), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, EveryPaddingBoundary) {
    // Expected values from python3's hashlib.sha256(b"x" * n).
    const std::vector<std::pair<std::size_t, std::string>> cases = {
        {55, "d5e285683cd4efc02d021a5c62014694958901005d6f71e89e0989fac77e4072"},
        {56, "04c26261370ee7541549d16dee320c723e3fd14671e66a099afe0a377c16888e"},
        {63, "75220b47218278e656f2013bb8f0c455a25eaf01e86c64924e9d48d89776d6f2"},
        {64, "7ce100971f64e7001e8fe5a51973ecdfe1ced42befe7ee8d5fd6219506b5393c"},
        {65, "9537c5fdf120482f7d58d25e9ed583f52c02b4e304ea814db1633ad565aed7e9"},
        {119, "000b48d4edf0fa7bee3c6236ecd2785baa5db4eeb8bb54341b029e0d9fa5fb0c"},
        {120, "13f05a0b594787f5ecd315edc96141bd3243203d1b7d4f0836f37308b276ba98"},
    };
    for (const auto& [n, hex] : cases) EXPECT_EQ(to_hex(mp::ipc::internal::sha256(text(std::string(n, 'x')))), hex) << n;
}

TEST(HmacSha256, Rfc4231TestCases) {
    struct Case {
        std::vector<std::byte> key, data;
        std::string mac;
    };
    const std::vector<Case> cases = {
        {std::vector<std::byte>(20, std::byte{0x0b}), text("Hi There"),
         "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
        {text("Jefe"), text("what do ya want for nothing?"),
         "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
        {std::vector<std::byte>(20, std::byte{0xaa}), std::vector<std::byte>(50, std::byte{0xdd}),
         "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
        {from_hex("0102030405060708090a0b0c0d0e0f10111213141516171819"), std::vector<std::byte>(50, std::byte{0xcd}),
         "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
        // Case 5's MAC is the first 128 bits of this one.
        {std::vector<std::byte>(20, std::byte{0x0c}), text("Test With Truncation"),
         "a3b6167473100ee06e0c796c2955552bfa6f7c0a6a8aef8b93f860aab0cd20c5"},
        {std::vector<std::byte>(131, std::byte{0xaa}), text("Test Using Larger Than Block-Size Key - Hash Key First"),
         "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
        {std::vector<std::byte>(131, std::byte{0xaa}),
         text("This is a test using a larger than block-size key and a larger than block-size data. The key needs "
              "to be hashed before being used by the HMAC algorithm."),
         "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
    };
    for (std::size_t i = 0; i < cases.size(); ++i)
        EXPECT_EQ(to_hex(mp::ipc::internal::hmac_sha256(cases[i].key, cases[i].data)), cases[i].mac) << "case " << i + 1;
    EXPECT_EQ(to_hex(mp::ipc::internal::hmac_sha256(cases[4].key, cases[4].data)).substr(0, 32),
              "a3b6167473100ee06e0c796c2955552b")
        << "RFC 4231 case 5 (truncated to 128 bits)";
}

TEST(HmacSha256, DigestsCompareEqualOnlyWhenEqual) {
    const Digest a = mp::ipc::internal::sha256(text("a"));
    Digest b = a;
    EXPECT_TRUE(mp::ipc::internal::digests_equal(a, b));
    b[31] ^= std::byte{1};
    EXPECT_FALSE(mp::ipc::internal::digests_equal(a, b));
}

}  // namespace

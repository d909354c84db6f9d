// Attaching checks the header: wrong type, wrong length and damaged headers are
// exceptions, never undefined behaviour.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "shm/internal/layout.hpp"
#include "shm/shm.hpp"
#include "tests/support/helpers.hpp"

namespace {

using mp::shm::Array;
using mp::shm::DamagedSegment;
using mp::shm::DynamicArray;
using mp::shm::SharedMemory;
using mp::shm::Value;
using mp::shm::WrongLength;
using mp::shm::WrongType;
using mp::shm::internal::RawHeader;

// Expects `attach()` to throw E with `fragment` in its message.
template <class E, class Attach>
void expect_error(Attach attach, const std::string& fragment) {
    try {
        attach();
        ADD_FAILURE() << "attached without error; expected: " << fragment;
    } catch (const E& error) {
        EXPECT_NE(std::string(error.what()).find(fragment), std::string::npos) << error.what();
    }
}

TEST(Header, RecordsTypeCountAndCreator) {
    const std::string name = mp::test::unique_name("hdr");
    auto array = Array<unsigned short>::create(name, 7);
    const mp::shm::HeaderInfo& info = array.info();
    EXPECT_EQ(info.type_code, mp::shm::TypeCode::UnsignedShort);
    EXPECT_EQ(info.count, 7u);
    EXPECT_EQ(info.element_size, 2u);
    EXPECT_EQ(info.creator_pid, getpid());
    EXPECT_NE(info.creator_start_time, 0u);
    EXPECT_TRUE(info.has_lock);
    EXPECT_EQ(Array<unsigned short>::attach(name).info().creator_pid, getpid());
}

TEST(Header, AttachingAsTheWrongTypeThrows) {
    const std::string name = mp::test::unique_name("type");
    auto value = Value<int>::create(name, 3);
    expect_error<WrongType>([&] { (void)Value<unsigned int>::attach(name); },
                            "holds 'i' (int) elements, not 'I' (unsigned int)");
    expect_error<WrongType>([&] { (void)Value<long>::attach(name); }, "not 'l' (long)");
    expect_error<WrongType>([&] { (void)Array<float>::attach(name); }, "not 'f' (float)");
    EXPECT_EQ(Value<int>::attach(name).load(), 3);
}

struct PointA {
    int x, y;
};
struct PointB {
    float x, y;
};

TEST(Header, OpaqueTypesOfTheSameSizeAreTold) {
    const std::string name = mp::test::unique_name("opaque");
    auto a = Value<PointA>::create(name, PointA{1, 2});
    EXPECT_EQ(a.info().type_code, mp::shm::TypeCode::Opaque);
    expect_error<WrongType>([&] { (void)Value<PointB>::attach(name); }, "of the same C++ type");
    expect_error<WrongType>([&] { (void)Value<long>::attach(name); }, "opaque 8-byte elements, not 'l'");
    EXPECT_EQ(Value<PointA>::attach(name).load().y, 2);
    expect_error<std::logic_error>([&] { (void)DynamicArray::attach(name).get(0); }, "opaque");
}

TEST(Header, AttachingAsTheWrongLengthThrows) {
    const std::string name = mp::test::unique_name("length");
    auto array = Array<double>::create(name, {1.0, 2.0, 3.0});
    expect_error<WrongLength>([&] { (void)Array<double>::attach(name, 4); }, "holds 3 elements, not 4");
    expect_error<WrongLength>([&] { (void)Value<double>::attach(name); }, "holds 3 elements, not 1");
    EXPECT_EQ(Array<double>::attach(name, 3).size(), 3u);
    EXPECT_EQ(Array<double>::attach(name).size(), 3u);
}

class DamagedHeader : public ::testing::Test {
protected:
    // A valid Value<int> named name_, then `damage` applied to its bytes.
    void make_and_damage(const std::function<void(std::byte*, std::size_t)>& damage) {
        auto value = Value<int>::create(name_, 1);
        value.release();
        auto bytes = SharedMemory::attach(name_);
        damage(bytes.data().data(), bytes.size());
    }
    void TearDown() override { shm_unlink(mp::shm::segment_path(name_).c_str()); }
    // Replaces the segment with one of `size` bytes holding `fill` (no header at all).
    void make_raw(std::size_t size, std::byte fill) {
        const int fd = shm_open(mp::shm::segment_path(name_).c_str(), O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600);
        ASSERT_GE(fd, 0);
        ASSERT_EQ(ftruncate(fd, static_cast<off_t>(size)), 0);
        close(fd);
        if (size > 0) std::memset(SharedMemory::attach(name_).data().data(), static_cast<int>(fill), size);
    }
    void expect_damaged(const std::string& fragment) {
        expect_error<DamagedSegment>([&] { (void)Value<int>::attach(name_); }, fragment);
        expect_error<DamagedSegment>([&] { (void)DynamicArray::attach(name_); }, fragment);
    }
    std::string name_ = mp::test::unique_name("damaged");
};

TEST_F(DamagedHeader, SegmentsWithoutAHeader) {
    const struct {
        std::size_t size;
        std::byte fill;
        const char* fragment;
    } cases[] = {
        {0, std::byte{0}, "too small for a typed segment header (0 bytes"},
        {10, std::byte{0x5a}, "too small"},
        {4096, std::byte{0x5a}, "bad magic number"},  // foreign bytes
        {4096, std::byte{0}, "is not initialized"},    // its creator never published it
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.fragment);
        make_raw(c.size, c.fill);
        expect_damaged(c.fragment);
        shm_unlink(mp::shm::segment_path(name_).c_str());
    }
}

TEST_F(DamagedHeader, OtherLayoutVersion) {
    make_and_damage([](std::byte* bytes, std::size_t) { reinterpret_cast<RawHeader*>(bytes)->version = 99; });
    expect_damaged("layout version 99");
}

TEST_F(DamagedHeader, CorruptCount) {
    make_and_damage([](std::byte* bytes, std::size_t) { reinterpret_cast<RawHeader*>(bytes)->count = 1000000; });
    expect_damaged("corrupt header (checksum mismatch)");
}

TEST_F(DamagedHeader, CorruptButConsistentChecksumStillMustMatchTheSize) {
    make_and_damage([](std::byte* bytes, std::size_t) {
        auto& header = *reinterpret_cast<RawHeader*>(bytes);
        header.count = 1000000;
        header.checksum = mp::shm::internal::header_checksum(header);
    });
    expect_damaged("but its header describes");
}

TEST_F(DamagedHeader, UnknownTypeCode) {
    make_and_damage([](std::byte* bytes, std::size_t) {
        auto& header = *reinterpret_cast<RawHeader*>(bytes);
        header.type_code = 'z';
        header.checksum = mp::shm::internal::header_checksum(header);
    });
    expect_damaged("inconsistent header");
}

TEST_F(DamagedHeader, LockOfAnotherLayout) {
    make_and_damage([](std::byte* bytes, std::size_t) {
        auto& header = *reinterpret_cast<RawHeader*>(bytes);
        header.lock_size = 999;
        header.checksum = mp::shm::internal::header_checksum(header);
    });
    expect_damaged("was made with a 999-byte lock");
}

TEST_F(DamagedHeader, SegmentResizedAfterCreation) {
    make_and_damage([this](std::byte*, std::size_t) {
        const int fd = shm_open(mp::shm::segment_path(name_).c_str(), O_RDWR | O_CLOEXEC, 0600);
        ASSERT_GE(fd, 0);
        ASSERT_EQ(ftruncate(fd, 8192), 0);
        close(fd);
    });
    expect_damaged("is 8192 bytes long, but its header describes");
}

}  // namespace

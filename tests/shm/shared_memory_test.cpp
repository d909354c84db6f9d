// SharedMemory: named and anonymous segments, ownership, close vs unlink.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <stdexcept>
#include <string>
#include <system_error>

#include "shm/shared_memory.hpp"
#include "tests/shm/support.hpp"
#include "tests/support/helpers.hpp"
#include "tests/support/leak_guard.hpp"

namespace {

using mp::shm::SharedMemory;
using mp::shm::test::Child;
using mp::shm::test::segment_exists;

TEST(SharedMemory, NameMapsToMpPrefixedPosixName) {
    EXPECT_EQ(mp::shm::segment_path("counter"), "/mp-counter");
    EXPECT_THROW((void)mp::shm::segment_path(""), std::invalid_argument);
    EXPECT_THROW((void)mp::shm::segment_path("a/b"), std::invalid_argument);
    EXPECT_THROW((void)mp::shm::segment_path("tab\there"), std::invalid_argument);
    EXPECT_THROW((void)mp::shm::segment_path(std::string(201, 'x')), std::invalid_argument);
    EXPECT_EQ(mp::shm::segment_path(std::string(200, 'x')).size(), 204u);
}

TEST(SharedMemory, CreatorAndAttacherShareBytes) {
    const std::string name = mp::test::unique_name("bytes");
    auto owner = SharedMemory::create(name, 5000);
    EXPECT_EQ(owner.name(), name);
    EXPECT_EQ(owner.size(), 5000u);
    EXPECT_TRUE(owner.owns_name());
    EXPECT_TRUE(segment_exists(name));
    for (std::byte& b : owner.data()) EXPECT_EQ(b, std::byte{0});

    auto peer = SharedMemory::attach(name);
    EXPECT_EQ(peer.size(), 5000u);
    EXPECT_FALSE(peer.owns_name());
    std::memcpy(owner.data().data() + 4000, "hello", 5);
    EXPECT_EQ(std::memcmp(peer.data().data() + 4000, "hello", 5), 0);
}

TEST(SharedMemory, CreateIsExclusive) {
    const std::string name = mp::test::unique_name("excl");
    auto owner = SharedMemory::create(name, 64);
    try {
        (void)SharedMemory::create(name, 64);
        FAIL() << "a second create of the same name succeeded";
    } catch (const std::system_error& error) {
        EXPECT_EQ(error.code(), std::errc::file_exists);
        EXPECT_NE(std::string(error.what()).find("shm_open(\"/mp-" + name + "\")"), std::string::npos) << error.what();
    }
    EXPECT_TRUE(owner.owns_name()) << "the failed create must not have touched the first one";
}

TEST(SharedMemory, BadSizeAndMissingNameAreClearErrors) {
    EXPECT_THROW((void)SharedMemory::create(mp::test::unique_name("zero"), 0), std::invalid_argument);
    EXPECT_THROW((void)SharedMemory::anonymous(0), std::invalid_argument);
    try {
        (void)SharedMemory::attach(mp::test::unique_name("missing"));
        FAIL();
    } catch (const std::system_error& error) {
        EXPECT_EQ(error.code(), std::errc::no_such_file_or_directory);
    }
}

TEST(SharedMemory, NoRoomIsAnErrorAtCreationNotASignalLater) {
    const std::string name = mp::test::unique_name("huge");
    try {
        (void)SharedMemory::create(name, std::size_t{1} << 50);  // a petabyte
        FAIL() << "a petabyte segment was created";
    } catch (const std::system_error& error) {
        EXPECT_NE(std::string(error.what()).find("(\"/mp-" + name + "\")"), std::string::npos) << error.what();
    }
    EXPECT_FALSE(segment_exists(name)) << "a failed create leaves no name behind";
}

TEST(SharedMemory, OwnerUnlinksOnDestructionAttacherNever) {
    const std::string name = mp::test::unique_name("owner");
    {
        auto owner = SharedMemory::create(name, 64);
        { auto peer = SharedMemory::attach(name); }
        EXPECT_TRUE(segment_exists(name)) << "an attaching handle must never unlink";
    }
    EXPECT_FALSE(segment_exists(name)) << "the creating handle unlinks on destruction";
}

TEST(SharedMemory, ReleasedNameOutlivesItsCreator) {
    const std::string name = mp::test::unique_name("released");
    {
        auto owner = SharedMemory::create(name, 64);
        owner.data()[0] = std::byte{42};
        owner.release();
        EXPECT_FALSE(owner.owns_name());
    }
    ASSERT_TRUE(segment_exists(name));
    auto later = SharedMemory::attach(name);
    EXPECT_EQ(later.data()[0], std::byte{42});
    later.unlink();  // an attacher may unlink, explicitly
    EXPECT_FALSE(segment_exists(name));
}

TEST(SharedMemory, CloseUnmapsButKeepsTheNameUnlinkRemovesTheNameButKeepsTheMapping) {
    const std::string name = mp::test::unique_name("close");
    auto owner = SharedMemory::create(name, 64);
    auto peer = SharedMemory::attach(name);

    peer.close();
    EXPECT_EQ(peer.size(), 0u);
    EXPECT_TRUE(peer.data().empty());
    peer.close();  // idempotent
    EXPECT_TRUE(segment_exists(name)) << "close() only unmaps";

    owner.unlink();
    EXPECT_FALSE(segment_exists(name));
    EXPECT_FALSE(owner.owns_name());
    owner.data()[1] = std::byte{7};  // the memory lives on while mapped
    EXPECT_EQ(owner.data()[1], std::byte{7});
    EXPECT_THROW((void)SharedMemory::attach(name), std::system_error);
    EXPECT_THROW(owner.unlink(), std::system_error) << "unlinking twice reports ENOENT";
}

TEST(SharedMemory, MovedHandleTransfersOwnership) {
    const std::string name = mp::test::unique_name("moved");
    {
        auto first = SharedMemory::create(name, 64);
        SharedMemory second = std::move(first);
        EXPECT_FALSE(first.owns_name());
        EXPECT_TRUE(second.owns_name());
        auto third = SharedMemory::anonymous(64);
        third = std::move(second);
        EXPECT_TRUE(segment_exists(name));
    }
    EXPECT_FALSE(segment_exists(name));
}

TEST(SharedMemory, ForkedCopyOfTheOwnerNeverUnlinks) {
    const std::string name = mp::test::unique_name("forkcopy");
    auto owner = SharedMemory::create(name, 64);
    Child child([&] {
        // Destroying the inherited owner in the child, as a normal exit would.
        { SharedMemory copy = std::move(owner); }
        return 0;
    });
    EXPECT_EQ(child.join(), 0);
    EXPECT_TRUE(segment_exists(name)) << "only the creating process unlinks";
}

// True when this process maps something at `address`.
bool mapped_here(const void* address) {
    std::ifstream maps("/proc/self/maps");
    const auto where = reinterpret_cast<std::uintptr_t>(address);
    std::string line;
    while (std::getline(maps, line)) {
        std::uintptr_t from = 0, to = 0;
        if (std::sscanf(line.c_str(), "%lx-%lx", &from, &to) == 2 && where >= from && where < to) return true;
    }
    return false;
}

TEST(SharedMemory, AnonymousIsSharedWithChildrenAndLeavesNoName) {
    const auto before = mp::test::our_shm_entries();
    void* address = nullptr;
    {
        auto anonymous = SharedMemory::anonymous(4096);
        EXPECT_EQ(anonymous.name(), "");
        EXPECT_FALSE(anonymous.owns_name());
        EXPECT_THROW(anonymous.unlink(), std::logic_error);
        address = anonymous.data().data();
        EXPECT_EQ(mp::test::our_shm_entries(), before) << "an anonymous segment has no /dev/shm entry";
        Child child([&] {
            std::memcpy(anonymous.data().data(), "from child", 10);
            return 0;
        });
        EXPECT_EQ(child.join(), 0);
        EXPECT_EQ(std::memcmp(anonymous.data().data(), "from child", 10), 0);
        EXPECT_TRUE(mapped_here(address));
    }
    // The child has exited and our handle is gone: no process maps it any more, so
    // the kernel frees it; there is no name that could leak.
    EXPECT_FALSE(mapped_here(address));
    EXPECT_EQ(mp::test::our_shm_entries(), before);
}

TEST(SharedMemory, CreatesItsSegmentReadableAndWritableByItsOwnerOnly) {
    const std::string name = mp::test::unique_name("private");
    const SharedMemory owner = SharedMemory::create(name, 64);
    struct stat status {};
    ASSERT_EQ(stat(("/dev/shm" + mp::shm::segment_path(name)).c_str(), &status), 0);
    EXPECT_EQ(status.st_mode & 0777, 0600u);
}

TEST(SharedMemory, ASegmentOwnedByAnotherUserIsRefusedOnAttach) {
    const std::string name = mp::test::unique_name("foreign");
    const std::string path = mp::shm::segment_path(name);
    const int fd = shm_open(path.c_str(), O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0666);
    ASSERT_GE(fd, 0);
    const bool given_away = fchown(fd, 65534, 65534) == 0;
    close(fd);
    if (given_away) {
        try {
            (void)SharedMemory::attach(name);
            ADD_FAILURE() << "attached another user's segment";
        } catch (const std::system_error& e) {
            EXPECT_EQ(e.code().value(), EACCES);
            EXPECT_NE(std::string(e.what()).find("owned by uid 65534"), std::string::npos) << e.what();
        }
    }
    shm_unlink(path.c_str());
    if (!given_away) GTEST_SKIP() << "only root can give a segment to another user here";
}

}  // namespace

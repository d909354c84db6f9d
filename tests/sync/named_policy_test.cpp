// The policy for named objects (DESIGN.md): created 0600, and an object owned by
// another user refused on open.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <system_error>

#include "sync/lock.hpp"
#include "sync/named.hpp"
#include "sync/semaphore.hpp"
#include "tests/sync/test_support.hpp"

namespace {

using mp::sync::test::ScopedName;

constexpr uid_t kOtherUser = 65534;  // nobody

TEST(NamedObjects, AreCreatedReadableAndWritableByTheirOwnerOnly) {
    const ScopedName name("private");
    const mp::sync::Lock lock = mp::sync::Lock::open(name.value);
    struct stat status {};
    ASSERT_EQ(stat(("/dev/shm/mp-sync-" + name.value).c_str(), &status), 0);
    EXPECT_EQ(status.st_mode & 0777, 0600u);
    EXPECT_EQ(status.st_uid, geteuid());
}

TEST(NamedObjects, OneOwnedByAnotherUserIsRefusedAndLeftAlone) {
    const ScopedName name("foreign");
    const std::string path = "/mp-sync-" + name.value;
    const int fd = shm_open(path.c_str(), O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0666);
    ASSERT_GE(fd, 0);
    const bool given_away = fchown(fd, kOtherUser, kOtherUser) == 0;
    close(fd);
    if (!given_away) GTEST_SKIP() << "only root can give a segment to another user here";
    try {
        (void)mp::sync::Semaphore::open(name.value, 1);
        ADD_FAILURE() << "opened another user's object";
    } catch (const std::system_error& e) {
        EXPECT_EQ(e.code().value(), EACCES);
        EXPECT_NE(std::string(e.what()).find("shm_open(\"" + path + "\") owned by uid 65534"), std::string::npos)
            << e.what();
    }
    struct stat status {};
    ASSERT_EQ(stat(("/dev/shm" + path).c_str(), &status), 0);
    EXPECT_EQ(status.st_size, 0) << "a refused object is not rebuilt";
    EXPECT_THROW((void)mp::sync::describe(name.value), std::system_error);
}

}  // namespace

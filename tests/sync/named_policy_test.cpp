// The rules for named objects (sync/access.hpp): created with exactly the mode
// asked for (0600 by default), another user's object or one with a wider mode
// refused on open, a symlink never followed, another user's object never removed.
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <stdexcept>
#include <string>
#include <system_error>

#include "sync/lock.hpp"
#include "sync/named.hpp"
#include "sync/semaphore.hpp"
#include "tests/support/other_user.hpp"
#include "tests/sync/test_support.hpp"

namespace {

using mp::sync::test::ScopedName;
using mp::test::shm_entry_status;

std::string path_of(const ScopedName& name) { return "/mp-sync-" + name.value; }

// What `open` threw, as a system_error; fails the test if it threw nothing.
template <class Open>
std::system_error refusal(Open open) {
    try {
        open();
    } catch (const std::system_error& e) {
        return e;
    }
    ADD_FAILURE() << "opened without an error";
    return std::system_error(0, std::generic_category());
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST(NamedObjects, AreCreatedReadableAndWritableByTheirOwnerOnly) {
    const ScopedName name("private");
    const mp::sync::Lock lock = mp::sync::Lock::open(name.value);
    EXPECT_EQ(shm_entry_status(path_of(name)).mode, 0600u);
    EXPECT_EQ(shm_entry_status(path_of(name)).uid, geteuid());
}

TEST(NamedObjects, GetExactlyTheModeAskedForWhateverTheUmask) {
    const ScopedName name("shared-mode");
    const mode_t saved = umask(077);
    const mp::sync::Semaphore sem = mp::sync::Semaphore::open(name.value, 2, mp::sync::SlotOwnership::none,
                                                              {.mode = 0660});
    umask(saved);
    EXPECT_EQ(shm_entry_status(path_of(name)).mode, 0660u);
    // Reopened with the same mode: accepted.
    EXPECT_EQ(mp::sync::Semaphore::open(name.value, 2, mp::sync::SlotOwnership::none, {.mode = 0660}).value(), 2u);
}

TEST(NamedObjects, AModeThatIsNotPermissionsWithOwnerReadWriteIsRefused) {
    const ScopedName name("bad-mode");
    EXPECT_THROW((void)mp::sync::Lock::open(name.value, {.mode = 0400}), std::invalid_argument);
    EXPECT_THROW((void)mp::sync::Lock::open(name.value, {.mode = 04600}), std::invalid_argument);
    EXPECT_EQ(shm_entry_status(path_of(name)).uid, static_cast<uid_t>(-1)) << "nothing was created";
}

TEST(NamedObjects, OneWithAWiderModeThanAskedIsRefused) {
    const ScopedName name("wide");
    const mp::sync::Lock everyone = mp::sync::Lock::open(name.value, {.mode = 0666});
    for (const mode_t asked : {mode_t{0600}, mode_t{0660}}) {
        const std::system_error e = refusal([&] { (void)mp::sync::Lock::open(name.value, {.mode = asked}); });
        EXPECT_EQ(e.code().value(), EACCES);
        EXPECT_TRUE(contains(e.what(), "shm_open(\"" + path_of(name) + "\") refused: its mode 0666")) << e.what();
        EXPECT_TRUE(contains(e.what(), "uid " + std::to_string(geteuid()))) << e.what();
    }
}

TEST(NamedObjects, ASymlinkInPlaceOfTheNameIsNeverFollowed) {
    const ScopedName target("target"), link("link");
    mp::sync::Lock real = mp::sync::Lock::open(target.value);
    ASSERT_EQ(symlink(("/dev/shm" + path_of(target)).c_str(), ("/dev/shm" + path_of(link)).c_str()), 0);
    EXPECT_EQ(refusal([&] { (void)mp::sync::Lock::open(link.value); }).code().value(), ELOOP);
    // Removing the name removes the link, never what it points to.
    EXPECT_TRUE(mp::sync::remove(link.value));
    EXPECT_EQ(shm_entry_status(path_of(target)).uid, geteuid());
    EXPECT_TRUE(real.try_lock());
    real.unlock();
}

TEST(NamedObjects, ADanglingSymlinkIsNotCreatedThrough) {
    const ScopedName target("nowhere"), link("dangling");
    ASSERT_EQ(symlink(("/dev/shm" + path_of(target)).c_str(), ("/dev/shm" + path_of(link)).c_str()), 0);
    EXPECT_EQ(refusal([&] { (void)mp::sync::Lock::open(link.value); }).code().value(), ELOOP);
    EXPECT_EQ(shm_entry_status(path_of(target)).uid, static_cast<uid_t>(-1));
    EXPECT_TRUE(mp::sync::remove(link.value));
}

TEST(NamedObjects, OneOwnedByAnotherUserIsRefusedAndLeftAlone) {
    if (!mp::test::can_become_other_user()) GTEST_SKIP() << "needs root to play another user";
    const ScopedName name("foreign");
    const mp::test::ForeignShmObject squatted(path_of(name), 0666);
    // Refused even when the caller accepts the mode: the owner is the problem.
    const std::system_error e =
        refusal([&] { (void)mp::sync::Semaphore::open(name.value, 1, mp::sync::SlotOwnership::none, {.mode = 0666}); });
    EXPECT_EQ(e.code().value(), EACCES);
    EXPECT_TRUE(contains(e.what(), "shm_open(\"" + path_of(name) + "\") refused: owned by uid 65534")) << e.what();
    EXPECT_TRUE(contains(e.what(), "mode 0666")) << e.what();
    struct stat status {};
    ASSERT_EQ(stat(("/dev/shm" + path_of(name)).c_str(), &status), 0);
    EXPECT_EQ(status.st_size, 0) << "a refused object is not rebuilt";
    EXPECT_THROW((void)mp::sync::describe(name.value), std::system_error);
    const auto listed = mp::sync::list();
    EXPECT_TRUE(std::none_of(listed.begin(), listed.end(), [&](const auto& o) { return o.name == name.value; }));
}

TEST(NamedObjects, AnotherUsersObjectIsNeverRemoved) {
    if (!mp::test::can_become_other_user()) GTEST_SKIP() << "needs root to play another user";
    const ScopedName name("not-yours");
    const mp::test::ForeignShmObject squatted(path_of(name), 0600);
    const std::system_error e = refusal([&] { (void)mp::sync::remove(name.value); });
    EXPECT_EQ(e.code().value(), EACCES);
    EXPECT_TRUE(contains(e.what(), "owned by uid 65534")) << e.what();
    EXPECT_EQ(shm_entry_status(path_of(name)).uid, mp::test::kOtherUser);
}

TEST(NamedObjects, AreSharedWithAnotherUserWhoAllowsItsOwner) {
    if (!mp::test::can_become_other_user()) GTEST_SKIP() << "needs root to play another user";
    const ScopedName name("team");
    mp::sync::Lock lock = mp::sync::Lock::open(name.value, {.mode = 0666});
    lock.lock();
    const int code = mp::test::run_as_other_user([&] {
        try {
            (void)mp::sync::Lock::open(name.value, {.mode = 0666});
            return 1;  // another user's lock accepted without allow_other_owner
        } catch (const std::system_error& e) {
            if (e.code().value() != EACCES) return 2;
        }
        mp::sync::Lock peer = mp::sync::Lock::open(name.value, {.mode = 0666, .allow_other_owner = true});
        if (peer.try_lock()) return 3;  // held by the first user: the same lock
        return 0;
    });
    lock.unlock();
    EXPECT_EQ(code, 0);
}

}  // namespace

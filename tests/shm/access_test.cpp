// The rules for named segments (Access, sync/access.hpp): created with exactly the
// mode asked for, attach refusing another user's segment or a wider mode, no
// symlink followed, and rm/gc never removing another user's segment.
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <stdexcept>
#include <string>
#include <system_error>

#include "shm/shm.hpp"
#include "tests/shm/support.hpp"
#include "tests/support/helpers.hpp"
#include "tests/support/other_user.hpp"

namespace {

using mp::shm::SharedMemory;
using mp::test::shm_entry_status;

std::string path_of(const std::string& name) { return "/mp-" + name; }

// What `attempt` threw, as a system_error; fails the test if it threw nothing.
template <class Attempt>
std::system_error refusal(Attempt attempt) {
    try {
        attempt();
    } catch (const std::system_error& e) {
        return e;
    }
    ADD_FAILURE() << "succeeded without an error";
    return std::system_error(0, std::generic_category());
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST(SegmentAccess, CreateGivesExactlyTheModeAskedForWhateverTheUmask) {
    const std::string name = mp::test::unique_name("mode");
    const mode_t saved = umask(077);
    {
        const SharedMemory group = SharedMemory::create(name, 64, {.mode = 0660});
        EXPECT_EQ(shm_entry_status(path_of(name)).mode, 0660u);
    }
    {
        const auto value = mp::shm::Value<int>::create(name, 1);
        EXPECT_EQ(shm_entry_status(path_of(name)).mode, 0600u);
    }
    umask(saved);
    EXPECT_THROW((void)SharedMemory::create(name, 64, {.mode = 0200}), std::invalid_argument);
    EXPECT_THROW((void)SharedMemory::attach(name, {.mode = 02600}), std::invalid_argument);
    EXPECT_FALSE(mp::shm::test::segment_exists(name));
}

TEST(SegmentAccess, AttachRefusesAModeWiderThanAskedFor) {
    const std::string name = mp::test::unique_name("wide");
    auto everyone = mp::shm::Array<int>::create(name, 4, {}, {.mode = 0666});
    const std::system_error e = refusal([&] { (void)mp::shm::Array<int>::attach(name, 4); });
    EXPECT_EQ(e.code().value(), EACCES);
    EXPECT_TRUE(contains(e.what(), "shm_open(\"" + path_of(name) + "\") refused: its mode 0666")) << e.what();
    EXPECT_EQ(mp::shm::Array<int>::attach(name, 4, {.mode = 0666}).size(), 4u);
}

TEST(SegmentAccess, ASymlinkInPlaceOfTheNameIsNeverFollowed) {
    const std::string target = mp::test::unique_name("target"), link = mp::test::unique_name("link");
    auto real = mp::shm::Value<int>::create(target, 5);
    ASSERT_EQ(symlink(("/dev/shm" + path_of(target)).c_str(), ("/dev/shm" + path_of(link)).c_str()), 0);
    EXPECT_EQ(refusal([&] { (void)mp::shm::Value<int>::attach(link); }).code().value(), ELOOP);
    EXPECT_EQ(refusal([&] { (void)SharedMemory::create(link, 64); }).code().value(), EEXIST);
    EXPECT_TRUE(mp::shm::remove(link)) << "the link itself is removed";
    EXPECT_EQ(real.load(), 5);
    EXPECT_TRUE(mp::shm::test::segment_exists(target));
}

TEST(SegmentAccess, AnotherUsersSegmentIsRefusedUnlessAllowed) {
    if (!mp::test::can_become_other_user()) GTEST_SKIP() << "needs root to play another user";
    const std::string name = mp::test::unique_name("foreign");
    const mp::test::ForeignShmObject squatted(path_of(name), 0600);
    const std::system_error e = refusal([&] { (void)SharedMemory::attach(name); });
    EXPECT_EQ(e.code().value(), EACCES);
    EXPECT_TRUE(contains(e.what(), "refused: owned by uid 65534")) << e.what();
    EXPECT_TRUE(contains(e.what(), "mode 0600")) << e.what();
    const SharedMemory allowed = SharedMemory::attach(name, {.allow_other_owner = true});
    EXPECT_EQ(allowed.size(), 0u);
}

TEST(SegmentAccess, AnotherUsersSegmentIsNeverRemoved) {
    if (!mp::test::can_become_other_user()) GTEST_SKIP() << "needs root to play another user";
    const std::string name = mp::test::unique_name("not-yours");
    const mp::test::ForeignShmObject squatted(path_of(name), 0600);
    const std::system_error e = refusal([&] { (void)mp::shm::remove(name); });
    EXPECT_EQ(e.code().value(), EACCES);
    EXPECT_TRUE(contains(e.what(), "owned by uid 65534")) << e.what();
    const auto cli = mp::shm::test::shm_cli({"rm", name});
    EXPECT_EQ(cli.exit_code, 1);
    EXPECT_TRUE(contains(cli.err, "owned by uid 65534")) << cli.err;
    EXPECT_EQ(shm_entry_status(path_of(name)).uid, mp::test::kOtherUser);
}

TEST(SegmentAccess, GcLeavesAnotherUsersDeadSegmentAlone) {
    if (!mp::test::can_become_other_user()) GTEST_SKIP() << "needs root to play another user";
    const std::string name = mp::test::unique_name("gc-foreign");
    // Its creator, the other user's process, is dead and nobody maps it: garbage,
    // were it ours.
    ASSERT_EQ(mp::test::run_as_other_user([&] {
                  mp::shm::Value<int>::create(name, 3).release();
                  return 0;
              }),
              0);
    const auto removed = mp::shm::collect_garbage();
    const bool collected =
        std::any_of(removed.begin(), removed.end(), [&](const auto& listing) { return listing.name == name; });
    const mp::shm::test::CliResult cli = mp::shm::test::shm_cli({"gc"});
    const bool present = mp::shm::test::segment_exists(name);
    shm_unlink(path_of(name).c_str());
    EXPECT_FALSE(collected);
    EXPECT_EQ(cli.exit_code, 0);
    EXPECT_TRUE(present);
}

TEST(SegmentAccess, CliModeAndAllowOtherOwner) {
    if (!mp::test::can_become_other_user()) GTEST_SKIP() << "needs root to play another user";
    const std::string name = mp::test::unique_name("cli-team");
    ASSERT_EQ(mp::shm::test::shm_cli({"create", name, "i", "2", "--mode", "666"}).exit_code, 0);
    EXPECT_EQ(shm_entry_status(path_of(name)).mode, 0666u);
    EXPECT_EQ(mp::shm::test::shm_cli({"get", name, "0"}).exit_code, 1) << "wider than the default 600";
    EXPECT_EQ(mp::shm::test::shm_cli({"set", name, "0", "4", "--mode", "666"}).exit_code, 0);
    // The other user needs --allow-other-owner as well.
    const mp::test::CopyForOtherUser tool(mp::test::bin_path("shm"));
    const int code = mp::test::run_as_other_user([&] {
        if (mp::shm::test::shm_cli(tool.path(), {"get", name, "0", "--mode", "666"}).exit_code != 1) return 1;
        const auto got =
            mp::shm::test::shm_cli(tool.path(), {"get", name, "0", "--mode", "666", "--allow-other-owner"});
        return got.exit_code == 0 && got.out == "4\n" ? 0 : 2;
    });
    EXPECT_EQ(code, 0);
    EXPECT_EQ(mp::shm::test::shm_cli({"create", name + "x", "i", "1", "--mode", "12"}).exit_code, 2);
    EXPECT_EQ(mp::shm::test::shm_cli({"ls", "--mode", "600"}).exit_code, 2);
    EXPECT_EQ(mp::shm::test::shm_cli({"rm", name}).exit_code, 0);
}

}  // namespace

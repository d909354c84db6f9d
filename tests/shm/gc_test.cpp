// Listing and garbage collection: a segment is removed once its creator is dead and
// no live process maps it, never before.
#include <gtest/gtest.h>

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <string>

#include "shm/shm.hpp"
#include "tests/shm/support.hpp"
#include "tests/support/helpers.hpp"

namespace {

using mp::shm::SegmentListing;
using mp::shm::test::Child;
using mp::shm::test::segment_exists;

const SegmentListing* find(const std::vector<SegmentListing>& listings, const std::string& name) {
    const auto found = std::find_if(listings.begin(), listings.end(), [&](const auto& l) { return l.name == name; });
    return found == listings.end() ? nullptr : &*found;
}

// A child that creates Value<int> `name` holding 7, gives up its ownership and exits.
void create_in_child_and_exit(const std::string& name) {
    Child creator([&] {
        mp::shm::Value<int>::create(name, 7).release();
        return 0;
    });
    ASSERT_EQ(creator.join(), 0);
}

TEST(Gc, RemovesOnlyOnceTheCreatorIsDeadAndNoProcessMapsIt) {
    const std::string name = mp::test::unique_name("gc");
    create_in_child_and_exit(name);
    {
        auto user = mp::shm::Value<int>::attach(name);
        const auto listings = mp::shm::list_segments();
        const SegmentListing* listed = find(listings, name);
        ASSERT_NE(listed, nullptr);
        ASSERT_TRUE(listed->header.has_value()) << listed->problem;
        EXPECT_FALSE(listed->creator_alive);
        EXPECT_NE(listed->header->creator_pid, getpid());
        EXPECT_EQ(listed->users, std::vector<pid_t>{getpid()});

        EXPECT_EQ(find(mp::shm::collect_garbage(), name), nullptr) << "a mapped segment is in use";
        EXPECT_TRUE(segment_exists(name));
        EXPECT_EQ(user.load(), 7);
    }
    const auto removed = mp::shm::collect_garbage();
    const SegmentListing* gone = find(removed, name);
    ASSERT_NE(gone, nullptr);
    EXPECT_EQ(gone->header->count, 1u);
    EXPECT_FALSE(segment_exists(name));
}

TEST(Gc, KeepsSegmentsWhoseCreatorIsAlive) {
    const std::string name = mp::test::unique_name("alive");
    mp::shm::Array<int>::create(name, 3).release();  // created here, mapped by no one
    const auto listings = mp::shm::list_segments();
    const SegmentListing* listed = find(listings, name);
    ASSERT_NE(listed, nullptr);
    EXPECT_TRUE(listed->creator_alive);
    EXPECT_TRUE(listed->users.empty());
    EXPECT_EQ(find(mp::shm::collect_garbage(), name), nullptr);
    EXPECT_TRUE(segment_exists(name));
    mp::shm::SharedMemory::attach(name).unlink();
}

TEST(Gc, CreatorKilledWhileMappingThenGcRemovesIt) {
    const std::string name = mp::test::unique_name("killed");
    auto ready = mp::shm::Value<int>::anonymous(0, {.lock = false});
    Child creator([&] {
        auto value = mp::shm::Value<int>::create(name, 1);  // owns the name, but is killed
        ready.store(1);
        pause();
        return 0;
    });
    ASSERT_TRUE(mp::shm::test::wait_until_set(ready));
    EXPECT_EQ(find(mp::shm::collect_garbage(), name), nullptr) << "its creator is alive and maps it";
    kill(creator.pid(), SIGKILL);
    EXPECT_EQ(creator.join(), -1000 - SIGKILL);
    ASSERT_TRUE(segment_exists(name)) << "a killed owner cannot unlink: the name is left behind";
    EXPECT_NE(find(mp::shm::collect_garbage(), name), nullptr);
    EXPECT_FALSE(segment_exists(name));
}

TEST(Gc, NeverRemovesSegmentsWithoutAValidHeader) {
    const std::string name = mp::test::unique_name("raw");
    auto raw = mp::shm::SharedMemory::create(name, 100);
    raw.close();  // nobody maps it, but nothing says whose it is
    const auto listings = mp::shm::list_segments();
    const SegmentListing* listed = find(listings, name);
    ASSERT_NE(listed, nullptr);
    EXPECT_FALSE(listed->header.has_value());
    EXPECT_NE(listed->problem.find("not initialized"), std::string::npos) << listed->problem;
    EXPECT_EQ(find(mp::shm::collect_garbage(), name), nullptr);
    EXPECT_TRUE(segment_exists(name));
    const auto listed_by_cli = mp::shm::test::shm_cli({"ls"});
    EXPECT_NE(listed_by_cli.out.find("is not initialized"), std::string::npos) << listed_by_cli.out;
}

TEST(Gc, CliSaysWhatItRemoved) {
    const std::string name = mp::test::unique_name("cligc");
    auto made = mp::shm::test::shm_cli({"create", name, "q", "2"});
    ASSERT_EQ(made.exit_code, 0) << made.err;

    auto listed = mp::shm::test::shm_cli({"ls"});
    ASSERT_EQ(listed.exit_code, 0) << listed.err;
    const auto line_at = listed.out.find(name + " ");
    ASSERT_NE(line_at, std::string::npos) << listed.out;
    const std::string line = listed.out.substr(line_at, listed.out.find('\n', line_at) - line_at);
    EXPECT_NE(line.find(" q "), std::string::npos) << line;
    EXPECT_NE(line.find(" dead "), std::string::npos) << line << ": its creator, `shm create`, has exited";

    auto collected = mp::shm::test::shm_cli({"gc"});
    ASSERT_EQ(collected.exit_code, 0) << collected.err;
    EXPECT_NE(collected.out.find("removed " + name + " ('q' x 2, creator pid "), std::string::npos) << collected.out;
    EXPECT_FALSE(segment_exists(name));
}

}  // namespace

// Functions that return nothing work in every form of map: the result is one
// std::monostate per item (Python's list of None), and errors still arrive.
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <tuple>
#include <variant>
#include <vector>

#include "pool/pool.hpp"

namespace {

namespace fs = std::filesystem;

// The side effect a test can see: a file named after the item.
void touch(const std::string& dir, int item) {
    if (item < 0) throw std::invalid_argument("negative item " + std::to_string(item));
    std::ofstream(dir + "/" + std::to_string(item)) << item;
}

struct TempDir {
    std::string path;
    TempDir() {
        char name[] = "/tmp/mp-void-XXXXXX";
        path = ::mkdtemp(name);
    }
    ~TempDir() { fs::remove_all(path); }
    std::size_t files() const { return static_cast<std::size_t>(std::distance(fs::directory_iterator(path), {})); }
};

std::vector<std::tuple<std::string, int>> items_for(const std::string& dir, std::vector<int> items) {
    std::vector<std::tuple<std::string, int>> out;
    for (int i : items) out.emplace_back(dir, i);
    return out;
}

void check_negative(int item) {
    if (item < 0) throw std::invalid_argument("negative");
}

TEST(PoolVoidTasks, MapStarmapImapAndExecutorRunVoidFunctions) {
    mp::pool::Pool pool(2);
    TempDir dir;
    const std::vector<std::monostate> done = pool.starmap(touch, items_for(dir.path, {1, 2, 3}));
    EXPECT_EQ(done.size(), 3u);
    EXPECT_EQ(dir.files(), 3u);

    std::size_t drained = 0;
    for ([[maybe_unused]] std::monostate none : pool.imap(check_negative, std::vector<int>{1, 2, 3, 4})) ++drained;
    EXPECT_EQ(drained, 4u);
    EXPECT_EQ(pool.map(check_negative, std::vector<int>{5, 6}).size(), 2u);

    mp::pool::Executor executor(1);
    executor.submit(touch, dir.path, 9).result();
    EXPECT_EQ(executor.map(check_negative, std::vector<int>{1, 2}).size(), 2u);
    EXPECT_EQ(dir.files(), 4u);
    pool.close();
    pool.join();
}

TEST(PoolVoidTasks, ErrorsOfVoidFunctionsReachTheCaller) {
    mp::pool::Pool pool(1);
    EXPECT_THROW(pool.map(check_negative, std::vector<int>{1, -2, 3}), std::exception);
    auto results = pool.imap(check_negative, std::vector<int>{-1, 2});
    EXPECT_THROW(results.next(), std::exception);
    EXPECT_TRUE(results.next().has_value());
    mp::pool::Executor executor(1);
    EXPECT_THROW(executor.submit(check_negative, -1).result(), std::exception);
    pool.close();
    pool.join();
}

}  // namespace

// mp::pool::Pool::imap and imap_unordered read their input lazily and keep at most
// `window` chunks out: constant memory whatever the number of items.
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <optional>
#include <ranges>
#include <stdexcept>
#include <vector>

#include "pool/pool.hpp"

namespace {

using mp::pool::Pool;

int squared(int x) { return x * x; }

// How many items imap has read from its input (read in this process only).
std::size_t pulled = 0;
auto counted(int count) {
    pulled = 0;
    return std::views::iota(0, count) | std::views::transform([](int x) {
               ++pulled;
               return x;
           });
}

// Before, imap encoded all its items when called: 10,000 here, whatever the window.
TEST(PoolImapWindow, ReadsOnlyAWindowAheadOfTheReader) {
    Pool pool(2);
    constexpr std::size_t kItems = 10'000, kChunk = 10, kWindow = 4;
    for (bool ordered : {true, false}) {
        auto results = ordered ? pool.imap(squared, counted(kItems), kChunk, kWindow)
                               : pool.imap_unordered(squared, counted(kItems), kChunk, kWindow);
        EXPECT_EQ(pulled, kWindow * kChunk);
        std::vector<int> got{*results.next()};
        // The workers finish the window and then wait for the reader: nothing more is read.
        usleep(300'000);
        EXPECT_LE(pulled, (kWindow + 1) * kChunk);
        while (auto r = results.next()) {
            got.push_back(*r);
            // Chunks out (sent, or finished and not taken) never exceed the window.
            ASSERT_LE(pulled, (got.size() / kChunk + 1 + kWindow) * kChunk);
        }
        EXPECT_EQ(pulled, kItems);
        if (!ordered) std::ranges::sort(got);
        ASSERT_EQ(got.size(), kItems);
        for (std::size_t i = 0; i < kItems; ++i) ASSERT_EQ(got[i], squared(static_cast<int>(i)));
    }
    pool.close();
    pool.join();
}

TEST(PoolImapWindow, AnEndlessInputIsReadAsFarAsTheReaderGoes) {
    Pool pool(2);
    std::vector<int> first;
    {
        auto results = pool.imap(squared, std::views::iota(0));  // chunksize 1, window 4 per worker
        for (int i = 0; i < 20; ++i) first.push_back(*results.next());
    }  // dropped with chunks still out: they finish into nothing
    std::vector<int> expected;
    for (int i = 0; i < 20; ++i) expected.push_back(i * i);
    EXPECT_EQ(first, expected);
    pool.close();
    pool.join();
}

TEST(PoolImapWindow, AnInputWithoutASizeIsReadInChunks) {
    Pool pool(2);
    auto even = std::views::iota(0, 1000) | std::views::filter([](int x) { return x % 2 == 0; });
    std::vector<int> got;
    for (int v : pool.imap(squared, even, 7, 2)) got.push_back(v);
    ASSERT_EQ(got.size(), 500u);
    for (std::size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i], static_cast<int>(4 * i * i));
    pool.close();
    pool.join();
}

TEST(PoolImapWindow, AnInputThatThrowsEndsAfterTheChunksSentBeforeIt) {
    Pool pool(2);
    auto failing = std::views::iota(0, 10) | std::views::transform([](int x) {
                       if (x == 5) throw std::range_error("no five");
                       return x;
                   });
    auto results = pool.imap(squared, failing, 1, 2);
    for (int i = 0; i < 5; ++i) EXPECT_EQ(results.next(), i * i);
    EXPECT_THROW(results.next(), std::range_error);
    EXPECT_EQ(results.next(), std::nullopt);
    pool.close();
    pool.join();
}

// Python reads the rest of the input after close(); a bounded window cannot without
// a reader (join would wait for it), so the rest is refused, after what was sent.
TEST(PoolImapWindow, CloseEndsTheInputAfterTheChunksAlreadySent) {
    Pool pool(2);
    auto results = pool.imap(squared, std::views::iota(0, 100), 1, 2);
    EXPECT_EQ(results.next(), 0);
    pool.close();
    EXPECT_EQ(results.next(), 1);  // sent before close()
    EXPECT_THROW(results.next(), mp::pool::PoolClosed);
    EXPECT_EQ(results.next(), std::nullopt);
    pool.join();
    EXPECT_THROW(pool.imap(squared, std::views::iota(0, 3)), mp::pool::PoolClosed);
}

TEST(PoolImapWindow, AnIteratorOutlivingItsPoolEndsWithCancelledError) {
    std::optional<mp::pool::IMapIterator<int>> results;
    {
        Pool pool(1);
        results.emplace(pool.imap(squared, std::views::iota(0, 100), 1, 2));
    }
    // The two chunks sent finished or were cancelled; the third is never sent.
    std::size_t calls = 0;
    bool cancelled = false;
    for (;;) {
        ASSERT_LT(++calls, 5u);
        try {
            if (!results->next()) break;
        } catch (const mp::pool::CancelledError&) {
            cancelled = true;
        }
    }
    EXPECT_TRUE(cancelled);
}

}  // namespace

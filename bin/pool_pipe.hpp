// bin/pool --pipe and --pipe-part: the jobs' stdin, cut into blocks on record
// boundaries, as GNU parallel cuts it. A boundary lies between --recend and
// --recstart (both must match there; by default a record ends with "\n").
//
// --pipe reads stdin: a block is what comes before the last boundary within
// --block bytes (the first boundary after them when a record is longer), or -N
// records. --pipe-part reads a regular file: a block starts where the one before
// ended and ends at the first boundary found at or after --block bytes from its
// start; each job reads its own byte range of the file. The last block is the rest
// of the input, with or without its --recend. An empty input makes no block.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "bin/pool_commands.hpp"
#include "bin/pool_input.hpp"

namespace mp::tools::pool {

// Where the first --pipe block of `data` ends: after the last boundary within
// `block` bytes or after `records` records (when set); npos when `data` holds no
// such end yet and more input may come (!eof); at eof, the end of data for want of
// a boundary. Call it with at least block + recstart.size() bytes unless at eof.
std::size_t block_end(std::string_view data, std::size_t block, std::optional<int> records, const std::string& recend,
                      const std::string& recstart, bool eof);

// One block: --pipe's data, or --pipe-part's byte range of the file.
struct Block {
    std::string data{};
    off_t offset = 0;
    std::size_t length = 0;
};

class Blocks {
public:
    // --pipe-part: opens -a FILE (std::system_error naming it when it cannot be) and
    // throws cli::UsageError when it is not a regular file (a pipe, a terminal).
    explicit Blocks(const RunnerOptions& options);
    ~Blocks();
    Blocks(const Blocks&) = delete;
    Blocks& operator=(const Blocks&) = delete;

    // The next block, or nullopt at the end of the input. Waiting for stdin is
    // polled: once `stop()` is true, returns nullopt. Throws std::system_error when
    // a read fails.
    std::optional<Block> next(const std::function<bool()>& stop);

    // What a block's job reads: --pipe's bytes, or --pipe-part's range of the file
    // (read as it is fed to the job, from any thread; valid while this lives).
    JobInput input(Block block) const;

private:
    // --pipe-part: the end of the block starting at `start`.
    off_t part_end(off_t start) const;

    const RunnerOptions& options_;
    std::string pattern_;  // recend + recstart
    std::size_t block_ = std::size_t{1} << 20;  // bytes: --block, or --pipe-part's share
    int file_ = -1;        // --pipe-part's file
    off_t size_ = 0;
    off_t offset_ = 0;     // --pipe-part: where the next block starts
    std::string pending_;  // --pipe: read, not yet in a block
    std::string read_buffer_;  // --pipe: what one read of stdin fills
    static constexpr std::size_t kReadSize = 256 * 1024;
    bool eof_ = false;
};

}  // namespace mp::tools::pool

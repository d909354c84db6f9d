#include "bin/pool_pipe.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>
#include <utility>

#include "bin/cli/main.hpp"

namespace mp::tools::pool {

std::size_t block_end(std::string_view data, std::size_t block, std::optional<int> records, const std::string& recend,
                      const std::string& recstart, bool eof) {
    const std::string pattern = recend + recstart;
    // The first boundary after offset `after`.
    auto boundary_after = [&](std::size_t after) -> std::size_t {
        const std::size_t found = data.find(pattern, recend.empty() ? after + 1 : after);
        return found == std::string_view::npos ? found : found + recend.size();
    };
    const std::size_t at_end = eof ? data.size() : std::string_view::npos;
    if (records) {
        std::size_t end = 0;
        for (int i = 0; i < *records; ++i) {
            end = boundary_after(end);
            if (end == std::string_view::npos) return at_end;
        }
        return end;
    }
    if (eof && data.size() <= block) return data.size();
    if (block >= recend.size()) {
        const std::size_t found = data.rfind(pattern, block - recend.size());
        if (found != std::string_view::npos && found + recend.size() > 0) return found + recend.size();
    }
    // A record longer than the block: the block ends with it.
    const std::size_t end = boundary_after(0);
    return end == std::string_view::npos ? at_end : end;
}

Blocks::Blocks(const RunnerOptions& options) : options_(options), pattern_(options.recend + options.recstart) {
    if (options.pipe != PipeMode::part) {
        if (options.block) block_ = static_cast<std::size_t>(*options.block);  // > 0: check_pipe
        return;
    }
    const std::string& path = options.sources.front().values.front();
    do file_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    while (file_ < 0 && errno == EINTR);
    if (file_ < 0) throw std::system_error(errno, std::generic_category(), "cannot read input file '" + path + "'");
    struct stat status {};
    if (::fstat(file_, &status) != 0 || !S_ISREG(status.st_mode)) {
        ::close(file_);
        throw cli::UsageError("--pipe-part: not a regular file (a seekable one is needed): '" + path + "'");
    }
    size_ = status.st_size;
    // -N blocks for each job slot (-10 unless --block is given): GNU parallel's
    // rule, so that the same command line makes the same jobs.
    const std::int64_t block = options.block.value_or(-10);
    block_ = block > 0 ? static_cast<std::size_t>(block)
                       : 1 + static_cast<std::size_t>(size_) / static_cast<std::size_t>(options.jobs) /
                                 static_cast<std::size_t>(-block);
}

Blocks::~Blocks() {
    if (file_ >= 0) ::close(file_);
}

off_t Blocks::part_end(off_t start) const {
    const off_t from = start + static_cast<off_t>(block_);
    if (from >= size_) return size_;
    // The first pattern beginning at `from` or later, read a window at a time (the
    // windows overlap by the pattern's length less one).
    constexpr std::size_t kWindow = 64 * 1024;
    std::string window(kWindow + pattern_.size() - 1, '\0');
    for (off_t at = from; at < size_; at += static_cast<off_t>(kWindow)) {
        // A regular file's read is not interrupted by signals: no EINTR here.
        const ssize_t n = ::pread(file_, window.data(), window.size(), at);
        if (n < 0) throw std::system_error(errno, std::generic_category(), "pread(input)");
        const std::size_t found = std::string_view(window.data(), static_cast<std::size_t>(n)).find(pattern_);
        if (found != std::string_view::npos) {
            const off_t end = at + static_cast<off_t>(found + options_.recend.size());
            if (end > start) return end;
        }
        if (static_cast<std::size_t>(n) < window.size()) break;
    }
    return size_;
}

std::optional<Block> Blocks::next(const std::function<bool()>& stop) {
    if (options_.pipe == PipeMode::part) {
        if (offset_ >= size_) return std::nullopt;
        const off_t end = part_end(offset_);
        Block block{.offset = offset_, .length = static_cast<std::size_t>(end - offset_)};
        offset_ = end;
        return block;
    }
    const std::optional<int> records =
        options_.max_args ? std::optional<int>(*options_.max_args) : std::nullopt;
    const std::size_t wanted = block_ + options_.recstart.size();
    for (;;) {
        if (pending_.size() >= wanted || eof_) {
            const std::size_t end = block_end(pending_, block_, records, options_.recend, options_.recstart, eof_);
            if (end != std::string::npos) {
                if (end == 0) return std::nullopt;  // the input has ended
                // The block keeps the buffer; only what follows its end is copied.
                std::string rest = pending_.substr(end);
                pending_.resize(end);
                Block block{.data = std::exchange(pending_, std::move(rest))};
                return block;
            }
        }
        // Polled, so that a signal's stop is seen while stdin is silent.
        pollfd in{0, POLLIN, 0};
        const int ready = ::poll(&in, 1, 20);
        if (stop()) return std::nullopt;
        if (ready < 0 && errno != EINTR) throw std::system_error(errno, std::generic_category(), "poll(stdin)");
        if (ready <= 0) continue;
        // Read into a buffer of its own, then appended: growing pending_ for the read
        // would zero what the read then overwrites, up to a whole block per read.
        if (read_buffer_.empty()) read_buffer_.resize(kReadSize);
        const ssize_t n = ::read(0, read_buffer_.data(), read_buffer_.size());
        if (n < 0 && errno != EINTR && errno != EAGAIN) throw std::system_error(errno, std::generic_category(), "read(stdin)");
        if (n == 0) eof_ = true;
        if (n <= 0) continue;
        if (pending_.capacity() < wanted) pending_.reserve(wanted + kReadSize);
        pending_.append(read_buffer_.data(), static_cast<std::size_t>(n));
    }
}

JobInput Blocks::input(Block block) const {
    if (file_ < 0) return JobInput::bytes(std::move(block.data));
    return JobInput::file_range(file_, block.offset, block.length);
}

}  // namespace mp::tools::pool

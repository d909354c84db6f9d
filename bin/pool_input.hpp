// What a job of bin/pool reads on its stdin: a --pipe block we hold, or a
// --pipe-part byte range of the input file, which is never read into our memory
// (the kernel moves it from the page cache into the job's pipe where it can).
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <string>

namespace mp::tools::pool {

class JobInput {
public:
    JobInput() = default;  // none: the job's stdin is /dev/null
    static JobInput bytes(std::string data);
    static JobInput file_range(int fd, off_t offset, std::size_t length);

    std::size_t size() const { return file_ >= 0 ? length_ : data_.size(); }
    bool empty() const { return size() == 0; }

    // Writes the input from byte `from` on to the non-blocking pipe `fd`, as much as
    // it takes at once. Returns the bytes written, 0 when a file range's file ended
    // early (it shrank: the job gets what there was), or -1 with errno set (EAGAIN:
    // the pipe is full; EPIPE: the job stopped reading). Stateless, so a retried job
    // gets its input again from 0.
    ssize_t write_to(int fd, std::size_t from) const;

private:
    std::string data_;
    int file_ = -1;  // borrowed: the Blocks that made the range owns it
    off_t offset_ = 0;
    std::size_t length_ = 0;
};

}  // namespace mp::tools::pool

// threadpool wc: coreutils `wc FILE...` (lines, words, bytes) with every file counted
// by a task on a ThreadPool, printed in input order.
//
// What "the same as wc" means here, as coreutils 9 does it:
// - a word is a run of characters holding at least one printable, non-space
//   character; spaces (and no-break spaces) end words, while non-printable
//   characters and invalid multibyte sequences neither start nor end one; characters
//   are decoded in the locale of the environment;
// - every number is right-aligned to one width: the digits of the sum of the sizes
//   of the regular files named, at least 7 when a file is not regular (a pipe, a
//   device, a directory), 1 when nothing could be examined;
// - a "total" line follows when more than one file was named; a missing file gets a
//   message on stderr and no line, an unreadable one (a directory) a message and a
//   line of zeros; the exit status is then 1.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <clocale>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <cwchar>
#include <cwctype>
#include <future>
#include <iostream>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "bin/cli/cli.hpp"
#include "bin/cli/main.hpp"
#include "bin/cli/shell.hpp"
#include "bin/threadpool_commands.hpp"
#include "threadpool/threadpool.hpp"

namespace mp::tools::threadpool {

using namespace mp::threadpool;

namespace {

struct Counts {
    std::uintmax_t lines = 0;
    std::uintmax_t words = 0;
    std::uintmax_t bytes = 0;
};

// The result of counting one file: its counts, and the errno that stopped the
// reading (0 when none; then the counts are of what was read before it). A file
// that could not be opened gets no line of its own, as in wc.
struct FileCount {
    Counts counts;
    int error = 0;
    bool opened = true;
};

bool posixly_correct() {
    static const bool set = std::getenv("POSIXLY_CORRECT") != nullptr;
    return set;
}

// The no-break spaces coreutils treats as word separators.
bool is_nbspace(wint_t c) {
    return !posixly_correct() && (c == 0x00A0 || c == 0x2007 || c == 0x202F || c == 0x2060);
}

// Counts words. A multibyte character cut by the end of one read is left
// unconsumed, for the caller to pass again in front of the next read (so an invalid
// sequence is skipped one byte at a time, as wc does, wherever the reads fall).
class WordCounter {
public:
    // Returns how many bytes of data were consumed; all of them when `at_end`.
    std::size_t feed(const char* data, std::size_t size, bool at_end, Counts& counts) {
        const bool multibyte = MB_CUR_MAX > 1;
        std::size_t i = 0;
        while (i < size) {
            const auto byte = static_cast<unsigned char>(data[i]);
            if (byte < 0x80) {
                ascii(byte, counts);
                ++i;
                continue;
            }
            if (!multibyte) {
                single_byte(byte, counts);
                ++i;
                continue;
            }
            wchar_t wide = 0;
            std::mbstate_t state{};
            const std::size_t n = std::mbrtowc(&wide, data + i, size - i, &state);
            if (n == static_cast<std::size_t>(-2) && !at_end) return i;  // cut by the read's end
            if (n == static_cast<std::size_t>(-1) || n == static_cast<std::size_t>(-2)) {
                ++i;  // an invalid byte: neither starts nor ends a word
                continue;
            }
            i += n == 0 ? 1 : n;
            wide_char(static_cast<wint_t>(wide), counts);
        }
        return i;
    }
    void finish(Counts& counts) { counts.words += in_word_ ? 1 : 0; }

private:
    void separator(Counts& counts) {
        counts.words += in_word_ ? 1 : 0;
        in_word_ = false;
    }
    void ascii(unsigned char c, Counts& counts) {
        if (c == '\n') ++counts.lines;
        if (c == ' ' || (c >= '\t' && c <= '\r'))
            separator(counts);
        else if (c > ' ' && c < 0x7f)
            in_word_ = true;
    }
    void single_byte(unsigned char c, Counts& counts) {
        if (!std::isprint(c)) return;
        if (std::isspace(c) || is_nbspace(std::btowc(c)))
            separator(counts);
        else
            in_word_ = true;
    }
    void wide_char(wint_t c, Counts& counts) {
        if (c < 0x80) return ascii(static_cast<unsigned char>(c), counts);
        if (!std::iswprint(c)) return;
        if (std::iswspace(c) || is_nbspace(c))
            separator(counts);
        else
            in_word_ = true;
    }

    bool in_word_ = false;
};

FileCount count_fd(int fd) {
    FileCount result;
    WordCounter words;
    std::vector<char> buffer(1 << 16);
    std::size_t carried = 0;  // the start of a cut character, moved to the front
    for (;;) {
        const ssize_t n = read(fd, buffer.data() + carried, buffer.size() - carried);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) result.error = errno;
        const bool at_end = n <= 0;
        const std::size_t size = carried + (at_end ? 0 : static_cast<std::size_t>(n));
        result.counts.bytes += size - carried;
        const std::size_t used = words.feed(buffer.data(), size, at_end, result.counts);
        carried = size - used;
        std::memmove(buffer.data(), buffer.data() + used, carried);
        if (at_end) break;
    }
    words.finish(result.counts);
    return result;
}

FileCount count_file(const std::string& name) {
    if (name == "-") return count_fd(STDIN_FILENO);
    const int fd = open(name.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return {{}, errno, false};
    FileCount result = count_fd(fd);
    close(fd);
    return result;
}

// The width every number is printed with (coreutils' compute_number_width).
int number_width(const std::vector<std::string>& names) {
    std::uintmax_t regular_total = 0;
    int minimum = 1;
    for (const std::string& name : names) {
        struct stat st {};
        const int rc = name == "-" ? fstat(STDIN_FILENO, &st) : stat(name.c_str(), &st);
        if (rc != 0) continue;
        if (S_ISREG(st.st_mode))
            regular_total += static_cast<std::uintmax_t>(st.st_size);
        else
            minimum = 7;
    }
    int width = 1;
    for (; regular_total >= 10; regular_total /= 10) ++width;
    return std::max(width, minimum);
}

void print_line(const Counts& c, int width, const std::string& name) {
    std::printf("%*ju %*ju %*ju %s\n", width, c.lines, width, c.words, width, c.bytes, name.c_str());
}

std::vector<std::string> names_from_stdin() {
    std::vector<std::string> names;
    std::string line;
    while (std::getline(std::cin, line)) names.push_back(line);
    return names;
}

}  // namespace

int wc_command(const WcOptions& options) {
    std::setlocale(LC_ALL, "");
    const std::size_t threads = options.threads.value_or(ThreadPool::default_size());
    std::vector<std::string> names = options.names;
    if (names.empty()) names = names_from_stdin();
    if (names.empty()) return 0;

    const int width = number_width(names);
    std::vector<std::future<FileCount>> counts;
    {
        ThreadPool pool(threads);
        for (const std::string& name : names) counts.push_back(pool.submit(count_file, name));
        Counts total;
        int status = 0;
        for (std::size_t i = 0; i < names.size(); ++i) {
            const FileCount file = counts[i].get();
            if (file.error != 0) {
                std::fflush(stdout);
                // "name: strerror", and what to do when the error is a limit (EMFILE...).
                cli::print_error(kProgram, cli::error_text(std::system_error(file.error, std::generic_category(),
                                                                             cli::shell_quote(names[i]))));
                status = 1;
            }
            if (!file.opened) continue;
            print_line(file.counts, width, cli::shell_quote(names[i]));
            total.lines += file.counts.lines;
            total.words += file.counts.words;
            total.bytes += file.counts.bytes;
        }
        if (names.size() > 1) print_line(total, width, "total");
        std::fflush(stdout);
        return status;
    }
}

}  // namespace mp::tools::threadpool

#include "bin/pool_output.hpp"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>
#include <system_error>

#include "bin/cli/output_file.hpp"

namespace mp::tools::pool {

void write_all(int fd, std::string_view text) {
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EPIPE) return;
        if (n < 0)
            throw std::runtime_error(std::string("cannot write to ") + (fd == 2 ? "stderr: " : "stdout: ") +
                                     std::generic_category().message(errno));
        done += static_cast<std::size_t>(n);
    }
}

std::string tagged(std::string_view text, std::string_view tag) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t from = 0; from < text.size();) {
        const std::size_t end = text.find('\n', from);
        const std::size_t next = end == std::string_view::npos ? text.size() : end + 1;
        out.append(tag).append(1, '\t').append(text.substr(from, next - from));
        from = next;
    }
    return out;
}

std::string results_component(const std::string& value) {
    if (value == "." || value == "..") return "\\" + value;
    std::string out;
    for (char c : value) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '/') {
            out += "\\_";
        } else {
            out += c;
        }
    }
    return out;
}

namespace {

// Closes an fd at the end of a scope.
struct Fd {
    int fd;
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
};

void write_file(int dir, const std::string& name, const std::string& text) {
    const Fd file{cli::open_output_fd(dir, name, false)};
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(file.fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw std::system_error(errno, std::generic_category(), "write(\"" + name + "\")");
        done += static_cast<std::size_t>(n);
    }
}

}  // namespace

Output::Output(const RunnerOptions& options)
    : options_(options),
      streams_(options.grouping != Grouping::group && options.results.empty() && !options.files) {
    if (!options.results.empty()) results_dir_ = cli::open_output_directory(AT_FDCWD, options.results);
}

Output::~Output() {
    if (results_dir_ >= 0) ::close(results_dir_);
}

std::string Output::save(std::size_t seq, const std::vector<Record>& records, const std::string& out,
                         const std::string& err) const {
    if (options_.results.empty()) {
        // --files alone: a new file GNU parallel's way, in $TMPDIR.
        const char* tmpdir = std::getenv("TMPDIR");
        std::string name = std::string(tmpdir != nullptr && *tmpdir != '\0' ? tmpdir : "/tmp") + "/parXXXXXX.par";
        const int fd = ::mkostemps(name.data(), 4, O_CLOEXEC);
        if (fd < 0) throw std::system_error(errno, std::generic_category(), "mkstemp(\"" + name + "\")");
        ::close(fd);
        write_file(AT_FDCWD, name, out);
        return name;
    }
    // DIR/1/ARG1/2/ARG2...: each directory opened below the one before, never
    // through a symlink, so a planted one cannot send the files elsewhere.
    std::string path = options_.results;
    Fd dir{::dup(results_dir_)};
    if (dir.fd < 0) throw std::system_error(errno, std::generic_category(), "dup");
    std::size_t position = 0;
    for (const Record& record : records) {
        for (const std::string& field : record) {
            for (const std::string& name : {std::to_string(++position), results_component(field)}) {
                if (name.empty()) continue;  // an empty value: no directory (GNU parallel's layout)
                path += "/" + name;
                const int next = cli::open_output_directory(dir.fd, name);
                ::close(dir.fd);
                dir.fd = next;
            }
        }
    }
    write_file(dir.fd, "stdout", out);
    write_file(dir.fd, "stderr", err);
    write_file(dir.fd, "seq", std::to_string(seq));
    return path + "/stdout";
}

void Output::stream(std::size_t seq, int fd, std::string_view text, std::string_view tag) {
    std::string piece = options_.tag && options_.grouping == Grouping::line_buffer ? tagged(text, tag)
                                                                                   : std::string(text);
    std::lock_guard lock(mutex_);
    emit(seq, fd, std::move(piece));
}

void Output::finish(std::size_t seq, const std::vector<Record>& records, std::string_view tag, const std::string& out,
                    const std::string& err) {
    std::string shown_out, shown_err;
    if (!options_.results.empty() || options_.files) {
        try {
            const std::string name = save(seq, records, out, err);
            if (options_.files) shown_out = name + "\n";
            // --files alone: stderr still goes to ours.
            if (options_.results.empty()) shown_err = err;
        } catch (const std::system_error& error) {
            shown_err = std::string("pool: --results: ") + error.what() + "\n";
        }
    } else if (!streams_) {
        shown_out = options_.tag ? tagged(out, tag) : out;
        shown_err = options_.tag ? tagged(err, tag) : err;
    }
    std::lock_guard lock(mutex_);
    if (!shown_out.empty()) emit(seq, 1, std::move(shown_out));
    if (!shown_err.empty()) emit(seq, 2, std::move(shown_err));
    end(seq);
}

void Output::emit(std::size_t seq, int fd, std::string text) {
    if (!options_.keep_order || seq == next_) {
        write_all(fd, text);
    } else {
        held_[seq].pieces.emplace_back(fd, std::move(text));
    }
}

void Output::end(std::size_t seq) {
    if (!options_.keep_order) return;
    held_[seq].ended = true;
    // The turn passes on over every job that has ended, and to the first one still
    // running: what it said so far goes out now, the rest live.
    for (auto next = held_.find(next_); next != held_.end(); next = held_.find(next_)) {
        for (const auto& [fd, text] : next->second.pieces) write_all(fd, text);
        const bool ended = next->second.ended;
        held_.erase(next);
        if (!ended) break;
        ++next_;
    }
}

void Output::flush() {
    std::lock_guard lock(mutex_);
    for (const auto& [seq, held] : held_)
        for (const auto& [fd, text] : held.pieces) write_all(fd, text);
    held_.clear();
}

}  // namespace mp::tools::pool

#include "bin/pool_inputs.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include "bin/cli/main.hpp"

namespace mp::tools::pool {

// The items of one file descriptor, read as they come.
class Inputs::Reader {
public:
    Reader(const std::string& path, std::string delimiter) : delimiter_(std::move(delimiter)) {
        if (path == "-") return;
        fd_ = open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "cannot read input file '" + path + "'");
        owned_ = true;
    }
    ~Reader() {
        if (owned_) close(fd_);
    }
    Reader(const Reader&) = delete;
    Reader& operator=(const Reader&) = delete;

    std::optional<std::string> next(const std::function<bool()>& stop) {
        for (;;) {
            const std::size_t end = pending_.find(delimiter_, from_);
            if (end != std::string::npos) {
                std::string item = pending_.substr(from_, end - from_);
                from_ = end + delimiter_.size();
                return item;
            }
            if (eof_) {
                if (from_ == pending_.size()) return std::nullopt;
                std::string item = pending_.substr(from_);  // a last item without its delimiter
                from_ = pending_.size();
                return item;
            }
            pending_.erase(0, from_);
            from_ = 0;
            // Polled, so that a terminal or a silent pipe cannot keep us from stopping.
            pollfd input{fd_, POLLIN, 0};
            const int ready = poll(&input, 1, 50);
            if (stop()) return std::nullopt;
            if (ready <= 0) continue;
            char buffer[65536];
            const ssize_t n = read(fd_, buffer, sizeof buffer);
            if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
            if (n < 0) throw std::system_error(errno, std::generic_category(), "read(input)");
            if (n == 0) eof_ = true;
            pending_.append(buffer, static_cast<std::size_t>(n));
        }
    }

private:
    int fd_ = 0;
    bool owned_ = false;
    std::string delimiter_;
    std::string pending_;
    std::size_t from_ = 0;
    bool eof_ = false;
};

Inputs::Inputs(const RunnerOptions& options) : options_(options) {
    if (options.colsep) {
        try {
            colsep_.emplace(*options.colsep, std::regex::ECMAScript);
        } catch (const std::regex_error& error) {
            throw cli::UsageError("--colsep: not a regex: '" + *options.colsep + "': " + error.what());
        }
    }
    std::vector<InputSource> sources = options.sources;
    if (sources.empty()) sources.push_back({.from_file = true, .values = {"-"}});
    for (const InputSource& source : sources)
        readers_.push_back(source.from_file ? std::make_unique<Reader>(source.values.front(), options.delimiter)
                                            : nullptr);
    // One file (or stdin) is read as it comes; anything else is read whole first.
    streaming_ = sources.size() == 1 && sources.front().from_file;
    if (streaming_) return;
    for (std::size_t i = 0; i < sources.size(); ++i) {
        if (!sources[i].linked) blocks_.emplace_back();
        blocks_.back().push_back(i);
        values_.push_back(sources[i].values);
        if (sources[i].from_file) {
            values_.back().clear();
            while (auto value = readers_[i]->next([] { return false; })) values_.back().push_back(std::move(*value));
        }
        for (std::size_t j = 0; j < values_.back().size(); ++j)
            if (options.eof && values_.back()[j] == *options.eof) values_.back().resize(j);
    }
    at_.assign(blocks_.size(), 0);
}

Inputs::~Inputs() = default;

Record Inputs::split(Record record) const {
    if (!colsep_) return record;
    Record fields;
    for (const std::string& value : record)
        for (std::sregex_token_iterator it(value.begin(), value.end(), *colsep_, -1), end; it != end; ++it)
            fields.push_back(*it);
    return fields;
}

std::optional<Record> Inputs::next(const std::function<bool()>& stop) {
    if (done_) return std::nullopt;
    if (streaming_) {
        std::optional<std::string> value = readers_.front()->next(stop);
        if (!value || (options_.eof && *value == *options_.eof)) {
            done_ = true;
            return std::nullopt;
        }
        return split({std::move(*value)});
    }
    // An odometer over the blocks of linked sources, the last block turning fastest.
    std::vector<std::size_t> lengths;
    for (const auto& block : blocks_) {
        std::size_t length = values_[block.front()].size();
        for (std::size_t source : block) length = std::min(length, values_[source].size());
        lengths.push_back(length);
    }
    for (std::size_t length : lengths)
        if (length == 0) done_ = true;
    if (done_ || stop()) return std::nullopt;
    Record record;
    for (std::size_t b = 0; b < blocks_.size(); ++b)
        for (std::size_t source : blocks_[b]) record.push_back(values_[source][at_[b]]);
    std::size_t b = blocks_.size();
    while (b > 0 && ++at_[b - 1] == lengths[b - 1]) at_[--b] = 0;
    if (b == 0) done_ = true;
    return split(std::move(record));
}

}  // namespace mp::tools::pool

// bin/pool's argument sources, as GNU parallel combines them: the records (one
// field per source) that the jobs are made of.
//
// No source: the items of stdin. One source: its values in order (a file or stdin
// is read as it comes, so a job may start before the input ends). Several sources:
// every combination, the last source varying fastest (`::: a b ::: 1 2` gives a 1,
// a 2, b 1, b 2); a linked source (`:::+`, `::::+`) is paired element by element
// with the source before it instead, and the shorter of the two sets the length.
// Items of files and stdin end with -d's delimiter (the last one may lack it); -E's
// string ends a source's values; --colsep splits each value into fields.
#pragma once

#include <functional>
#include <memory>
#include <optional>
// GCC 12 warns falsely (maybe-uninitialized) inside <regex> under the sanitizers'
// instrumentation, which -Werror would turn into a failed `make check`.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <regex>
#pragma GCC diagnostic pop
#include <string>
#include <vector>

#include "bin/pool_commands.hpp"
#include "bin/pool_replace.hpp"

namespace mp::tools::pool {

class Inputs {
public:
    // Opens every file (std::system_error naming the file when one cannot be read)
    // and compiles --colsep (cli::UsageError for a bad regex), before any job runs.
    explicit Inputs(const RunnerOptions& options);
    ~Inputs();
    Inputs(const Inputs&) = delete;
    Inputs& operator=(const Inputs&) = delete;

    // The next record, or nullopt at the end of the input. Waiting for stdin is
    // polled: once `stop()` is true, returns nullopt. Throws std::system_error when
    // a read fails.
    std::optional<Record> next(const std::function<bool()>& stop);

private:
    class Reader;
    Record split(Record record) const;

    const RunnerOptions& options_;
    std::vector<std::unique_ptr<Reader>> readers_;  // one per source; null for `:::`
    std::optional<std::regex> colsep_;
    // Several sources: every value, read whole, and the index of the next record.
    std::vector<std::vector<std::string>> values_;
    std::vector<std::vector<std::size_t>> blocks_;  // linked sources together
    std::vector<std::size_t> at_;                   // per block
    bool streaming_ = false;  // one file or stdin: readers_.front() read as it comes
    bool done_ = false;
};

}  // namespace mp::tools::pool

// The argument cursor every tool's parser reads its command line with: the words
// after the program name (or after a subcommand), consumed front to back.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mp::cli {

class Args {
public:
    explicit Args(std::vector<std::string> words) : words_(std::move(words)) {}

    bool empty() const { return at_ >= words_.size(); }
    // The current word. Requires !empty().
    const std::string& peek() const { return words_[at_]; }
    // Consumes the current word; throws UsageError("missing <what>") when none is left.
    std::string next(std::string_view what);
    // Consumes the current word when it is `word`.
    bool accept(std::string_view word);
    // Consumes and returns every word left.
    std::vector<std::string> rest();

    // When the current word is option `name`, consumes it and returns its value, as
    // getopt reads one: "-j 4" or "-j4" for a short name, "--jobs 4" or "--jobs=4"
    // for a long one. A name with no word after it throws UsageError(`missing`).
    // Empty (nothing consumed) when the current word is not that option.
    std::optional<std::string> value_of(std::string_view name, std::string_view missing);

private:
    std::vector<std::string> words_;
    std::size_t at_ = 0;
};

}  // namespace mp::cli

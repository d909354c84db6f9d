#include "bin/cli/args.hpp"

#include "bin/cli/main.hpp"

namespace mp::cli {

std::string Args::next(std::string_view what) {
    if (empty()) throw UsageError("missing " + std::string(what));
    return words_[at_++];
}

bool Args::accept(std::string_view word) {
    if (empty() || peek() != word) return false;
    ++at_;
    return true;
}

std::vector<std::string> Args::rest() {
    std::vector<std::string> out(words_.begin() + static_cast<std::ptrdiff_t>(at_), words_.end());
    at_ = words_.size();
    return out;
}

std::optional<std::string> Args::value_of(std::string_view name, std::string_view missing) {
    if (empty()) return std::nullopt;
    const std::string_view word = peek();
    if (word == name) {
        ++at_;
        if (empty()) throw UsageError(std::string(missing));
        return words_[at_++];
    }
    const bool long_name = name.starts_with("--");
    if (!word.starts_with(name) || (long_name && word[name.size()] != '=')) return std::nullopt;
    ++at_;
    return std::string(word.substr(name.size() + (long_name ? 1 : 0)));
}

}  // namespace mp::cli

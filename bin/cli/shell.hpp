// Shell quoting both ways, without ever running a shell: words to a line a shell
// reads back as the same words (job logs, file names in messages), and a line to
// words as a shell would split it (pipeline stages).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mp::cli {

// `word` as coreutils shows a file name (its shell-escape style): bare when it holds
// only characters a shell leaves alone (letters, digits, %+,-./:=@^_ and any byte
// >= 0x80), else in single quotes, a ' written as '\''.
std::string shell_quote(std::string_view word);

// Splits a command line into words as a shell would, but without expansions:
// whitespace separates words; '...' is literal; "..." allows \" \\ \$ \` escapes;
// a backslash outside quotes escapes the next character. Empty (with `error` set)
// for an unterminated quote or a trailing backslash.
std::optional<std::vector<std::string>> split_words(std::string_view line, std::string& error);

}  // namespace mp::cli

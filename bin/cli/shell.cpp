#include "bin/cli/shell.hpp"

#include <cctype>
#include <cstring>

namespace mp::cli {

std::string shell_quote(std::string_view word) {
    bool plain = !word.empty();
    for (const unsigned char c : word)
        if (!(std::isalnum(c) || (c != '\0' && std::strchr("%+,-./:=@^_", c) != nullptr) || c >= 0x80)) plain = false;
    if (plain) return std::string(word);
    std::string out = "'";
    for (const char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

std::optional<std::vector<std::string>> split_words(std::string_view line, std::string& error) {
    std::vector<std::string> words;
    std::string word;
    bool in_word = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (c == ' ' || c == '\t' || c == '\n') {
            if (in_word) words.push_back(std::move(word));
            word.clear();
            in_word = false;
            continue;
        }
        in_word = true;
        if (c == '\\') {
            if (++i == line.size()) {
                error = "trailing backslash";
                return std::nullopt;
            }
            word += line[i];
        } else if (c == '\'') {
            const std::size_t end = line.find('\'', i + 1);
            if (end == std::string_view::npos) {
                error = "unterminated single quote";
                return std::nullopt;
            }
            word.append(line.substr(i + 1, end - i - 1));
            i = end;
        } else if (c == '"') {
            for (++i; i < line.size() && line[i] != '"'; ++i) {
                if (line[i] == '\\' && i + 1 < line.size() &&
                    std::string_view("\"\\$`").find(line[i + 1]) != std::string_view::npos)
                    ++i;
                word += line[i];
            }
            if (i == line.size()) {
                error = "unterminated double quote";
                return std::nullopt;
            }
        } else {
            word += c;
        }
    }
    if (in_word) words.push_back(std::move(word));
    return words;
}

}  // namespace mp::cli

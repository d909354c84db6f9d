#include "bin/pool_replace.hpp"

#include <cctype>
#include <cstring>
#include <utility>

#include "bin/cli/shell.hpp"

namespace mp::tools::pool {

namespace {

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\n'; }

// What makes a one-word command a shell command line.
bool has_shell_syntax(const std::string& text) {
    return text.find_first_of(" \t\n|&;<>()$`\\\"'*?[~") != std::string::npos;
}

// A value as one shell word. shell_quote leaves `a=b` bare, which a shell would read
// as an assignment in a command's first word: quoted too.
std::string quote_value(const std::string& value) {
    std::string quoted = cli::shell_quote(value);
    if (quoted.front() != '\'' && quoted.find('=') != std::string::npos) return "'" + quoted + "'";
    return quoted;
}

// GNU parallel's {.}: s:\.[^/.]*$::
std::string without_extension(const std::string& value) {
    const std::size_t dot = value.rfind('.');
    if (dot == std::string::npos || value.find('/', dot) != std::string::npos) return value;
    return value.substr(0, dot);
}

// GNU parallel's {/}: s:.*/::
std::string basename_of(const std::string& value) {
    const std::size_t slash = value.rfind('/');
    return slash == std::string::npos ? value : value.substr(slash + 1);
}

// GNU parallel's {//}: Perl's File::Basename::dirname ("dir/" -> ".", "/" -> "/").
std::string dirname_of(const std::string& value) {
    const auto split = [](const std::string& path, std::string& base) {
        const std::size_t slash = path.rfind('/');
        base = slash == std::string::npos ? path : path.substr(slash + 1);
        std::string dir = slash == std::string::npos ? "./" : path.substr(0, slash + 1);
        while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
        return dir;
    };
    std::string base;
    std::string dir = split(value, base);
    if (base.empty()) dir = split(dir, base);
    return dir;
}

}  // namespace

Template::Template(const std::vector<std::string>& command, const std::string& replace, bool quote, Multi multi,
                   bool append_all)
    : replace_(replace), multi_(multi) {
    bool literal_syntax = false;
    if (!quote && command.size() == 1) {
        words_ = parse(command[0]);
        for (const Word& word : words_)
            for (const Piece& piece : word.pieces)
                if (piece.kind == Kind::literal && has_shell_syntax(piece.text)) literal_syntax = true;
    }
    shell_ = literal_syntax;
    if (!shell_) {
        words_.clear();
        for (const std::string& word : command) {
            // parse() splits a shell line at blanks; a word of CMD stays one word.
            Word whole;
            for (Word& part : parse(word)) {
                whole.pieces.insert(whole.pieces.end(), part.pieces.begin(), part.pieces.end());
                whole.has_all = whole.has_all || part.has_all;
            }
            words_.push_back(std::move(whole));
        }
    }
    bool replaces = false;
    for (const Word& word : words_)
        for (const Piece& piece : word.pieces) replaces = replaces || piece.kind != Kind::literal;
    if (!replaces && append_all) {
        if (shell_) words_.push_back({{Piece{.text = " "}}, false});
        words_.push_back({{Piece{.kind = Kind::all}}, true});
    }
}

std::vector<Template::Word> Template::parse(const std::string& text) const {
    std::vector<Word> words;
    Word word;
    std::string literal;
    const auto flush_literal = [&] {
        if (!literal.empty()) word.pieces.push_back({.text = std::move(literal)});
        literal.clear();
    };
    for (std::size_t i = 0; i < text.size();) {
        // A new shell word starts where blanks start or end.
        if (i > 0 && is_blank(text[i]) != is_blank(text[i - 1])) {
            flush_literal();
            words.push_back(std::move(word));
            word = {};
        }
        if (text.compare(i, replace_.size(), replace_) == 0) {
            flush_literal();
            word.pieces.push_back({.kind = Kind::all});
            word.has_all = true;
            i += replace_.size();
            continue;
        }
        // {#} {%} or { [-]digits [. / // /.] }
        Piece piece;
        std::size_t j = i + 1;
        bool token = false;
        if (text[i] == '{' && text.compare(j, 2, "#}") == 0) {
            piece.kind = Kind::seq, j += 2, token = true;
        } else if (text[i] == '{' && text.compare(j, 2, "%}") == 0) {
            piece.kind = Kind::slot, j += 2, token = true;
        } else if (text[i] == '{') {
            const bool negative = j < text.size() && text[j] == '-';
            const std::size_t digits = j + (negative ? 1 : 0);
            std::size_t k = digits;
            while (k < text.size() && std::isdigit(static_cast<unsigned char>(text[k])) && k - digits < 6) ++k;
            if (k > digits) {
                piece.kind = Kind::positional;
                piece.position = std::stoi(text.substr(digits, k - digits)) * (negative ? -1 : 1);
            } else if (negative) {
                k = text.size();  // "{-" and no digits: not a token
            }
            if (text.compare(k, 2, "/.") == 0) {
                piece.modifier = Modifier::base_dot, k += 2;
            } else if (text.compare(k, 2, "//") == 0) {
                piece.modifier = Modifier::dir, k += 2;
            } else if (text.compare(k, 1, "/") == 0) {
                piece.modifier = Modifier::base, k += 1;
            } else if (text.compare(k, 1, ".") == 0) {
                piece.modifier = Modifier::dot, k += 1;
            }
            // {} itself is a token only under its own name (-I renames it).
            const bool named = piece.kind == Kind::positional ? piece.position != 0 : piece.modifier != Modifier::none;
            if (named && k < text.size() && text[k] == '}') {
                if (piece.kind == Kind::literal) piece.kind = Kind::all;
                j = k + 1;
                token = true;
            }
        }
        if (!token) {
            literal += text[i++];
            continue;
        }
        flush_literal();
        word.has_all = word.has_all || piece.kind == Kind::all;
        word.pieces.push_back(piece);
        i = j;
    }
    flush_literal();
    words.push_back(std::move(word));
    return words;
}

void Template::expand_word(const Word& word, const std::vector<std::string>& fields, const std::vector<std::string>& all,
                           std::size_t seq, int slot, std::vector<std::string>& out) const {
    const auto modify = [](const std::string& value, Modifier modifier) {
        switch (modifier) {
            case Modifier::dot: return without_extension(value);
            case Modifier::base: return basename_of(value);
            case Modifier::dir: return dirname_of(value);
            case Modifier::base_dot: return without_extension(basename_of(value));
            case Modifier::none: break;
        }
        return value;
    };
    // Without a shell: a word per value of an `all` piece; with one: the values
    // quoted, between blanks, into the line (out's one element).
    std::string own;
    std::string& text = shell_ ? out.front() : own;
    bool emit = false;
    for (const Piece& piece : word.pieces) {
        if (piece.kind == Kind::all) {
            for (std::size_t i = 0; i < fields.size(); ++i) {
                if (i > 0 && shell_) text += ' ';
                if (i > 0 && !shell_) out.push_back(std::exchange(own, {}));
                const std::string value = modify(fields[i], piece.modifier);
                text += shell_ ? quote_value(value) : value;
            }
            emit = emit || !fields.empty();
            continue;
        }
        std::string value;
        if (piece.kind == Kind::literal) {
            value = piece.text;
        } else if (piece.kind == Kind::seq) {
            value = std::to_string(seq);
        } else if (piece.kind == Kind::slot) {
            value = std::to_string(slot);
        } else {
            const long size = static_cast<long>(all.size());
            const long index = piece.position > 0 ? piece.position - 1 : size + piece.position;
            if (index >= 0 && index < size) value = modify(all[static_cast<std::size_t>(index)], piece.modifier);
        }
        text += shell_ && piece.kind != Kind::literal ? quote_value(value) : value;
        emit = true;
    }
    if (!shell_ && emit) out.push_back(std::move(own));
}

std::vector<std::string> Template::expand(const std::vector<Record>& records, std::size_t seq, int slot) const {
    std::vector<std::string> all;
    for (const Record& record : records) all.insert(all.end(), record.begin(), record.end());
    std::vector<std::string> out;
    if (shell_) out = {"/bin/sh", "-c", ""};
    std::vector<std::string> line;
    std::vector<std::string>& target = shell_ ? line : out;
    if (shell_) line.emplace_back();
    for (const Word& word : words_) {
        if (multi_ != Multi::x || !word.has_all) {
            expand_word(word, all, all, seq, slot, target);
            continue;
        }
        // -X: the word around {} once per record.
        for (std::size_t i = 0; i < records.size(); ++i) {
            if (i > 0 && shell_) line.front() += ' ';
            expand_word(word, records[i], all, seq, slot, target);
        }
    }
    if (shell_) out[2] = std::move(line.front());
    return out;
}

std::size_t Template::length(const std::vector<Record>& records) const {
    std::size_t total = 0;
    for (const std::string& word : expand(records, 0, 1)) total += word.size() + 1;
    return total;
}

}  // namespace mp::tools::pool

// GNU parallel's replacement strings in bin/pool's command: a Template is CMD parsed
// once, expanded into each job's argv.
//
//   {}      every argument of the job (-I STR renames it)
//   {.}     without its extension        {/}   its basename      {//}  its dirname
//   {/.}    basename without extension   {#}   the job's sequence number
//   {%}     the job's slot (1..-j)       {N} {-N}  the Nth (from the end) argument,
//           with the same modifiers: {1.} {2/} {-1//} {3/.}
//
// A job's arguments are the fields of its records in order: one field per input
// source (or --colsep column), one record per input with -n/-m/-X. Without any
// replacement string, {} is appended as the last word (GNU parallel's rule).
//
// A command of one word holding shell syntax (a blank, | ; & < > ( ) $ ` \ " ' * ? [
// ~) is a shell command line, run as `sh -c LINE` (GNU parallel runs every command
// through a shell): each substituted value is shell-quoted first, so items never act
// as shell code. Any other command runs without a shell: a value is part of one word
// and never split, and several values ({} with -m) become several words, as the
// shell would make them. -q (`quote`) never uses a shell.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "bin/pool_commands.hpp"

namespace mp::tools::pool {

// One input: its fields.
using Record = std::vector<std::string>;

class Template {
public:
    // `append_all`: {} is appended to a command without replacement strings (false:
    // --tagstring's template stays as it is).
    Template(const std::vector<std::string>& command, const std::string& replace, bool quote, Multi multi,
             bool append_all = true);

    // Whether jobs run through `sh -c`.
    bool shell() const { return shell_; }

    // The argv of the job with `records`, sequence number `seq` and slot `slot`.
    std::vector<std::string> expand(const std::vector<Record>& records, std::size_t seq, int slot) const;

    // The length of the command line expand() makes: its words' lengths plus one
    // blank each (what -s bounds).
    std::size_t length(const std::vector<Record>& records) const;

private:
    enum class Kind { literal, all, positional, seq, slot };
    enum class Modifier { none, dot, base, dir, base_dot };
    struct Piece {
        Kind kind = Kind::literal;
        std::string text{};  // a literal's text
        Modifier modifier = Modifier::none;
        int position = 0;    // positional: 1-based, negative from the end
    };
    // A word of CMD, or a run of blanks / of other characters in a shell line.
    struct Word {
        std::vector<Piece> pieces;
        bool has_all = false;  // holds an `all` piece: -X repeats it per record
    };

    std::vector<Word> parse(const std::string& text) const;
    // `word` for `fields` (all of the job's, or one record's with -X), appended to
    // `out`: several words without a shell, a piece of the line with one.
    void expand_word(const Word& word, const std::vector<std::string>& fields, const std::vector<std::string>& all,
                     std::size_t seq, int slot, std::vector<std::string>& out) const;

    std::string replace_;
    bool shell_ = false;
    Multi multi_;
    std::vector<Word> words_;
};

}  // namespace mp::tools::pool

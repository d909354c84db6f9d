#include "bin/pool_args.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>

#include "bin/cli/args.hpp"
#include "bin/cli/shell.hpp"
#include "bin/pool_jobs.hpp"

namespace mp::tools::pool {

namespace {

int count_of(const std::string& option, const std::string& value, int min, int max) {
    const auto count = cli::parse_int(value, min, max);
    if (!count)
        throw cli::UsageError(option + ": not a number from " + std::to_string(min) + " to " + std::to_string(max) +
                              ": '" + value + "'");
    return static_cast<int>(*count);
}

// A size with an optional suffix, "10", "1.5K", "2M", "1G"; k m g t p are powers of
// 1000, K M G T P of 1024 (GNU parallel's rule). nullopt for anything else.
std::optional<std::uint64_t> size_of(const std::string& text) {
    std::size_t digits = 0;
    while (digits < text.size() && (std::isdigit(static_cast<unsigned char>(text[digits])) || text[digits] == '.'))
        ++digits;
    if (digits == 0 || text.find('.') != text.rfind('.') || text.front() == '.' || text[digits - 1] == '.' ||
        text.size() > digits + 1)
        return std::nullopt;
    double size = std::stod(text.substr(0, digits));
    if (digits < text.size()) {
        // GNU parallel's prefixes: lower case decimal, upper case binary.
        static constexpr std::string_view kDecimal = "kmgtp", kBinary = "KMGTP";
        const char suffix = text.back();
        const std::size_t decimal = kDecimal.find(suffix), binary = kBinary.find(suffix);
        if (decimal == std::string_view::npos && binary == std::string_view::npos) return std::nullopt;
        size *= decimal != std::string_view::npos ? std::pow(1000.0, static_cast<double>(decimal + 1))
                                                  : std::pow(1024.0, static_cast<double>(binary + 1));
    }
    size = std::floor(size);
    if (size >= 9.2e18) return std::nullopt;
    return static_cast<std::uint64_t>(size);
}

// --block's value: a size from 1 to 2G-1 (GNU parallel's limit too), or -N, a
// number of blocks for each job slot (--pipe-part only; check_pipe checks).
std::int64_t block_size_of(const std::string& text) {
    const bool per_slot = text.starts_with('-');
    const auto size = size_of(per_slot ? text.substr(1) : text);
    if (!size || *size < 1 || *size >= 2ull * 1024 * 1024 * 1024)
        throw cli::UsageError("--block: not a size from 1 to 2G-1 (suffixes k m g t, K M G T), nor -N blocks "
                              "for each job slot: '" + text + "'");
    return per_slot ? -static_cast<std::int64_t>(*size) : static_cast<std::int64_t>(*size);
}

// -d's value: one or more characters, with C's escapes \n \t \r \0 \\ and \xHH
// (GNU parallel's -d).
std::string delimiter_of(const std::string& value) {
    std::string out;
    for (std::size_t i = 0; i < value.size(); ++i) {
        if (value[i] != '\\' || i + 1 == value.size()) {
            out += value[i];
            continue;
        }
        const char c = value[++i];
        if (c == 'n') {
            out += '\n';
        } else if (c == 't') {
            out += '\t';
        } else if (c == 'r') {
            out += '\r';
        } else if (c == '0') {
            out += '\0';
        } else if (c == '\\') {
            out += '\\';
        } else if (c == 'x' && i + 2 < value.size() && std::isxdigit(static_cast<unsigned char>(value[i + 1])) &&
                   std::isxdigit(static_cast<unsigned char>(value[i + 2]))) {
            out += static_cast<char>(std::stoi(value.substr(i + 1, 2), nullptr, 16));
            i += 2;
        } else {
            throw cli::UsageError("-d: unknown escape '\\" + std::string(1, c) + "'");
        }
    }
    if (out.empty()) throw cli::UsageError("-d: an empty delimiter");
    return out;
}

// A valid shell variable name (--env's value).
bool variable_name(const std::string& name) {
    if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
    return std::all_of(name.begin(), name.end(),
                       [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

// -S and the options of remote jobs; false when the next word is none of them.
template <typename ValueOf>
bool parse_remote_option(cli::Args& args, RemoteOptions& remote, const ValueOf& value_of) {
    if (auto value = value_of("-S", "--sshlogin")) {
        for (SshLogin& login : parse_sshlogins(*value)) remote.logins.push_back(std::move(login));
    } else if (auto value = value_of("", "--sshloginfile")) {
        remote.login_files.push_back(*value);
    } else if (auto value = value_of("", "--slf")) {
        remote.login_files.push_back(*value);
    } else if (auto value = value_of("", "--ssh")) {
        std::string error;
        auto words = cli::split_words(*value, error);
        if (!words || words->empty()) throw cli::UsageError("--ssh: not a command: '" + *value + "'" +
                                                            (error.empty() ? "" : ": " + error));
        remote.ssh = std::move(*words);
    } else if (args.accept("--transfer")) {
        remote.transfer.push_back("{}");
    } else if (auto value = value_of("", "--transferfile")) {
        remote.transfer.push_back(*value);
    } else if (auto value = value_of("", "--tf")) {
        remote.transfer.push_back(*value);
    } else if (auto value = value_of("", "--return")) {
        remote.returns.push_back(*value);
    } else if (args.accept("--cleanup")) {
        remote.cleanup = true;
    } else if (auto value = value_of("", "--trc")) {
        remote.transfer.push_back("{}");
        remote.returns.push_back(*value);
        remote.cleanup = true;
    } else if (auto value = value_of("", "--workdir")) {
        if (value->empty()) throw cli::UsageError("--workdir: no directory name");
        remote.workdir = *value;
    } else if (auto value = value_of("", "--wd")) {
        if (value->empty()) throw cli::UsageError("--wd: no directory name");
        remote.workdir = *value;
    } else if (auto value = value_of("", "--env")) {
        if (!variable_name(*value)) throw cli::UsageError("--env: not a variable name: '" + *value + "'");
        remote.env.push_back(*value);
    } else {
        return false;
    }
    return true;
}

// The options before CMD. Returns false at the first word that is not one of them.
bool parse_option(cli::Args& args, RunnerOptions& options, std::string& arg_sep, std::string& arg_file_sep,
                  bool& recend_given, int cores) {
    const std::string arg = args.peek();
    if (arg.empty() || arg[0] != '-' || arg == "-") return false;  // CMD starts here
    const std::string unknown = "unknown option '" + arg + "'";
    const std::string no_value = arg + ": a value is needed after it";
    auto value_of = [&](std::string_view short_name, std::string_view long_name) {
        std::optional<std::string> value;
        if (!short_name.empty()) value = args.value_of(short_name, no_value);
        if (!value && !long_name.empty()) value = args.value_of(long_name, no_value);
        return value;
    };    auto block_value = [&] {
        auto value = value_of("", "--block");
        return value ? value : value_of("", "--block-size");
    };

    if (args.accept("-k") || args.accept("--keep-order")) {
        options.keep_order = true;
    } else if (args.accept("-0") || args.accept("--null")) {
        options.delimiter = std::string(1, '\0');
    } else if (args.accept("--bar")) {
        options.bar = true;
    } else if (args.accept("-q") || args.accept("--quote")) {
        options.quote = true;
    } else if (args.accept("-m")) {
        options.multi = Multi::m;
    } else if (args.accept("-X")) {
        options.multi = Multi::x;
    } else if (args.accept("--xargs")) {
        options.multi = Multi::xargs;
    } else if (args.accept("--tag")) {
        options.tag = "{}";
    } else if (args.accept("--line-buffer") || args.accept("--lb")) {
        options.grouping = Grouping::line_buffer;
    } else if (args.accept("-u") || args.accept("--ungroup")) {
        options.grouping = Grouping::ungroup;
    } else if (args.accept("--group")) {
        options.grouping = Grouping::group;
    } else if (args.accept("--dry-run")) {
        options.dry_run = true;
    } else if (args.accept("--shellquote")) {
        options.shellquote = true;
    } else if (parse_remote_option(args, options.remote, value_of)) {
        // -S and its company, taken there
    } else if (auto value = value_of("", "--nice")) {
        options.nice = count_of("--nice", *value, -20, 19);
    } else if (auto value = value_of("", "--termseq")) {
        options.termseq = parse_termseq(*value);
    } else if (args.accept("--resume")) {
        options.resume = Resume::resume;
    } else if (args.accept("--resume-failed")) {
        options.resume = Resume::resume_failed;
    } else if (args.accept("--retry-failed")) {
        options.resume = Resume::retry_failed;
    } else if (auto value = value_of("", "--delay")) {
        const auto delay = cli::parse_duration(*value);
        if (!delay) throw cli::UsageError("--delay: not a duration (seconds, or with s m h d): '" + *value + "'");
        options.pacing.delay = *delay;
    } else if (auto value = value_of("", "--load")) {
        options.pacing.max_load = load_of(*value, cores);
    } else if (auto value = value_of("", "--memfree")) {
        options.pacing.memfree = size_of(*value);
        if (!options.pacing.memfree)
            throw cli::UsageError("--memfree: not a size (suffixes k m g t p, K M G T P): '" + *value + "'");
    } else if (args.accept("--files")) {
        options.files = true;
    } else if (args.accept("--pipe") || args.accept("--spreadstdin")) {
        options.pipe = PipeMode::pipe;
    } else if (args.accept("--pipe-part")) {
        options.pipe = PipeMode::part;
    } else if (auto value = value_of("", "--tagstring")) {
        options.tag = *value;
    } else if (auto value = value_of("", "--results")) {
        if (value->empty()) throw cli::UsageError("--results: no directory name");
        options.results = *value;
    } else if (auto value = block_value()) {
        options.block = block_size_of(*value);
    } else if (auto value = value_of("", "--recend")) {
        options.recend = *value;
        recend_given = true;
    } else if (auto value = value_of("", "--recstart")) {
        options.recstart = *value;
    } else if (auto value = value_of("-j", "--jobs")) {
        options.jobs = jobs_of(*value, cores);
    } else if (auto value = value_of("-a", "--arg-file")) {
        options.sources.push_back({.from_file = true, .values = {*value}});
    } else if (auto value = value_of("", "--arg-sep")) {
        if (value->empty()) throw cli::UsageError("--arg-sep: an empty separator");
        arg_sep = *value;
    } else if (auto value = value_of("", "--arg-file-sep")) {
        if (value->empty()) throw cli::UsageError("--arg-file-sep: an empty separator");
        arg_file_sep = *value;
    } else if (auto value = value_of("-d", "--delimiter")) {
        options.delimiter = delimiter_of(*value);
    } else if (auto value = value_of("-E", "")) {
        options.eof = *value;
    } else if (auto value = value_of("-I", "")) {
        if (value->empty()) throw cli::UsageError("-I: an empty replacement string");
        options.replace = *value;
    } else if (auto value = value_of("-C", "--colsep")) {
        if (value->empty()) throw cli::UsageError("--colsep: an empty regex");
        options.colsep = *value;
    } else if (auto value = value_of("-n", "--max-args")) {
        options.max_args = count_of("-n", *value, 1, 1 << 20);
    } else if (auto value = value_of("-N", "--max-replace-args")) {
        options.max_args = count_of("-N", *value, 0, 1 << 20);
    } else if (auto value = value_of("-s", "--max-chars")) {
        options.max_chars = static_cast<std::size_t>(count_of("-s", *value, 1, 1 << 30));
    } else if (auto value = value_of("", "--timeout")) {
        const auto timeout = cli::parse_duration(*value);
        if (!timeout || timeout->count() == 0)
            throw cli::UsageError("--timeout: not a positive duration: '" + *value + "'");
        options.timeout = *timeout;
    } else if (auto value = value_of("", "--retries")) {
        options.tries = count_of("--retries", *value, 0, 1000000);
    } else if (auto value = value_of("", "--halt")) {
        if (*value == "soon" || *value == "soon,fail=1") {
            options.halt = Halt::soon;
        } else if (*value == "now" || *value == "now,fail=1") {
            options.halt = Halt::now;
        } else {
            throw cli::UsageError("--halt: expected soon or now, not '" + *value + "'");
        }
    } else if (auto value = value_of("", "--joblog")) {
        options.joblog_append = value->starts_with('+');
        options.joblog = options.joblog_append ? value->substr(1) : *value;
        if (options.joblog.empty()) throw cli::UsageError("--joblog: no file name");
    } else {
        throw cli::UsageError(unknown);
    }
    return true;
}

// CMD's words, then the `:::` / `::::` groups after them: each `:::` group is one
// source, each file of a `::::` group is one (the first one linked after `::::+`).
void parse_command(cli::Args& args, RunnerOptions& options, const std::string& arg_sep,
                   const std::string& arg_file_sep) {
    enum class Group { command, args, files };
    Group group = Group::command;
    bool link_next = false;
    for (std::string& word : args.rest()) {
        if (word == arg_sep || word == arg_sep + "+") {
            group = Group::args;
            options.sources.push_back({.from_file = false, .values = {}, .linked = word != arg_sep});
        } else if (word == arg_file_sep || word == arg_file_sep + "+") {
            group = Group::files;
            link_next = word != arg_file_sep;
        } else if (group == Group::command) {
            options.command.push_back(std::move(word));
        } else if (group == Group::args) {
            options.sources.back().values.push_back(std::move(word));
        } else {
            options.sources.push_back({.from_file = true, .values = {std::move(word)}, .linked = link_next});
            link_next = false;
        }
    }
    if (!options.sources.empty() && options.sources.front().linked)
        throw cli::UsageError("'" + arg_sep + "+' or '" + arg_file_sep + "+' with no input source before it");
}

// --pipe's and --pipe-part's rules: stdin, or one file, cut on record boundaries.
void check_pipe(RunnerOptions& options, bool recend_given) {
    // --recstart alone: records are split before it only (GNU parallel's rule).
    if (!recend_given && !options.recstart.empty()) options.recend.clear();
    if (options.pipe == PipeMode::none) return;
    if (options.recend.empty() && options.recstart.empty())
        throw cli::UsageError("--recend and --recstart: both empty, no record boundary");
    if (options.max_args && *options.max_args == 0) throw cli::UsageError("-N 0: a block of no records");
    if (options.pipe == PipeMode::part && options.max_args)
        throw cli::UsageError("--pipe-part cuts blocks by size: no -N");
    if (options.pipe == PipeMode::pipe && options.block && *options.block < 0)
        throw cli::UsageError("--block -N (N blocks for each job slot) needs --pipe-part");
    if (options.pipe == PipeMode::pipe && !options.sources.empty())
        throw cli::UsageError("--pipe reads stdin: no ::: or :::: or -a (--pipe-part reads -a FILE)");
    if (options.pipe == PipeMode::part &&
        (options.sources.size() != 1 || !options.sources.front().from_file || options.sources.front().values.front() == "-"))
        throw cli::UsageError("--pipe-part: one -a FILE, a regular file, is needed");
}

Command parse_run(cli::Args& args, int cores) {
    RunnerOptions options;
    options.jobs = cores;
    std::string arg_sep = ":::", arg_file_sep = "::::";
    bool recend_given = false;
    while (!args.empty() && !args.accept("--")) {
        if (args.accept("-h") || args.accept("--help")) return Help{};
        if (!parse_option(args, options, arg_sep, arg_file_sep, recend_given, cores)) break;
    }
    // --retry-failed takes the commands from the joblog: none is needed here.
    if (options.resume == Resume::retry_failed && args.empty()) {
        if (options.joblog.empty()) throw cli::UsageError("--retry-failed needs --joblog FILE");
        return options;
    }
    parse_command(args, options, arg_sep, arg_file_sep);
    // --shellquote prints the items themselves when no command is given.
    if (options.command.empty() && !options.shellquote) throw cli::UsageError("no command to run");
    if (options.resume != Resume::none && options.joblog.empty())
        throw cli::UsageError("--resume, --resume-failed and --retry-failed need --joblog FILE");
    check_pipe(options, recend_given);
    return options;
}

}  // namespace

Command parse_args(const std::vector<std::string>& words, int cores) {
    if (words.size() == 1 && words[0] == "tour") return Tour{};
    cli::Args args(words);
    return cli::parse_or_error<Command>([&] { return parse_run(args, cores); });
}

}  // namespace mp::tools::pool

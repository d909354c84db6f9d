#include "bin/subproc_args.hpp"

#include <string.h>

#include <cctype>

namespace mp::subproc::cli {

namespace {

// Parses run's options; returns an error message, empty when fine.
std::string parse_run(const std::vector<std::string>& args, RunArgs& run) {
    std::size_t i = 0;
    auto value = [&](const std::string& name, std::string& out) -> bool {
        const std::string& arg = args[i];
        if (arg.size() > name.size() && arg.compare(0, name.size() + 1, name + "=") == 0) {
            out = arg.substr(name.size() + 1);
            return true;
        }
        if (++i >= args.size()) return false;
        out = args[i];
        return true;
    };
    for (; i < args.size(); ++i) {
        const std::string& arg = args[i];
        std::string text;
        auto is = [&](const char* long_name, const char* short_name = nullptr) {
            return arg == long_name || (short_name != nullptr && arg == short_name) ||
                   arg.rfind(std::string(long_name) + "=", 0) == 0;
        };
        if (arg == "--") {
            ++i;
            break;
        }
        if (arg.empty() || arg[0] != '-') break;
        if (is("--timeout") || is("--kill-after", "-k")) {
            const bool timeout = is("--timeout");
            if (!value(timeout ? "--timeout" : "--kill-after", text)) return arg + " needs a duration";
            const auto duration = mp::cli::parse_duration(text);
            if (!duration) return "invalid duration '" + text + "'";
            (timeout ? run.timeout : run.kill_after) = *duration;
        } else if (is("--signal", "-s")) {
            if (!value("--signal", text)) return "--signal needs a signal";
            const auto signal = parse_signal(text);
            if (!signal) return "invalid signal '" + text + "'";
            run.signal = *signal;
        } else if (arg == "--preserve-status") {
            run.preserve_status = true;
        } else if (arg == "--capture") {
            run.capture = true;
        } else if (arg == "--json") {
            run.json = true;
        } else if (is("--cwd")) {
            if (!value("--cwd", text)) return "--cwd needs a directory";
            run.cwd = text;
        } else if (is("--env")) {
            if (!value("--env", text)) return "--env needs NAME=VALUE";
            const auto equals = text.find('=');
            if (equals == std::string::npos || equals == 0)
                return "invalid --env '" + text + "' (NAME=VALUE)";
            run.env[text.substr(0, equals)] = text.substr(equals + 1);
        } else {
            return "unknown option '" + arg + "'";
        }
    }
    run.command.assign(args.begin() + static_cast<std::ptrdiff_t>(i < args.size() ? i : args.size()),
                       args.end());
    if (run.command.empty()) return "no command to run (subproc run [OPTIONS] -- CMD [ARG...])";
    return {};
}

Command parse_pipe(const std::vector<std::string>& args) {
    PipeArgs pipe;
    for (const std::string& arg : args) {
        if (pipe.stages.empty() && arg == "--pipefail") {
            pipe.pipefail = true;
            continue;
        }
        std::string error;
        auto words = split_words(arg, error);
        if (!words) return mp::cli::UsageError{"pipe: " + error + " in '" + arg + "'"};
        if (words->empty()) return mp::cli::UsageError{"pipe: empty stage"};
        pipe.stages.push_back(std::move(*words));
    }
    if (pipe.stages.empty())
        return mp::cli::UsageError{"pipe: no stages (subproc pipe [--pipefail] 'CMD1 ARGS' 'CMD2 ARGS' ...)"};
    return pipe;
}

}  // namespace

Command parse_args(const std::vector<std::string>& args) {
    if (args.empty()) return mp::cli::UsageError{};
    const std::string& command = args[0];
    const std::vector<std::string> rest(args.begin() + 1, args.end());
    if (command == "--help" || command == "-h" || command == "help") return Help{};
    if (command == "run") {
        RunArgs run;
        if (std::string error = parse_run(rest, run); !error.empty())
            return mp::cli::UsageError{std::move(error)};
        return run;
    }
    if (command == "pipe") return parse_pipe(rest);
    if (command == "tour") return Tour{};
    return mp::cli::UsageError{"unknown command '" + command + "' (try --help)"};
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

std::optional<int> parse_signal(std::string_view text) {
    if (!text.empty() && std::isdigit(static_cast<unsigned char>(text.front())))
        if (const auto number = mp::cli::parse_int(text, 1, NSIG - 1)) return static_cast<int>(*number);
    if (text.starts_with("SIG")) text.remove_prefix(3);
    if (text.empty()) return std::nullopt;
    for (int signal = 1; signal < NSIG; ++signal) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32))
        const char* name = sigabbrev_np(signal);
        if (name != nullptr && text == name) return signal;
#else
        static const struct {
            const char* name;
            int number;
        } names[] = {{"HUP", SIGHUP},   {"INT", SIGINT},   {"QUIT", SIGQUIT}, {"KILL", SIGKILL},
                     {"USR1", SIGUSR1}, {"USR2", SIGUSR2}, {"ALRM", SIGALRM}, {"TERM", SIGTERM},
                     {"CONT", SIGCONT}, {"STOP", SIGSTOP}};
        for (const auto& entry : names)
            if (text == entry.name && entry.number == signal) return signal;
#endif
    }
    return std::nullopt;
}

}  // namespace mp::subproc::cli

#include "bin/subproc_args.hpp"

#include <string.h>

#include <cctype>

#include "bin/cli/args.hpp"
#include "bin/cli/shell.hpp"

namespace mp::tools::subproc {

namespace {

// `run` mirrors coreutils timeout, whose misuse exits 125.
constexpr int kRunUsageExit = 125;

std::chrono::nanoseconds duration_of(const std::string& text) {
    const auto duration = cli::parse_duration(text);
    if (!duration) throw cli::UsageError("invalid time interval '" + text + "'");  // coreutils' words
    return *duration;
}

// Whether `word`, where timeout(1) expects DURATION, is meant as one: it starts as
// a number does. Any other word is CMD, run without a limit (`run CMD`, the form
// that predates DURATION), so a command named like a number needs --timeout.
bool reads_as_duration(const std::string& word) {
    return !word.empty() && (std::isdigit(static_cast<unsigned char>(word[0])) || word[0] == '.');
}

Command parse_run(cli::Args& args) {
    RunArgs run;
    bool timeout_given = false;
    while (!args.empty() && !args.accept("--")) {
        const std::string arg = args.peek();
        if (arg.empty() || arg[0] != '-' || arg == "-") break;
        const std::string needs_duration = arg + " needs a duration";
        if (args.accept("--help")) return Help{};
        if (args.accept("--version")) return Version{};
        if (auto text = args.value_of("--timeout", needs_duration)) {
            run.timeout = duration_of(*text);
            timeout_given = true;
        } else if (args.accept("-v") || args.accept("--verbose")) {
            run.verbose = true;
        } else if (args.accept("--foreground")) {
            run.foreground = true;
        } else if (auto text = args.value_of("--kill-after", needs_duration)) {
            run.kill_after = duration_of(*text);
        } else if (auto text = args.value_of("-k", needs_duration)) {
            run.kill_after = duration_of(*text);
        } else if (auto text = args.value_of("--signal", "--signal needs a signal")) {
            run.signal = signal_of(*text);
        } else if (auto text = args.value_of("-s", "--signal needs a signal")) {
            run.signal = signal_of(*text);
        } else if (args.accept("--preserve-status")) {
            run.preserve_status = true;
        } else if (args.accept("--capture")) {
            run.capture = true;
        } else if (args.accept("--json")) {
            run.json = true;
        } else if (auto dir = args.value_of("--cwd", "--cwd needs a directory")) {
            run.cwd = *dir;
        } else if (auto text = args.value_of("--env", "--env needs NAME=VALUE")) {
            const auto equals = text->find('=');
            if (equals == std::string::npos || equals == 0)
                throw cli::UsageError("invalid --env '" + *text + "' (NAME=VALUE)");
            run.env[text->substr(0, equals)] = text->substr(equals + 1);
        } else {
            throw cli::UsageError("unknown option '" + arg + "'");
        }
    }
    if (!timeout_given && !args.empty() && reads_as_duration(args.peek()))
        run.timeout = duration_of(args.next("DURATION"));
    run.command = args.rest();
    if (run.command.empty()) throw cli::UsageError("no command to run (subproc run [OPTIONS] DURATION CMD [ARG...])");
    return run;
}

PipeArgs parse_pipe(cli::Args& args) {
    PipeArgs pipe;
    while (args.accept("--pipefail")) pipe.pipefail = true;
    for (const std::string& arg : args.rest()) {
        std::string error;
        auto words = cli::split_words(arg, error);
        if (!words) throw cli::UsageError("pipe: " + error + " in '" + arg + "'");
        if (words->empty()) throw cli::UsageError("pipe: empty stage");
        pipe.stages.push_back(std::move(*words));
    }
    if (pipe.stages.empty())
        throw cli::UsageError("pipe: no stages (subproc pipe [--pipefail] 'CMD1 ARGS' 'CMD2 ARGS' ...)");
    return pipe;
}

Command dispatch(cli::Args& args) {
    if (args.empty()) throw cli::UsageError();
    const std::string command = args.next("command");
    if (command == "--help" || command == "-h" || command == "help") return Help{};
    if (command == "run") {
        try {
            return parse_run(args);
        } catch (const cli::UsageError& error) {
            throw cli::UsageError(error.what(), kRunUsageExit);
        }
    }
    if (command == "pipe") return parse_pipe(args);
    if (command == "tour") return Tour{};
    throw cli::UsageError("unknown command '" + command + "'");
}

}  // namespace

Command parse_args(const std::vector<std::string>& words) {
    cli::Args args(words);
    return cli::parse_or_error<Command>([&] { return dispatch(args); });
}

std::optional<int> parse_signal(std::string_view text) {
    if (!text.empty() && std::isdigit(static_cast<unsigned char>(text.front())))
        if (const auto number = cli::parse_int(text, 0, NSIG - 1)) return static_cast<int>(*number);
    if (text.starts_with("SIG")) text.remove_prefix(3);
    if (text.empty()) return std::nullopt;
    if (text == "EXIT") return 0;
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

int signal_of(const std::string& text) {
    const auto signal = parse_signal(text);
    if (!signal) throw cli::UsageError("'" + text + "': invalid signal");  // coreutils' words
    return *signal;
}

}  // namespace mp::tools::subproc

// bin/subproc pipe: a pipeline without a shell, and the word splitting it needs.
#include <signal.h>

#include <string>
#include <vector>

#include "bin/cli/cli.hpp"
#include "bin/subproc_commands.hpp"
#include "subproc/subproc.hpp"

namespace mp::subproc::cli {

namespace {

constexpr int kUsage = 2;

}  // namespace

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
                if (line[i] == '\\' && i + 1 < line.size() && std::string_view("\"\\$`").find(line[i + 1]) != std::string_view::npos)
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

int pipe_command(const std::vector<std::string>& args) {
    bool pipefail = false;
    std::vector<std::vector<std::string>> stages;
    for (const std::string& arg : args) {
        if (stages.empty() && arg == "--pipefail") {
            pipefail = true;
            continue;
        }
        std::string error;
        const auto words = split_words(arg, error);
        if (!words) {
            mp::cli::print_error(kProgram, "pipe: " + error + " in '" + arg + "'");
            return kUsage;
        }
        if (words->empty()) {
            mp::cli::print_error(kProgram, "pipe: empty stage");
            return kUsage;
        }
        stages.push_back(*words);
    }
    if (stages.empty()) {
        mp::cli::print_error(kProgram, "pipe: no stages (subproc pipe [--pipefail] 'CMD1 ARGS' 'CMD2 ARGS' ...)");
        return kUsage;
    }
    // The stages run in our process group, as a shell's pipeline job: the terminal's
    // Ctrl-C reaches them directly and a stage may read the terminal.
    block_forwarded_signals();
    try {
        Pipeline job(std::move(stages), {.group = Group::inherit()});
        forward_signals_to(job.pids());
        const PipelineResult result = job.communicate();
        forward_signals_to({});
        return shell_status(pipefail ? result.returncode() : result.last_returncode());
    } catch (const SpawnError& e) {
        mp::cli::print_error(kProgram, e.what());
        return e.step() != "exec" ? 1 : e.code().value() == ENOENT ? 127 : 126;
    } catch (const std::exception& e) {
        mp::cli::print_error(kProgram, e.what());
        return 1;
    }
}

}  // namespace mp::subproc::cli

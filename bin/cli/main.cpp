#include "bin/cli/main.hpp"

#include <signal.h>

#include <cerrno>
#include <cstdio>
#include <exception>
#include <string>
#include <system_error>

#include "bin/cli/cli.hpp"

namespace mp::cli {

namespace {

// The name the tool was started as, without its folder: "mp-sync" once installed
// (make install), "sync" in bin/. run_main sets it.
std::string& invoked_name() {
    static std::string name;
    return name;
}

// `text` with the tool's name replaced by the name it was started as where the name
// begins a command line: after "usage: " and at the start of an indented line
// ("  sync lock NAME"). So `mp-sync --help` (and the man page made from it) shows
// commands that work as typed; prose and messages keep the library's name.
std::string as_invoked(std::string_view text, std::string_view name) {
    const std::string& invoked = invoked_name();
    if (invoked.empty() || invoked == name) return std::string(text);
    std::string out;
    while (!text.empty()) {
        const std::size_t end = text.find('\n');
        std::string_view line = text.substr(0, end == std::string_view::npos ? text.size() : end + 1);
        text.remove_prefix(line.size());
        std::size_t at = line.find_first_not_of(' ');
        if (at != std::string_view::npos && line.substr(at).starts_with("usage: ")) at += 7;
        const bool indented_or_usage = at != std::string_view::npos && at > 0;
        const std::string_view rest = at == std::string_view::npos ? std::string_view{} : line.substr(at);
        if (indented_or_usage && rest.starts_with(name) &&
            (rest.size() == name.size() || rest[name.size()] == ' ' || rest[name.size()] == '\n')) {
            out.append(line.substr(0, at)).append(invoked).append(rest.substr(name.size()));
        } else {
            out.append(line);
        }
    }
    return out;
}

// What the user can do about a system error that comes from the machine's limits
// rather than from the command line ("" when the message says it all).
std::string what_to_do(const std::error_code& code) {
    if (code == std::errc::no_space_on_device)
        return " (the file system is full; named objects live in /dev/shm: remove unused ones there)";
    if (code == std::errc::too_many_files_open)
        return " (too many open files: raise the limit, e.g. ulimit -n 1024)";
    if (code == std::errc::too_many_files_open_in_system) return " (the system's open-file table is full)";
    return "";
}

// Whether everything the tool printed on stdout reached it; says why on stderr when
// not. A full disk (ENOSPC) or EIO must not end in status 0 with the output lost, as
// coreutils' close_stdout; a reader that went away (EPIPE, SIGPIPE ignored) is the
// pipeline's business, not an error.
bool stdout_written(const Tool& tool) {
    errno = 0;
    const bool flushed = std::fflush(stdout) == 0;
    if (flushed && std::ferror(stdout) == 0) return true;
    if (!flushed && errno == EPIPE) return true;
    // An earlier write failed when its buffer filled: its errno is gone by now.
    print_error(tool.name, flushed ? "cannot write to stdout"
                                   : "cannot write to stdout: " + std::generic_category().message(errno));
    return false;
}

void write(std::string_view text, const Tool& tool, std::FILE* to) {
    const std::string shown = as_invoked(text, tool.name);
    std::fwrite(shown.data(), 1, shown.size(), to);
}

}  // namespace

std::string error_text(const std::exception& error) {
    const auto* system = dynamic_cast<const std::system_error*>(&error);
    return std::string(error.what()) + (system ? what_to_do(system->code()) : "");
}

void print_help(const Tool& tool) {
    write(tool.usage, tool, stdout);
    if (tool.help.empty()) return;
    std::fputs("\n", stdout);
    write(tool.help, tool, stdout);
}

int run_main(int argc, char** argv, const Tool& tool,
             const std::function<int(const std::vector<std::string>&)>& body) {
    // As coreutils timeout: our own waitpid() must see our children's statuses.
    ::signal(SIGCHLD, SIG_DFL);
    if (argc > 0) {
        const std::string_view program = argv[0];
        invoked_name() = program.substr(program.rfind('/') + 1);
    }
    try {
        const int status = body({argv + 1, argv + argc});
        return stdout_written(tool) ? status : tool.error_exit;
    } catch (const UsageError& error) {
        const std::string_view message = error.what();
        if (!message.empty())
            print_error(tool.name, tool.see_help && !error.exit_code()
                                       ? std::string(message) + " (see: " + invoked_name() + " --help)"
                                       : std::string(message));
        if (message.empty() || tool.usage_after_message) write(tool.usage, tool, stderr);
        return error.exit_code().value_or(tool.usage_exit);
    } catch (const std::exception& error) {
        print_error(tool.name, error_text(error));
        return tool.error_exit;
    }
}

}  // namespace mp::cli

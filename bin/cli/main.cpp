#include "bin/cli/main.hpp"

#include <signal.h>

#include <cstdio>
#include <exception>

#include "bin/cli/cli.hpp"

namespace mp::cli {

void print_help(const Tool& tool) {
    std::fwrite(tool.usage.data(), 1, tool.usage.size(), stdout);
    if (tool.help.empty()) return;
    std::fputs("\n", stdout);
    std::fwrite(tool.help.data(), 1, tool.help.size(), stdout);
}

int run_main(int argc, char** argv, const Tool& tool,
             const std::function<int(const std::vector<std::string>&)>& body) {
    // As coreutils timeout: our own waitpid() must see our children's statuses.
    ::signal(SIGCHLD, SIG_DFL);
    try {
        return body({argv + 1, argv + argc});
    } catch (const UsageError& error) {
        const std::string_view message = error.what();
        if (!message.empty()) print_error(tool.name, message);
        if (message.empty() || tool.usage_after_message) std::fwrite(tool.usage.data(), 1, tool.usage.size(), stderr);
        return error.exit_code().value_or(tool.usage_exit);
    } catch (const std::exception& error) {
        print_error(tool.name, error.what());
        return tool.error_exit;
    }
}

}  // namespace mp::cli

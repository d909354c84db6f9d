// --termseq's value, parsed without side effects (fuzzed with bin/pool_args.cpp).
#include "bin/pool_termseq.hpp"

#include <signal.h>

#include <algorithm>
#include <array>
#include <string_view>
#include <utility>

#include "bin/cli/cli.hpp"
#include "bin/cli/main.hpp"

namespace mp::tools::pool {

namespace {

constexpr std::array<std::pair<std::string_view, int>, 12> kSignals{{{"HUP", SIGHUP},
                                                                     {"INT", SIGINT},
                                                                     {"QUIT", SIGQUIT},
                                                                     {"ABRT", SIGABRT},
                                                                     {"KILL", SIGKILL},
                                                                     {"USR1", SIGUSR1},
                                                                     {"USR2", SIGUSR2},
                                                                     {"ALRM", SIGALRM},
                                                                     {"TERM", SIGTERM},
                                                                     {"CONT", SIGCONT},
                                                                     {"STOP", SIGSTOP},
                                                                     {"TSTP", SIGTSTP}}};

int signal_of(std::string_view name, const std::string& text) {
    if (const auto number = cli::parse_int(name, 1, NSIG - 1)) return static_cast<int>(*number);
    if (name.starts_with("SIG")) name.remove_prefix(3);
    const auto known =
        std::find_if(kSignals.begin(), kSignals.end(), [&](const auto& s) { return s.first == name; });
    if (known == kSignals.end())
        throw cli::UsageError("--termseq: not a signal: '" + std::string(name) + "' in '" + text + "'");
    return known->second;
}

}  // namespace

TermSeq default_termseq() {
    using namespace std::chrono_literals;
    return {{SIGTERM, 1000ms}, {SIGKILL, 0ms}};
}

TermSeq parse_termseq(const std::string& text) {
    TermSeq steps;
    std::vector<std::string_view> fields;
    const std::string_view all = text;
    for (std::size_t from = 0;;) {
        const std::size_t comma = std::min(all.find(',', from), all.size());
        fields.push_back(all.substr(from, comma - from));
        if (comma == all.size()) break;
        from = comma + 1;
    }
    for (std::size_t i = 0; i < fields.size(); i += 2) {
        std::chrono::milliseconds wait{0};
        if (i + 1 < fields.size()) {
            const auto ms = cli::parse_int(fields[i + 1], 0, 24 * 3600 * 1000);
            if (!ms)
                throw cli::UsageError("--termseq: not a wait in milliseconds: '" +
                                      std::string(fields[i + 1]) + "' in '" + text + "'");
            wait = std::chrono::milliseconds(*ms);
        }
        steps.push_back({signal_of(fields[i], text), wait});
    }
    return steps;
}

}  // namespace mp::tools::pool

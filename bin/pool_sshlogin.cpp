// -S's values, parsed without side effects (fuzzed with bin/pool_args.cpp).
#include <algorithm>
#include <cctype>
#include <cstddef>
#include <string>
#include <vector>

#include "bin/cli/cli.hpp"
#include "bin/cli/main.hpp"
#include "bin/cli/shell.hpp"
#include "bin/pool_jobs.hpp"
#include "bin/pool_remote.hpp"

namespace mp::tools::pool {

namespace {

// One login: `[N/]HOST` or `[N/]SSH-COMMAND... HOST` (GNU parallel's rule: digits and
// a '/' start N, `//usr/bin/myssh host` is a command with -j's slots).
SshLogin parse_login(const std::string& login, const std::string& spec) {
    std::size_t digits = 0;
    while (digits < login.size() && std::isdigit(static_cast<unsigned char>(login[digits]))) ++digits;
    SshLogin parsed{.slots = 0, .host = login};
    if (digits < login.size() && login[digits] == '/') {
        if (digits > 0) {
            const auto slots = cli::parse_int(login.substr(0, digits), 1, kMaxJobs);
            if (!slots)
                throw cli::UsageError("-S: not a number of job slots from 1 to " + std::to_string(kMaxJobs) +
                                      " before '/': '" + login + "'");
            parsed.slots = static_cast<int>(*slots);
        }
        parsed.host = login.substr(digits + 1);
    }
    std::string error;
    auto words = cli::split_words(parsed.host, error);
    if (!words || words->empty()) throw cli::UsageError("-S: no host in '" + spec + "'");
    parsed.host = words->back();
    words->pop_back();
    parsed.ssh = std::move(*words);
    if (parsed.host.find('/') != std::string::npos)
        throw cli::UsageError("-S: not [N/]host: '" + login + "'");
    return parsed;
}

}  // namespace

std::vector<SshLogin> parse_sshlogins(const std::string& spec) {
    std::vector<SshLogin> logins;
    for (std::size_t from = 0;;) {
        const std::size_t comma = std::min(spec.find(',', from), spec.size());
        logins.push_back(parse_login(spec.substr(from, comma - from), spec));
        if (comma == spec.size()) return logins;
        from = comma + 1;
    }
}

std::vector<SshLogin> slot_hosts(const std::vector<SshLogin>& logins, int default_slots) {
    std::vector<SshLogin> hosts;
    for (int round = 0;; ++round) {
        bool any = false;
        for (const SshLogin& login : logins) {
            if (round >= (login.slots > 0 ? login.slots : default_slots)) continue;
            if (hosts.size() == static_cast<std::size_t>(kMaxJobs))
                return hosts;  // a thread per slot: -j's bound
            hosts.push_back(login);
            any = true;
        }
        if (!any) return hosts;
    }
}

}  // namespace mp::tools::pool

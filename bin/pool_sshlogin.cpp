// -S's values, parsed without side effects (fuzzed with bin/pool_args.cpp).
#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

#include "bin/cli/cli.hpp"
#include "bin/cli/main.hpp"
#include "bin/pool_jobs.hpp"
#include "bin/pool_remote.hpp"

namespace mp::tools::pool {

std::vector<SshLogin> parse_sshlogins(const std::string& spec) {
    std::vector<SshLogin> logins;
    for (std::size_t from = 0;;) {
        const std::size_t comma = std::min(spec.find(',', from), spec.size());
        const std::string login = spec.substr(from, comma - from);
        const std::size_t slash = login.find('/');
        SshLogin parsed{.slots = 0, .host = login};
        if (slash != std::string::npos) {
            const auto slots = cli::parse_int(login.substr(0, slash), 1, kMaxJobs);
            if (!slots)
                throw cli::UsageError("-S: not a number of job slots from 1 to " + std::to_string(kMaxJobs) +
                                      " before '/': '" + login + "'");
            parsed = {.slots = static_cast<int>(*slots), .host = login.substr(slash + 1)};
        }
        if (parsed.host.empty()) throw cli::UsageError("-S: no host in '" + spec + "'");
        logins.push_back(std::move(parsed));
        if (comma == spec.size()) return logins;
        from = comma + 1;
    }
}

std::vector<std::string> slot_hosts(const std::vector<SshLogin>& logins, int default_slots) {
    std::vector<std::string> hosts;
    for (int round = 0;; ++round) {
        bool any = false;
        for (const SshLogin& login : logins) {
            if (round >= (login.slots > 0 ? login.slots : default_slots)) continue;
            if (hosts.size() == static_cast<std::size_t>(kMaxJobs)) return hosts;  // a thread per slot: -j's bound
            hosts.push_back(login.host);
            any = true;
        }
        if (!any) return hosts;
    }
}

}  // namespace mp::tools::pool

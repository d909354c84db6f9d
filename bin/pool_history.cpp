#include "bin/pool_history.hpp"

#include <cerrno>
#include <cstdint>
#include <fstream>
#include <stdexcept>
#include <system_error>
#include <vector>

#include "bin/cli/cli.hpp"

namespace mp::tools::pool {

namespace {

std::vector<std::string> fields_of(const std::string& line) {
    std::vector<std::string> fields;
    std::size_t from = 0;
    for (;;) {
        const std::size_t tab = line.find('\t', from);
        // The command is the last field and may hold tabs of its own.
        if (tab == std::string::npos || fields.size() == 8) {
            fields.push_back(line.substr(from));
            return fields;
        }
        fields.push_back(line.substr(from, tab - from));
        from = tab + 1;
    }
}

}  // namespace

JobHistory JobHistory::read(const std::string& path) {
    JobHistory history;
    std::ifstream in(path);
    if (!in) {
        if (errno == ENOENT) return history;
        throw std::system_error(errno, std::generic_category(), "cannot read the joblog " + path);
    }
    std::string line;
    for (std::size_t number = 1; std::getline(in, line); ++number) {
        if (number == 1 && line.rfind("Seq\t", 0) == 0) continue;  // the header
        const std::vector<std::string> fields = fields_of(line);
        const auto seq = fields.size() == 9 ? cli::parse_int(fields[0], 1, INT64_MAX) : std::nullopt;
        const auto exitval = fields.size() == 9 ? cli::parse_int(fields[6], -1, 255) : std::nullopt;
        const auto signal = fields.size() == 9 ? cli::parse_int(fields[7], 0, 255) : std::nullopt;
        if (!seq || !exitval || !signal)
            throw std::runtime_error("the joblog " + path + " is damaged at line " + std::to_string(number) +
                                  " (not Seq, Host, Starttime, JobRuntime, Send, Receive, Exitval, Signal, Command)");
        history.jobs_[static_cast<std::size_t>(*seq)] = Logged{*exitval == 0 && *signal == 0, fields[8]};
    }
    return history;
}

bool JobHistory::succeeded(std::size_t seq) const {
    const auto it = jobs_.find(seq);
    return it != jobs_.end() && it->second.ok;
}

}  // namespace mp::tools::pool

#include "bench/harness/memory.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>

#include "bench/harness/harness.hpp"

extern char** environ;

namespace mp::bench {

namespace {

std::string mib(double bytes) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f MiB", bytes / (1024 * 1024));
    return text;
}

// "parent 12.3 MiB, worker 4.5 MiB", or "39.1 MiB for 10000, 4096 B/object"; "-" when absent.
std::string figure(const std::optional<Peak>& peak, bool per_object) {
    if (!peak) return "-";
    if (per_object) {
        char text[64];
        std::snprintf(text, sizeof text, "%s for %.0f, %.0f B/object", mib(peak->first).c_str(), peak->second,
                      peak->second > 0 ? peak->first / peak->second : 0.0);
        return text;
    }
    return "parent " + mib(peak->first) + ", worker " + mib(peak->second);
}

}  // namespace

Peak own_peaks() {
    Peak peak;
    std::ifstream status("/proc/self/status");
    for (std::string line; std::getline(status, line);)
        if (line.rfind("VmHWM:", 0) == 0) peak.first = std::strtod(line.c_str() + 6, nullptr) * 1024;
    rusage children{};
    getrusage(RUSAGE_CHILDREN, &children);
    peak.second = static_cast<double>(children.ru_maxrss) * 1024;  // KiB on Linux
    return peak;
}

void report_peak(const Peak& peak) {
    std::printf("%.0f %.0f\n", peak.first, peak.second);
    std::fflush(stdout);
}

std::optional<Peak> run_scenario(const std::vector<std::string>& argv) {
    int out[2];
    if (pipe2(out, O_CLOEXEC) != 0) return std::nullopt;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_t pid = 0;
    const int error = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(out[1]);
    std::string text;
    if (error == 0) {
        char buffer[256];
        for (ssize_t n; (n = read(out[0], buffer, sizeof buffer)) != 0;) {
            if (n > 0) text.append(buffer, static_cast<std::size_t>(n));
            else if (errno != EINTR) break;
        }
    }
    close(out[0]);
    if (error != 0) {
        std::fprintf(stderr, "memory: cannot run %s: %s\n", args[0], std::strerror(error));
        return std::nullopt;
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    Peak peak;
    std::istringstream line(text);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !(line >> peak.first >> peak.second)) {
        std::fprintf(stderr, "memory: %s %s failed (status %d, output \"%s\")\n", args[0],
                     argv.size() > 1 ? argv[1].c_str() : "", status, text.c_str());
        return std::nullopt;
    }
    return peak;
}

std::string memory_verdict(const MemoryRow& row) {
    if (!row.ours) return "not measured";
    const bool within = row.per_object
                            ? row.ours->first <= row.parent_budget * row.ours->second
                            : row.ours->first <= row.parent_budget && row.ours->second <= row.worker_budget;
    return within ? "met" : "missed";
}

MemoryTable::MemoryTable(std::string title) : title_(std::move(title)) {}

void MemoryTable::add(MemoryRow row) {
    rows_.push_back(std::move(row));
}

void MemoryTable::print() const {
    std::vector<std::vector<std::string>> lines{{"scenario", "data", "ours", "CPython", "budget", "verdict", "note"}};
    std::ofstream tsv = open_results_tsv();
    for (const MemoryRow& r : rows_) {
        const std::string budget = r.per_object ? std::to_string(static_cast<long>(r.parent_budget)) + " B/object"
                                                : "parent " + mib(r.parent_budget) + ", worker " + mib(r.worker_budget);
        const std::string data = r.per_object ? "-" : r.data_bytes > 0 ? mib(r.data_bytes) : "0 (consumed as they come)";
        lines.push_back({r.scenario, data,
                         figure(r.ours, r.per_object), figure(r.cpython, r.per_object), budget, memory_verdict(r), r.note});
        if (tsv.is_open()) {
            tsv << "memory\t" << title_;
            for (const std::string& cell : lines.back()) tsv << "\t" << cell;
            tsv << "\n";
        }
    }
    print_markdown(title_, lines);
}

}  // namespace mp::bench

// `make soak`: every library under injected faults at once, for SOAK_SECONDS.
//
//   build/soak/soak [SECONDS]      (default 120)
//   SOAK_ONLY=sync build/soak/soak 10   (one scenario, when chasing a failure)
//
// Each scenario runs in its own process, forked before any thread exists, with its
// own SIGUSR1 hammer and its own children: so every scenario can count its own fds
// and zombies exactly. Main waits for all of them (bounded), checks /dev/shm for
// names the run created, prints one table and exits 1 when any item was lost or
// duplicated, any promise broken, or any zombie, fd or /dev/shm entry leaked.
#include <dirent.h>
#include <signal.h>
#include <sys/wait.h>

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

#include "bin/cli/cli.hpp"
#include "tests/soak/soak.hpp"

namespace {

using namespace mp::soak;

struct Scenario {
    const char* name;
    void (*run)(Context&);
};
constexpr Scenario kScenarios[] = {
    {"pool", run_pool}, {"queue", run_queue}, {"sync", run_sync}, {"shm", run_shm}, {"subproc", run_subproc},
};
constexpr int kCount = static_cast<int>(std::size(kScenarios));

// Runs one scenario in this (forked, single-threaded) process and records its leaks.
void scenario_process(const Scenario& s, Row& row, Clock::time_point deadline, const std::string& prefix) {
    const int fds_before = count_open_fds();
    try {
        Context ctx{&row, deadline, prefix + s.name + "-"};
        s.run(ctx);
    } catch (const std::exception& e) {
        std::snprintf(row.note, sizeof row.note, "aborted: %s", e.what());
        row.violations.fetch_add(1);
    }
    row.zombies = reap_leftover_children();
    row.leaked_fds = count_open_fds() - fds_before;
    row.finished = 1;
}

// Our /dev/shm entries holding `tag`; removes them (a leak is reported, not kept).
std::vector<std::string> take_shm_entries(const std::string& tag) {
    std::vector<std::string> found;
    if (DIR* dir = ::opendir("/dev/shm")) {
        while (const dirent* e = ::readdir(dir)) {
            if (std::strstr(e->d_name, tag.c_str()) != nullptr) found.emplace_back(e->d_name);
        }
        ::closedir(dir);
    }
    for (const std::string& name : found) ::unlink(("/dev/shm/" + name).c_str());
    return found;
}

}  // namespace

int main(int argc, char** argv) {
    std::chrono::nanoseconds length = std::chrono::seconds(120);
    if (argc > 1) {
        const auto parsed = mp::cli::parse_duration(argv[1]);
        if (!parsed || argc > 2) {
            mp::cli::print_error("soak", "usage: soak [SECONDS]");
            return 2;
        }
        length = *parsed;
    }
    // "test-<pid>-" names (/dev/shm/mp-test-<pid>-...) are what the leak guards of test
    // suites running alongside leave alone while this process lives.
    const std::string prefix = "test-" + std::to_string(::getpid()) + "-";
    Row* rows = shared_array<Row>(kCount);
    const Clock::time_point deadline = Clock::now() + length;
    std::printf("soak: %d scenarios for %.0f s (pid %d)\n", kCount,
                std::chrono::duration<double>(length).count(), static_cast<int>(::getpid()));

    const char* only = std::getenv("SOAK_ONLY");
    std::vector<pid_t> pids;
    for (int i = 0; i < kCount; ++i) {
        if (only != nullptr && std::strcmp(only, kScenarios[i].name) != 0) {
            rows[i].finished = 1;
            pids.push_back(0);
            continue;
        }
        pids.push_back(fork_child([&] { scenario_process(kScenarios[i], rows[i], deadline, prefix); }));
    }
    // Bounded wait: a scenario that wedges past its deadline plus a minute is killed
    // and counted as a violation, so the run always ends.
    const Clock::time_point hard_stop = deadline + std::chrono::seconds(60);
    std::vector<int> status(kCount, -1);
    int left = kCount;
    for (int i = 0; i < kCount; ++i) {
        if (pids[i] == 0) {
            status[i] = 0;
            --left;
        }
    }
    while (left > 0) {
        for (int i = 0; i < kCount; ++i) {
            if (status[i] != -1) continue;
            int st = 0;
            if (::waitpid(pids[i], &st, WNOHANG) == pids[i]) {
                status[i] = st;
                --left;
            }
        }
        if (left > 0 && Clock::now() > hard_stop) {
            for (int i = 0; i < kCount; ++i) {
                if (status[i] != -1) continue;
                (void)kill_and_reap(pids[i]);
                status[i] = 0;
                rows[i].violations.fetch_add(1);
                std::snprintf(rows[i].note, sizeof rows[i].note, "wedged: killed after its deadline + 60 s");
                --left;
            }
        }
        sleep_for(std::chrono::milliseconds(50));
    }

    bool ok = true;
    std::printf("\n%-8s %11s %8s %8s %8s %6s %10s %7s %10s %10s\n", "scenario", "operations", "faults",
                "errors", "SIGUSR1", "lost", "violations", "zombies", "leaked fds", "leaked shm");
    for (int i = 0; i < kCount; ++i) {
        Row& r = rows[i];
        if (!r.finished) {
            r.violations.fetch_add(1);
            if (r.note[0] == 0)
                std::snprintf(r.note, sizeof r.note, "process ended early (status %d)", status[i]);
        }
        const auto leaked_shm = take_shm_entries(prefix + kScenarios[i].name + "-");
        std::printf("%-8s %11" PRId64 " %8" PRId64 " %8" PRId64 " %8" PRId64 " %6" PRId64 " %10" PRId64
                    " %7" PRId64 " %10" PRId64 " %10zu\n",
                    kScenarios[i].name, r.operations.load(), r.faults.load(), r.errors.load(),
                    r.signals.load(), r.lost.load(), r.violations.load(), r.zombies.load(),
                    r.leaked_fds.load(), leaked_shm.size());
        ok = ok && r.lost == 0 && r.violations == 0 && r.zombies == 0 && r.leaked_fds == 0 &&
             leaked_shm.empty();
        for (const auto& name : leaked_shm) std::printf("         leaked /dev/shm/%s\n", name.c_str());
    }
    for (int i = 0; i < kCount; ++i) {
        if (rows[i].note[0] != 0) std::printf("%s: %s\n", kScenarios[i].name, rows[i].note);
    }
    const auto stray = take_shm_entries(prefix);
    for (const auto& name : stray) std::printf("leaked /dev/shm/%s\n", name.c_str());
    ok = ok && stray.empty();
    std::printf("\nsoak: %s\n", ok ? "PASS (lost, violations, zombies, leaked fds and shm all 0)" : "FAIL");
    return ok ? 0 : 1;
}

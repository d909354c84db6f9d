// Subproc scenario: two threads run short commands through mp::subproc::run with
// captured output and random timeouts, while this process's RLIMIT_NOFILE sits a few
// fds above what it uses and a third thread grabs and frees the spare fds. Every run
// must end as a result, TimeoutExpired or a clean EMFILE error (errors column);
// anything else is a violation. Leaked fds and zombies are counted by main.cpp after
// the limit is restored.
#include <fcntl.h>
#include <sys/resource.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "subproc/subproc.hpp"
#include "tests/soak/soak.hpp"

namespace mp::soak {

namespace {

constexpr int kSpareFds = 14;  // above what the process has open when it starts

struct Tally {
    std::atomic<std::int64_t> ok{0}, timeouts{0}, emfile{0}, other{0};
    std::mutex note_lock;
    std::string first_other;
};

void run_one(Tally& t) {
    using namespace std::chrono;
    std::vector<std::string> args;
    switch (random_between(0, 2)) {
        case 0:
            args = {"true"};
            break;
        case 1:
            args = {"sleep", "0.0" + std::to_string(random_between(0, 5))};
            break;
        default:
            args = {"sh", "-c", "echo out; echo err >&2; sleep 0.01"};
            break;
    }
    try {
        mp::subproc::Options options{.capture_output = true, .timeout = milliseconds(random_between(1, 80))};
        (void)mp::subproc::run(args, options);
        t.ok.fetch_add(1);
    } catch (const mp::subproc::TimeoutExpired&) {
        t.timeouts.fetch_add(1);
    } catch (const std::system_error& e) {
        if (e.code().value() == EMFILE) {
            t.emfile.fetch_add(1);
            sleep_for(std::chrono::milliseconds(1));  // let the hog let go
            return;
        }
        t.other.fetch_add(1);
        std::lock_guard hold(t.note_lock);
        if (t.first_other.empty()) t.first_other = e.what();
    } catch (const std::exception& e) {
        t.other.fetch_add(1);
        std::lock_guard hold(t.note_lock);
        if (t.first_other.empty()) t.first_other = e.what();
    }
}

// Holds a random number of the spare fds for a moment, again and again.
void hog_fds(const std::atomic<bool>& done) {
    while (!done) {
        std::vector<int> held;
        const auto want = random_between(0, kSpareFds);
        for (int i = 0; i < want; ++i) {
            const int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
            if (fd < 0) break;
            held.push_back(fd);
        }
        sleep_for(std::chrono::milliseconds(random_between(1, 20)));
        for (const int fd : held) ::close(fd);
        sleep_for(std::chrono::milliseconds(random_between(1, 20)));
    }
}

}  // namespace

void run_subproc(Context& ctx) {
    Row& row = *ctx.row;
    Tally t;
    rlimit saved{};
    ::getrlimit(RLIMIT_NOFILE, &saved);
    {
        Hammer hammer(&row);
        rlimit low = saved;
        low.rlim_cur = static_cast<rlim_t>(count_open_fds() + kSpareFds);
        if (::setrlimit(RLIMIT_NOFILE, &low) != 0)
            throw std::system_error(errno, std::generic_category(), "setrlimit");

        std::atomic<bool> done{false};
        std::thread hog([&] { hog_fds(done); });
        std::vector<std::thread> runners;
        for (int i = 0; i < 2; ++i) {
            runners.emplace_back([&] {
                while (Clock::now() < ctx.deadline) run_one(t);
            });
        }
        for (auto& r : runners) r.join();
        done = true;
        hog.join();
        ::setrlimit(RLIMIT_NOFILE, &saved);
    }
    row.operations = t.ok + t.timeouts + t.emfile + t.other;
    row.faults = t.emfile + t.timeouts;  // what the limit and the timeouts inflicted
    row.errors = t.timeouts + t.emfile;
    row.violations += t.other;
    if (!t.first_other.empty()) {
        std::snprintf(row.note, sizeof row.note, "unexpected error: %s", t.first_other.c_str());
    } else {
        std::snprintf(row.note, sizeof row.note, "%lld ok, %lld timed out, %lld EMFILE",
                      static_cast<long long>(t.ok.load()), static_cast<long long>(t.timeouts.load()),
                      static_cast<long long>(t.emfile.load()));
    }
}

}  // namespace mp::soak

#include "bench/harness/rounds.hpp"

#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include "subproc/subproc.hpp"

namespace mp::bench {

double Stats::spread() const {
    return median > 0 ? (max - min) / median : 0;
}

bool Stats::noisy() const {
    return spread() > 0.3;
}

bool python_present() {
    static const bool present = std::system("command -v python3 >/dev/null 2>&1") == 0;
    return present;
}

namespace {

std::optional<Stats> summarize(std::vector<double> values) {
    if (values.empty()) return std::nullopt;
    std::sort(values.begin(), values.end());
    Stats s;
    s.min = values.front();
    s.max = values.back();
    const std::size_t n = values.size();
    s.median = n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    return s;
}

// Per-round a[i] / b[i]; empty unless both sides have every round.
std::optional<Stats> ratios(const std::vector<double>& a, const std::vector<double>& b) {
    if (a.empty() || a.size() != b.size()) return std::nullopt;
    std::vector<double> r;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (b[i] > 0) r.push_back(a[i] / b[i]);
    return r.size() == a.size() ? summarize(r) : std::nullopt;
}

// Writes one line to the script's stdin. A script that died must not kill the
// benchmark with SIGPIPE: the signal is blocked around the write and a pending one
// taken back, so the write fails with EPIPE instead.
bool write_line(int fd) {
    sigset_t pipe_only, old;
    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_only, &old);
    ssize_t n;
    do n = ::write(fd, "\n", 1);
    while (n < 0 && errno == EINTR);
    if (n < 0 && errno == EPIPE && !sigismember(&old, SIGPIPE)) {
        const timespec zero{};
        while (sigtimedwait(&pipe_only, nullptr, &zero) < 0 && errno == EINTR) {
        }
    }
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
    return n == 1;
}

// One CPython process for a row. Any failure (no python3, a script error, an
// unreadable answer) turns it off: the row goes on without its CPython column.
class Script {
public:
    explicit Script(const Python& p) {
        if (!python_present()) return;
        try {
            process_ = std::make_unique<subproc::Popen>(
                std::vector<std::string>{"python3", "bench/" + p.script, p.scenario, std::to_string(p.ops)},
                subproc::Options{.in = subproc::PIPE, .out = subproc::PIPE, .err = subproc::DEVNULL});
        } catch (const std::exception&) {
            return;
        }
        const auto ready = process_->readline();
        if (!ready || *ready != "ready") stop();
    }
    ~Script() { stop(); }
    Script(const Script&) = delete;
    Script& operator=(const Script&) = delete;

    bool alive() const { return process_ != nullptr; }

    // One timed round: the seconds per operation it answers, or empty (and off).
    std::optional<double> round() {
        if (!process_) return std::nullopt;
        if (write_line(process_->stdin_fd())) {
            if (const auto line = process_->readline()) {
                char* end = nullptr;
                const double value = std::strtod(line->c_str(), &end);
                if (end != line->c_str() && *end == '\0' && value > 0) return value;
            }
        }
        stop();
        return std::nullopt;
    }

private:
    // The end of its input lets the script exit and clean up after itself (its
    // multiprocessing children, their /dev/shm and /tmp entries). A process forked by
    // the benchmark while the script ran may hold a copy of the write end of its
    // stdin, so that EOF never comes: after a grace period the script's whole process
    // group is killed, its children with it.
    void stop() {
        if (!process_) return;
        process_->close_stdin();
        try {
            process_->wait(std::chrono::seconds(5));
        } catch (const subproc::TimeoutExpired&) {
            process_->kill(subproc::Scope::group);
            process_->wait();
        }
        process_.reset();
    }
    std::unique_ptr<subproc::Popen> process_;
};

double children_cpu_seconds() {
    rusage usage{};
    getrusage(RUSAGE_CHILDREN, &usage);
    return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
           static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

double seconds_per_op(std::size_t ops, const std::function<void()>& body, Clock clock) {
    if (clock == Clock::children_cpu) {
        const double before = children_cpu_seconds();
        body();
        return (children_cpu_seconds() - before) / static_cast<double>(ops);
    }
    const auto start = std::chrono::steady_clock::now();
    body();
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    return took.count() / static_cast<double>(ops);
}

}  // namespace

Measured measure(std::size_t ops, const Contenders& contenders, int rounds, Clock clock) {
    std::optional<Script> script;
    if (contenders.cpython) script.emplace(*contenders.cpython);
    contenders.ours();
    if (contenders.raw) contenders.raw();

    // The contenders in turn order; each round starts one further along.
    std::vector<double> ours, raw, python;
    std::vector<std::function<void()>> turns{
        [&] { ours.push_back(seconds_per_op(ops, contenders.ours, clock)); }};
    if (contenders.raw)
        turns.emplace_back([&] { raw.push_back(seconds_per_op(ops, contenders.raw, clock)); });
    if (script && script->alive())
        turns.emplace_back([&] {
            if (const auto value = script->round()) python.push_back(*value);
        });
    const int n = std::max(rounds, kMinRuns);
    for (int round = 0; round < n; ++round)
        for (std::size_t i = 0; i < turns.size(); ++i) turns[(round + i) % turns.size()]();

    // A script that failed mid-row has fewer rounds than the others: no column.
    if (python.size() != ours.size()) python.clear();
    return {summarize(ours), summarize(raw), summarize(python), ratios(ours, raw), ratios(ours, python)};
}

}  // namespace mp::bench
